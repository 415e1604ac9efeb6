import type { SqliteDatabase } from '../storage/index.js';

/** How long history is kept unless the caller says otherwise: 30 days. */
export const DEFAULT_HISTORY_RETENTION_MS = 30 * 24 * 3600_000;

export interface PruneOptions {
  /** Rows looked at per transaction (each batch is its own short transaction). Default 1000. */
  batchSize?: number;
}

export interface PruneResult {
  activity: number;
  deliveries: number;
}

const TABLES = { activity: 'object_activity', deliveries: 'delivery_log' } as const;

/**
 * Deletes history rows (`object_activity`, `delivery_log`) older than `olderThanMs` (epoch
 * ms), a batch per transaction, yielding to the event loop between batches so S3 writes and
 * deliveries are not held up.
 *
 * Rows are inserted in time order, so the oldest are the first by id: each batch takes the
 * next `batchSize` rows by id and deletes those older than the cutoff, and pruning stops at
 * the first batch with none — O(deleted + batchSize), no index on `at` needed. Old rows
 * behind a whole batch of newer ones (written while the clock stood ahead) wait until those
 * age out too.
 *
 * @example
 * setInterval(() => void pruneHistory(engine.db, Date.now() - DEFAULT_HISTORY_RETENTION_MS), 3600_000);
 */
export async function pruneHistory(
  db: SqliteDatabase,
  olderThanMs: number,
  options: PruneOptions = {},
): Promise<PruneResult> {
  const batchSize = options.batchSize ?? 1000;
  const result: PruneResult = { activity: 0, deliveries: 0 };
  for (const [name, table] of Object.entries(TABLES) as [keyof PruneResult, string][]) {
    const batchEnd = db
      .prepare(`SELECT MAX(id) FROM (SELECT id FROM ${table} WHERE id > ? ORDER BY id LIMIT ?)`)
      .pluck();
    const remove = db.prepare(`DELETE FROM ${table} WHERE id > ? AND id <= ? AND at < ?`);
    let after = 0;
    for (;;) {
      const batch = db.transaction(() => {
        const last = batchEnd.get(after, batchSize) as number | null;
        return last === null
          ? undefined
          : { last, deleted: remove.run(after, last, olderThanMs).changes };
      })();
      if (!batch) break;
      result[name] += batch.deleted;
      after = batch.last;
      if (batch.deleted === 0) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return result;
}
