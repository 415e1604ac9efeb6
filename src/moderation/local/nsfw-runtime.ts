/**
 * Which runtime the model workers run NSFWJS on: ONNX Runtime, on the model converted from
 * the `nsfwjs` package's weights and cached in the data directory, or — when there is no
 * cache directory or the conversion fails — tfjs-wasm, as before (slower, more memory).
 */
import { startWorker } from './threads.js';

export type NsfwRuntime = { kind: 'onnx'; file: string } | { kind: 'tfjs' };

/**
 * Converts NSFWJS to ONNX into `cacheDir` (once; later starts find the file) in a worker of
 * its own, and says which runtime to use. Never throws: a failure falls back to tfjs and is
 * logged with its reason.
 */
export async function prepareNsfwRuntime(
  cacheDir: string | undefined,
  log: (line: string) => void,
): Promise<NsfwRuntime> {
  if (cacheDir === undefined) return { kind: 'tfjs' };
  try {
    const file = await new Promise<string>((resolve, reject) => {
      const worker = startWorker('convert-worker', { workerData: { cacheDir }, stdout: true });
      worker.once('message', (message: { file?: string; error?: string }) => {
        if (message.file) resolve(message.file);
        else reject(new Error(message.error ?? 'no answer'));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the conversion worker exited with ${code}`)));
    });
    return { kind: 'onnx', file };
  } catch (error) {
    log(
      `NSFWJS could not be converted to ONNX (${error instanceof Error ? error.message : String(error)}); running it on tfjs-wasm instead, which is slower`,
    );
    return { kind: 'tfjs' };
  }
}
