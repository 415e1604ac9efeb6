import type { SqliteDatabase } from './database.js';

interface Job {
  work: () => unknown;
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

  constructor(private readonly db: SqliteDatabase) {}

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
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
    try {
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
    }
    jobs.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
  }
}
