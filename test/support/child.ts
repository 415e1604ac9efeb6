import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const VIGIL_BIN = fileURLToPath(new URL('../../bin/vigil.js', import.meta.url));

export interface ChildVigil {
  process: ChildProcess;
  port: number;
  url: string;
  output(): string;
}

/**
 * Runs the built `vigil serve` as a child process on a free port and waits until
 * `/_vigil/health` answers 200 (once the moderation models are warm, unless
 * `lazyModeration` leaves them to the first image: tests that never moderate and restart
 * often should not pay for loading them).
 */
export async function spawnVigil(
  dataDir: string,
  env: Record<string, string> = {},
  args: string[] = [],
  options: { lazyModeration?: boolean } = {},
): Promise<ChildVigil> {
  const extra: string[] = [];
  if (options.lazyModeration) {
    await mkdir(dataDir, { recursive: true });
    const file = join(dataDir, 'test-lazy-moderation.json');
    await writeFile(file, JSON.stringify({ moderation: { warm: false } }));
    extra.push('--config', file);
  }
  const child = spawn(
    process.execPath,
    [
      VIGIL_BIN,
      'serve',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data-dir',
      dataDir,
      ...extra,
      ...args,
    ],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vigil did not start:\n${output}`)), 30_000);
    const check = () => {
      const match = /listening on port (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`vigil exited with ${code}:\n${output}`));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(`${url}/_vigil/health`);
    const body = await res.text();
    if (res.status === 200) break;
    // 503 while the moderation models warm up; anything else, or too long, is a failure.
    if (res.status !== 503 || !body.includes('warming') || Date.now() > deadline)
      throw new Error(`health answered ${res.status} ${body}:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { process: child, port, url, output: () => output };
}
