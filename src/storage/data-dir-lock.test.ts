import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, LOCK_FILE, lockDataDir } from './data-dir-lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The id of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

const holderFile = (holder: object) => writeFile(join(dir, LOCK_FILE), JSON.stringify(holder));

describe('lockDataDir', () => {
  it('names its holder in the file, refuses a second taker, and is free again once released', async () => {
    const lock = await lockDataDir(dir);
    const written = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as {
      pid: number;
      hostname: string;
    };
    expect([written.pid, written.hostname]).toEqual([process.pid, hostname()]);
    const refused = await lockDataDir(dir).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect((refused as Error).message).toContain(`process ${process.pid} on ${hostname()}`);
    lock.release();
    (await lockDataDir(dir)).release();
  });

  it('takes over a file left by a process that is gone', async () => {
    await holderFile({ pid: deadPid(), hostname: hostname(), since: '2026-01-01T00:00:00Z' });
    const lock = await lockDataDir(dir);
    expect(lock.holder.pid).toBe(process.pid);
    lock.release();
  });

  it('takes over a file whose process id now belongs to a later process', async () => {
    // The parent of this process runs, but it did not start at this made-up tick.
    await holderFile({ pid: process.ppid, hostname: hostname(), processStart: '1', since: 'x' });
    const lock = await lockDataDir(dir);
    lock.release();
  });

  it('takes over a half-written file', async () => {
    await writeFile(join(dir, LOCK_FILE), '{"pid": 12');
    (await lockDataDir(dir)).release();
  });

  it('refuses a holder on another host, saying which file to remove if it is gone', async () => {
    await holderFile({ pid: 1, hostname: 'elsewhere.example', since: '2026-01-01T00:00:00Z' });
    const refused = (await lockDataDir(dir).catch((error: unknown) => error)) as Error;
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect(refused.message).toContain('on elsewhere.example');
    expect(refused.message).toContain(join(dir, LOCK_FILE));
  });

  it('release leaves a file another process wrote since alone', async () => {
    const lock = await lockDataDir(dir);
    await holderFile({ pid: 1, hostname: 'elsewhere.example', since: 'later' });
    lock.release();
    expect(await readFile(join(dir, LOCK_FILE), 'utf8')).toContain('elsewhere.example');
  });
});
