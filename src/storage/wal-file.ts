import { open } from 'node:fs/promises';

/**
 * A SQLite database's write-ahead log, made durable on libuv's thread pool instead of inside
 * the commit on the event loop. Commits run with `synchronous=NORMAL` (the WAL is written
 * but not fsynced: atomic and consistent, and a power cut loses at most the newest
 * commits, never one from the middle); `sync()` then fdatasyncs the WAL, after which every
 * commit made before the call is on disk, exactly as `synchronous=FULL` would have left it.
 *
 * Calls made while an fdatasync runs share the next one: at most one runs and one waits.
 *
 * @example
 * const wal = new WalFile('/data/vigil.db');
 * db.transaction(work)(); // under synchronous=NORMAL
 * await wal.sync(); // now durable
 */
export class WalFile {
  private running: Promise<void> | undefined;
  private waiting: Promise<void> | undefined;
  readonly path: string;

  constructor(databaseFile: string) {
    this.path = `${databaseFile}-wal`;
  }

  /** Resolves once every commit made before the call is on disk. */
  sync(): Promise<void> {
    if (this.running === undefined) return this.start();
    // The running fdatasync may have begun before the caller's commit: wait for the next.
    this.waiting ??= this.running
      .catch(() => {})
      .then(() => {
        this.waiting = undefined;
        return this.start();
      });
    return this.waiting;
  }

  private start(): Promise<void> {
    const run = fdatasync(this.path).finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }
}

async function fdatasync(path: string): Promise<void> {
  let handle;
  try {
    // 'r+' neither creates nor truncates; a writable descriptor is what Windows needs to flush.
    handle = await open(path, 'r+');
  } catch (error) {
    // No WAL: the connection was closed, which checkpoints every commit into the database.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
