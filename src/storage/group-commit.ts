import type { SqliteDatabase } from './database.js';
import type { WalFile } from './wal-file.js';

interface Job {
  work: () => unknown;
  durable: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type JobOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit: writes that arrive in the same event-loop turn run inside one SQLite
 * transaction, each in its own savepoint. They share one commit, hence one WAL fsync, while
 * each still succeeds or rolls back on its own. Nobody is answered before the shared commit
 * is durable, so acknowledging a write still means it is on disk.
 *
 * With a `wal` (fsync on), a batch commits under `synchronous=NORMAL` and its WAL is then
 * fdatasynced on libuv's thread pool (WalFile), so the event loop never waits for the disk;
 * the connection stays `FULL` for transactions run outside the group.
 *
 * @example
 * const group = new GroupCommit(db, new WalFile(file));
 * const row = await group.run(() => db.prepare('INSERT … RETURNING *').get());
 */
export class GroupCommit {
  private queue: Job[] = [];
  private scheduled = false;

  /** @param wal the database's WAL when commits must be durable (fsync on); else none. */
  constructor(
    private readonly db: SqliteDatabase,
    private readonly wal?: WalFile,
  ) {}

  /**
   * Runs `work` in the next batch. With `durable: false` (bookkeeping whose loss in a power
   * cut only repeats work, such as settling a delivered event) the job is answered at
   * commit, without waiting for the fsync; WAL mode keeps it consistent, and a later durable
   * commit makes it durable along with its own.
   */
  run<T>(work: () => T, options: { durable?: boolean } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        work,
        durable: options.durable ?? true,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate, not a microtask: lets the other requests of this turn join the batch.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const jobs = this.queue;
    this.queue = [];
    let outcomes: JobOutcome[];
    try {
      outcomes = this.commit(jobs);
    } catch (commitError) {
      for (const job of jobs) job.reject(commitError);
      return;
    }
    const settle = (job: Job, i: number) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    };
    const waiting = this.wal !== undefined && jobs.some((job) => job.durable);
    if (!waiting) {
      jobs.forEach(settle);
      return;
    }
    jobs.forEach((job, i) => {
      if (!job.durable) settle(job, i);
    });
    this.wal.sync().then(
      () =>
        jobs.forEach((job, i) => {
          if (job.durable) settle(job, i);
        }),
      // Committed but perhaps not on disk: a durable job must not be acknowledged.
      (syncError: unknown) => {
        for (const job of jobs) if (job.durable) job.reject(syncError);
      },
    );
  }

  /** Runs the batch in one transaction; each job's outcome, or throws if the commit fails. */
  private commit(jobs: Job[]): JobOutcome[] {
    const outcomes: JobOutcome[] = [];
    if (this.wal) this.db.pragma('synchronous = NORMAL');
    try {
      // IMMEDIATE: take the write lock up front, so a database other connections also write
      // (reports.db) waits on busy_timeout instead of failing when a read turns into a write.
      this.db
        .transaction(() => {
          for (const job of jobs) {
            try {
              // A nested better-sqlite3 transaction is a savepoint: a failure undoes only this job.
              outcomes.push({ ok: true, value: this.db.transaction(job.work)() });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
          }
        })
        .immediate();
    } finally {
      if (this.wal && this.db.open) this.db.pragma('synchronous = FULL');
    }
    return outcomes;
  }
}
