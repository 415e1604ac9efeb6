/**
 * Storage classes and restores of stored versions, wherever the version lives (the current
 * object in `objects`, a noncurrent one in `object_versions`). A version is named by its
 * `sequence`, which no other write in the data directory shares. `ArchiveChanges` are the
 * operations (the engine exposes them as `engine.archived`); `ArchiveRows` their SQL.
 */
import { isArchiveClass, restoreDelay, restoreExpiry, type ArchiveSettings } from './archive.js';
import type { SqliteDatabase } from './database.js';
import {
  OBJECT_COLUMNS_WITHOUT_DATA,
  objectFromRow,
  restoreDueAt,
  type ObjectRow,
} from './rows.js';
import {
  StorageError,
  type ChangeContext,
  type ObjectChange,
  type ObjectRecord,
  type RestoreState,
  type RestoreTier,
  type StorageClass,
} from './types.js';

/**
 * What the archive operations need of the storage engine: its group commit, its reads, its
 * change hooks and its settings.
 */
export interface ArchiveHost {
  readonly archive: ArchiveSettings;
  grouped<T>(fn: () => T): Promise<T>;
  headObject(bucket: string, key: string, versionId?: string): ObjectRecord;
  emit(change: ObjectChange, context: ChangeContext): void;
}

/**
 * RestoreObject, and the changes the scheduler makes to archived versions: restores that
 * complete and expire, lifecycle transitions. Each is one engine transaction that emits its
 * change, so its events commit with it.
 */
export class ArchiveChanges {
  constructor(
    private readonly host: ArchiveHost,
    private readonly rows: ArchiveRows,
  ) {}

  /**
   * RestoreObject on the current object or the version named: starts a restore that
   * completes after the tier's delay, or, when the version's copy is already restored, moves
   * the copy's expiry to `days` from `now` (S3 answers these 202 and 200).
   *
   * @throws StorageError `InvalidObjectState` (the class needs no restore),
   *   `RestoreAlreadyInProgress`, `InvalidArgument` (a tier the class lacks), and
   *   `headObject`'s errors.
   */
  restoreObject(
    bucket: string,
    key: string,
    versionId: string | undefined,
    request: { days: number; tier: RestoreTier },
    context: ChangeContext,
    now = Date.now(),
  ): Promise<'started' | 'extended'> {
    return this.host.grouped(() => {
      const object = this.host.headObject(bucket, key, versionId);
      const { storageClass } = object;
      if (!isArchiveClass(storageClass))
        throw new StorageError(
          'InvalidObjectState',
          "Restore is not allowed for the object's current storage class",
        );
      if (object.restore?.ongoing) throw new StorageError('RestoreAlreadyInProgress');
      if (object.restore && object.restore.expiresAt > now) {
        const expiresAt = restoreExpiry(now, request.days, this.host.archive.dayMs);
        this.rows.update(object, storageClass, { ongoing: false, expiresAt });
        return 'extended';
      }
      const delay = restoreDelay(this.host.archive, storageClass, request.tier);
      if (delay === undefined)
        throw new StorageError(
          'InvalidArgument',
          `The ${request.tier} tier is not available for the ${storageClass} storage class`,
        );
      const restore: RestoreState = {
        ongoing: true,
        tier: request.tier,
        days: request.days,
        readyAt: now + delay,
      };
      this.rows.update(object, storageClass, restore);
      this.host.emit({ kind: 'restore-initiated', object: { ...object, restore } }, context);
      return 'started';
    });
  }

  /** Versions whose restore completes or whose copy expires by `now`, soonest first. */
  dueRestores(now: number, limit = 100): ObjectRecord[] {
    return this.rows.due(now, limit);
  }

  /** When the next restore completes or expires (epoch ms), or undefined when none will. */
  nextRestoreChange(): number | undefined {
    return this.rows.nextDue();
  }

  /**
   * Completes the restore of `due` (a `dueRestores` result) when it is due, counting the
   * copy's days from when it was due (not from when this runs: a restart changes nothing),
   * or ends its expired copy. Emits ObjectRestore:Completed or :Delete. Returns false when
   * the version changed meanwhile and nothing was due.
   */
  advanceRestore(due: ObjectRecord, now: number, context: ChangeContext): Promise<boolean> {
    return this.host.grouped(() => {
      const object = this.rows.find(due.bucket, due.key, due.sequence);
      const restore = object?.restore;
      if (!object || !restore) return false;
      if (restore.ongoing) {
        if (!isArchiveClass(object.storageClass)) {
          // Cannot happen (a class change clears the restore), but must not stay due forever.
          this.rows.update(object, object.storageClass, undefined);
          return false;
        }
        if (restore.readyAt > now) return false;
        const restored: RestoreState = {
          ongoing: false,
          expiresAt: restoreExpiry(restore.readyAt, restore.days, this.host.archive.dayMs),
        };
        this.rows.update(object, object.storageClass, restored);
        this.host.emit(
          {
            kind: 'restore-completed',
            object: { ...object, restore: restored },
            restoredFrom: object.storageClass,
          },
          context,
        );
        return true;
      }
      if (restore.expiresAt > now) return false;
      this.rows.update(object, object.storageClass, undefined);
      const expired = { ...object };
      delete expired.restore;
      this.host.emit({ kind: 'restore-expired', object: expired }, context);
      return true;
    });
  }

  /**
   * Moves a version to another storage class (a lifecycle transition), emitting
   * LifecycleTransition. Returns false when the version is gone or already there.
   */
  transitionVersion(
    version: Pick<ObjectRecord, 'bucket' | 'key' | 'sequence'>,
    storageClass: StorageClass,
    context: ChangeContext,
  ): Promise<boolean> {
    return this.host.grouped(() => {
      const object = this.rows.find(version.bucket, version.key, version.sequence);
      const from = object?.storageClass ?? 'STANDARD';
      if (!object || from === storageClass) return false;
      this.rows.update(object, storageClass, undefined);
      const moved: ObjectRecord = { ...object, storageClass };
      delete moved.restore;
      this.host.emit({ kind: 'transitioned', object: moved, from }, context);
      return true;
    });
  }
}

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
