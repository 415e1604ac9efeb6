/**
 * Which runtime the model workers run NSFWJS on: ONNX Runtime, on the model converted from
 * the `nsfwjs` package's weights and cached in the data directory, or — when there is no
 * cache directory or the conversion fails — tfjs-wasm, as before (slower, more memory).
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exists } from './nsfw-onnx/cache.js';
import { nsfwOnnxFileName } from './nsfw-onnx/names.js';

export type NsfwRuntime = { kind: 'onnx'; file: string } | { kind: 'tfjs' };

/**
 * Converts NSFWJS to ONNX into `cacheDir` (once; later starts find the file) in a child
 * process of its own, and says which runtime to use. Never throws: a failure falls back to
 * tfjs and is logged with its reason.
 */
export async function prepareNsfwRuntime(
  cacheDir: string | undefined,
  log: (line: string) => void,
): Promise<NsfwRuntime> {
  if (cacheDir === undefined) return { kind: 'tfjs' };
  const cached = join(cacheDir, nsfwOnnxFileName());
  if (await exists(cached)) return { kind: 'onnx', file: cached };
  try {
    const file = await convertInChildProcess(cacheDir);
    return { kind: 'onnx', file };
  } catch (error) {
    log(
      `NSFWJS could not be converted to ONNX (${error instanceof Error ? error.message : String(error)}); running it on tfjs-wasm instead, which is slower`,
    );
    return { kind: 'tfjs' };
  }
}

/** Runs convert-process in a child (from sources under tsx, as in tests) and waits for it. */
function convertInChildProcess(cacheDir: string): Promise<string> {
  const fromSources = import.meta.url.endsWith('.ts');
  const script = fileURLToPath(
    new URL(`./convert-process.${fromSources ? 'ts' : 'js'}`, import.meta.url),
  );
  return new Promise<string>((resolve, reject) => {
    const child = fork(script, [cacheDir], {
      execArgv: fromSources ? ['--import', 'tsx'] : [],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on(
      'data',
      (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)),
    );
    let answered = false;
    child.once('message', (message: { file?: string; error?: string }) => {
      answered = true;
      if (message.file) resolve(message.file);
      else reject(new Error(message.error ?? 'no answer'));
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (!answered)
        reject(
          new Error(
            `the conversion process exited with ${signal ?? code}${stderr ? `: ${stderr.trim()}` : ''}`,
          ),
        );
    });
  });
}
