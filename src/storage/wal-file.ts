import { closeSync, fdatasync, openSync } from 'node:fs';

/**
 * A SQLite database's write-ahead log, made durable on libuv's thread pool instead of inside
 * the commit on the event loop. Commits run with `synchronous=NORMAL` (the WAL is written
 * but not fsynced: atomic and consistent, and a power cut loses at most the newest
 * commits, never one from the middle); `sync()` then fdatasyncs the WAL, after which every
 * commit made before the call is on disk, exactly as `synchronous=FULL` would have left it.
 *
 * Calls made while an fdatasync runs share the next one: at most one runs and one waits.
 * The WAL stays open for as long as its connection (SQLite keeps the file, whose content it
 * rewrites in place after checkpoints, until the last connection closes): `close()` it then.
 *
 * @example
 * const wal = new WalFile('/data/vigil.db');
 * db.transaction(work)(); // under synchronous=NORMAL
 * await wal.sync(); // now durable
 */
export class WalFile {
  private running: Promise<void> | undefined;
  private waiting: Promise<void> | undefined;
  private fd: number | undefined;
  private closed = false;
  /** fdatasyncs started so far (the `vigil_wal_fsyncs_total` metric). */
  syncs = 0;
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

  /**
   * Lets go of the WAL's descriptor (after the database connection has closed), once the
   * fdatasyncs under way are done with it. Later syncs have nothing left to do.
   */
  close(): void {
    this.closed = true;
    const fd = this.fd;
    this.fd = undefined;
    if (fd === undefined) return;
    const pending = this.waiting ?? this.running;
    if (pending) void pending.catch(() => {}).finally(() => closeSync(fd));
    else closeSync(fd);
  }

  private start(): Promise<void> {
    const run = this.fdatasync().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }

  private fdatasync(): Promise<void> {
    // Closed with its connection, which checkpointed every commit into the database.
    if (this.closed) return Promise.resolve();
    let fd: number;
    try {
      // Opened once, synchronously (a few µs), then only fdatasync goes to the thread pool:
      // opening and closing per sync cost ~1 ms of event-loop time per image (--cpu-prof).
      // 'r+' neither creates nor truncates; a writable descriptor is what Windows needs.
      fd = this.fd ??= openSync(this.path, 'r+');
    } catch (error) {
      // No WAL: the connection was closed, which checkpoints every commit into the database.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Promise.resolve();
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.syncs++;
    return new Promise<void>((resolve, reject) =>
      fdatasync(fd, (error) => (error ? reject(error) : resolve())),
    );
  }
}
