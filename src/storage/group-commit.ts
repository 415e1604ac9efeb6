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
  /** Commits made so far, and the highest of them known to be on disk. */
  private commits = 0;
  private durable = 0;
  /** fdatasyncs under way, each with the last commit it will make durable. */
  private readonly syncing = new Set<{ through: number; done: Promise<void> }>();
  /** Prepared once: db.pragma() would prepare the statement on every batch, twice. */
  private readonly pragmas = new Map<string, { run(): unknown }>();

  /** @param wal the database's WAL when commits must be durable (fsync on); else none. */
  constructor(
    private readonly db: SqliteDatabase,
    private readonly wal?: WalFile,
  ) {}

  /**
   * How many batches have committed. Read inside a job, it counts the commits before that
   * job's batch: pass it to `durableThrough` to wait for what the job could see.
   */
  get committed(): number {
    return this.commits;
  }

  /**
   * Resolves once commit number `commit` (see `committed`) is on disk, joining an fdatasync
   * already under way when one covers it, so waiting adds no fsync of its own.
   */
  durableThrough(commit: number): Promise<void> {
    if (!this.wal || commit <= this.durable) return Promise.resolve();
    for (const sync of this.syncing) if (sync.through >= commit) return sync.done;
    return this.syncThrough(this.commits);
  }

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
    const commit = ++this.commits;
    const waiting = this.wal !== undefined && jobs.some((job) => job.durable);
    if (!waiting) {
      jobs.forEach(settle);
      return;
    }
    jobs.forEach((job, i) => {
      if (!job.durable) settle(job, i);
    });
    this.syncThrough(commit).then(
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
    if (this.wal) this.synchronous('NORMAL');
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
      if (this.wal && this.db.open) this.synchronous('FULL');
    }
    return outcomes;
  }

  /** Starts an fdatasync that makes every commit up to `through` durable. */
  private syncThrough(through: number): Promise<void> {
    const wal = this.wal;
    if (!wal) return Promise.resolve();
    const done = wal.sync().then(() => {
      this.durable = Math.max(this.durable, through);
    });
    const sync = { through, done };
    this.syncing.add(sync);
    done.then(
      () => this.syncing.delete(sync),
      () => this.syncing.delete(sync),
    );
    return done;
  }

  private synchronous(level: 'NORMAL' | 'FULL'): void {
    let statement = this.pragmas.get(level);
    if (!statement) {
      statement = this.db.prepare(`PRAGMA synchronous = ${level}`);
      this.pragmas.set(level, statement);
    }
    statement.run();
  }
}
