/**
 * Storage classes and restores of stored versions, wherever the version lives (the current
 * object in `objects`, a noncurrent one in `object_versions`). A version is named by its
 * `sequence`, which no other write in the data directory shares. The storage engine calls
 * these inside its own transactions.
 */
import type { SqliteDatabase } from './database.js';
import {
  OBJECT_COLUMNS_WITHOUT_DATA,
  objectFromRow,
  restoreDueAt,
  type ObjectRow,
} from './rows.js';
import type { ObjectRecord, RestoreState, StorageClass } from './types.js';

export class ArchiveRows {
  private readonly statements;

  constructor(db: SqliteDatabase) {
    const update = (table: string) =>
      db.prepare(
        `UPDATE ${table} SET storage_class = ?, restore = ?, restore_due_at = ?
         WHERE bucket = ? AND key = ? AND sequence = ?`,
      );
    const due = (table: string, extra: string) =>
      `SELECT ${OBJECT_COLUMNS_WITHOUT_DATA} FROM ${table}
       WHERE restore_due_at IS NOT NULL AND restore_due_at <= @now ${extra}`;
    this.statements = {
      current: db.prepare(
        `SELECT ${OBJECT_COLUMNS_WITHOUT_DATA} FROM objects WHERE bucket = ? AND key = ? AND sequence = ?`,
      ),
      noncurrent: db.prepare(
        `SELECT ${OBJECT_COLUMNS_WITHOUT_DATA} FROM object_versions
         WHERE bucket = ? AND key = ? AND sequence = ? AND is_delete_marker = 0`,
      ),
      updateCurrent: update('objects'),
      updateNoncurrent: update('object_versions'),
      due: db.prepare(
        `SELECT * FROM (${due('objects', '')} UNION ALL ${due('object_versions', 'AND is_delete_marker = 0')})
         ORDER BY restore_due_at LIMIT @limit`,
      ),
      nextDue: db
        .prepare(
          `SELECT min(at) FROM (
             SELECT min(restore_due_at) AS at FROM objects WHERE restore_due_at IS NOT NULL
             UNION ALL
             SELECT min(restore_due_at) FROM object_versions WHERE restore_due_at IS NOT NULL)`,
        )
        .pluck(),
    };
  }

  /** The version written by change `sequence` of `key`, as it is now (without inline bytes). */
  find(bucket: string, key: string, sequence: number): ObjectRecord | undefined {
    const row = (this.statements.current.get(bucket, key, sequence) ??
      this.statements.noncurrent.get(bucket, key, sequence)) as ObjectRow | undefined;
    return row && objectFromRow(row);
  }

  /** Stores a version's storage class and restore state; false when the version is gone. */
  update(
    object: Pick<ObjectRecord, 'bucket' | 'key' | 'sequence'>,
    storageClass: StorageClass | undefined,
    restore: RestoreState | undefined,
  ): boolean {
    const values = [
      storageClass === undefined || storageClass === 'STANDARD' ? null : storageClass,
      restore ? JSON.stringify(restore) : null,
      restoreDueAt(restore),
      object.bucket,
      object.key,
      object.sequence,
    ];
    return (
      this.statements.updateCurrent.run(...values).changes === 1 ||
      this.statements.updateNoncurrent.run(...values).changes === 1
    );
  }

  /** Versions whose restore completes or expires at or before `now`, soonest first. */
  due(now: number, limit: number): ObjectRecord[] {
    return (this.statements.due.all({ now, limit }) as ObjectRow[]).map(objectFromRow);
  }

  /** The earliest time a restore changes state, or undefined when none is pending. */
  nextDue(): number | undefined {
    return (this.statements.nextDue.get() as number | null) ?? undefined;
  }
}
