/**
 * One data directory, one Vigil: a second `vigil serve` on a directory in use exits at once,
 * naming the first; after the first is killed (SIGKILL: no clean release), a new one starts.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnVigil, VIGIL_BIN, type ChildVigil } from './support/child.js';

let dir: string;
const children: ChildVigil[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-lock-e2e-'));
});
afterAll(async () => {
  for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** Runs `vigil serve` until it exits; its exit code, output and how long it ran. */
function serveUntilExit(
  dataDir: string,
): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [VIGIL_BIN, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - started });
    }),
  );
}

describe('vigil serve on a data directory in use', () => {
  it('exits at once naming the Vigil that holds it, and starts once that one is gone', async () => {
    const first = await spawnVigil(dir, {}, [], { lazyModeration: true });
    children.push(first);
    const second = await serveUntilExit(dir);
    expect(second.code).toBe(1);
    expect(second.output).toContain(
      `vigil: The data directory ${dir} is in use by another Vigil: process ${first.process.pid}`,
    );
    expect(second.ms).toBeLessThan(10_000);
    // The first still serves.
    expect((await fetch(`${first.url}/_vigil/health`)).status).toBe(200);

    first.process.kill('SIGKILL');
    await new Promise((resolve) => first.process.once('exit', resolve));
    const third = await spawnVigil(dir, {}, [], { lazyModeration: true });
    children.push(third);
    expect((await fetch(`${third.url}/_vigil/health`)).status).toBe(200);
    third.process.kill('SIGTERM');
    await new Promise((resolve) => third.process.once('exit', resolve));
  });
});
