import type { SqliteDatabase } from './database.js';

interface Job {
  work: () => unknown;
  durable: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: writes that arrive in the same event-loop turn run inside one SQLite
 * transaction, each in its own savepoint. They share one commit, hence one WAL fsync, while
 * each still succeeds or rolls back on its own. Nobody is answered before the shared commit
 * is durable, so acknowledging a write still means it is on disk.
 *
 * @example
 * const group = new GroupCommit(db);
 * const row = await group.run(() => db.prepare('INSERT … RETURNING *').get());
 */
export class GroupCommit {
  private queue: Job[] = [];
  private scheduled = false;

  /**
   * @param syncsCommits whether the connection fsyncs its commits (`synchronous=FULL`); only
   *   then do non-durable batches switch to `NORMAL` for their commit.
   */
  constructor(
    private readonly db: SqliteDatabase,
    private readonly syncsCommits = false,
  ) {}

  /**
   * Runs `work` in the next batch. With `durable: false` (bookkeeping whose loss in a power
   * cut only repeats work, such as settling a delivered event) a batch made only of such
   * jobs commits without fsync; WAL mode keeps it consistent, and the next durable commit
   * fsyncs it along with its own.
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
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    const relaxed = this.syncsCommits && jobs.every((job) => !job.durable);
    try {
      if (relaxed) this.db.pragma('synchronous = NORMAL');
      this.db.transaction(() => {
        for (const job of jobs) {
          try {
            // A nested better-sqlite3 transaction is a savepoint: a failure undoes only this job.
            outcomes.push({ ok: true, value: this.db.transaction(job.work)() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      })();
    } catch (commitError) {
      for (const job of jobs) job.reject(commitError);
      return;
    } finally {
      if (relaxed && this.db.open) this.db.pragma('synchronous = FULL');
    }
    jobs.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
  }
}
