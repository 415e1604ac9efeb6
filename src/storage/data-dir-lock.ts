/**
 * One data directory, one Vigil: `vigil serve` holds `<data-dir>/vigil.pid` while it runs, as
 * PostgreSQL holds `postmaster.pid`. The file is created with O_EXCL and names its holder
 * (process id, host, the process's start time, when it started), so a second `serve` exits at
 * once saying who holds the directory. A file left by a process that died (SIGKILL, power
 * loss) is taken over: on the same host its process is gone, or the id now belongs to a
 * process that started later. Read-only commands (`vigil dlq`, `vigil logs`) take no lock.
 * ADR 24.
 */
import { closeSync, fsyncSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = 'vigil.pid';

/** Who holds a data directory. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** The holder's start time as the kernel counts it (/proc/<pid>/stat), when known. */
  processStart?: string;
  /** When it took the lock (ISO 8601). */
  since: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The data directory ${dataDir} is in use by another Vigil: process ${holder.pid} on ` +
        `${holder.hostname}, running since ${holder.since}. One data directory serves one ` +
        `Vigil: stop that one first, or give this one another --data-dir.` +
        (holder.hostname === hostname()
          ? ''
          : ` (It runs on another host; if it no longer does, remove ${join(dataDir, LOCK_FILE)}.)`),
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  readonly holder: LockHolder;
  /** Gives the directory up (removes the file if it is still ours). */
  release(): void;
}

/**
 * Takes the data directory for this process.
 *
 * @throws DataDirLockedError when another live Vigil holds it.
 * @example
 * const lock = await lockDataDir('./data');
 * // … serve …
 * lock.release();
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const file = join(dataDir, LOCK_FILE);
  const holder: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    ...processStartOf(process.pid),
    since: new Date().toISOString(),
  };
  const text = `${JSON.stringify(holder)}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } catch (error) {
        // A full disk: leave no empty lock file behind.
        closeSync(fd);
        unlinkSync(file);
        throw error;
      }
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw error;
      const current = readHolder(file);
      if (current && isAlive(current)) throw new DataDirLockedError(dataDir, current);
      // Left by a process that is gone (or half-written by one that died creating it).
      unlinkIfSame(file, current);
    }
  }
  return {
    holder,
    release: () => unlinkIfSame(file, holder),
  };
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.hostname !== 'string') return undefined;
    return { since: '(unknown)', ...parsed } as LockHolder;
  } catch {
    return undefined;
  }
}

/**
 * Whether the holder still runs. Another host's process cannot be checked: it counts as
 * alive. On this host the id must exist and, where the kernel says when a process started,
 * belong to the process that wrote the file (ids are reused).
 */
function isAlive(holder: LockHolder): boolean {
  if (holder.hostname !== hostname()) return true;
  if (holder.pid === process.pid) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: it exists, under another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = procStat(holder.pid);
  // A killed process its parent has not reaped yet is a zombie: gone for our purposes.
  if (now?.state === 'Z' || now?.state === 'X') return false;
  return (
    holder.processStart === undefined ||
    now?.start === undefined ||
    now.start === holder.processStart
  );
}

function processStartOf(pid: number): { processStart?: string } {
  const start = procStat(pid)?.start;
  return start === undefined ? {} : { processStart: start };
}

/**
 * Fields 3 and 22 of /proc/<pid>/stat: the state letter and the start time in clock ticks
 * since boot (Linux only; undefined elsewhere).
 */
function procStat(pid: number): { state?: string; start?: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], start: fields[19] };
  } catch {
    return undefined;
  }
}

function unlinkIfSame(file: string, expected: LockHolder | undefined): void {
  const current = readHolder(file);
  const same =
    expected === undefined
      ? current === undefined
      : current?.pid === expected.pid &&
        current.hostname === expected.hostname &&
        current.since === expected.since;
  if (!same) return;
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
