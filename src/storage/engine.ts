import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BlobStore, isEncryptedBlob } from './blobs.js';
import { SseKey } from './sse.js';
import { openDatabase, type SqliteDatabase } from './database.js';
import { GroupCommit } from './group-commit.js';
import { WalFile } from './wal-file.js';
import {
  NULL_VERSION,
  VersionTable,
  listVersions,
  newVersionId,
  requireVersionId,
  versionIdOf,
  type ListVersionsQuery,
  type ListVersionsResult,
} from './versions.js';
import { listEntries } from './listing.js';
import { DEFAULT_ARCHIVE_SETTINGS, type ArchiveSettings } from './archive.js';
import { ArchiveChanges, ArchiveRows } from './restores.js';
import { objectFromRow, rowFromObject, type ObjectRow } from './rows.js';
import { SpaceReserve, type SpaceLog, type WriteKind } from './space-reserve.js';
import {
  StorageError,
  type BlobWrite,
  type BucketInfo,
  type ChangeContext,
  type ChangeHook,
  type DeleteOutcome,
  type ListEntriesQuery,
  type ListEntriesResult,
  type ObjectAttributes,
  type ObjectChange,
  type ObjectRecord,
  type ObjectVersion,
  type OpenedObject,
  type Tag,
  type VersioningStatus,
} from './types.js';

/**
 * Objects up to this size live inside their metadata row: one WAL fsync instead of a file
 * create plus two fsyncs, and a GET is a single row read (MinIO inlines small objects too).
 */
export const INLINE_LIMIT = 64 * 1024;

export interface StorageEngineOptions {
  dataDir: string;
  /** fsync blobs and the SQLite WAL before acknowledging a write. Default true. */
  fsync?: boolean;
  /** Space kept back so deletes run on a full disk (`SpaceReserve`). Default 8 MiB. */
  reserveBytes?: number;
  /** Where running out of space, and recovering, is reported. */
  log?: SpaceLog;
  /** Restore delays and the length of a day (src/storage/archive.ts). */
  archive?: ArchiveSettings;
}

/** How a lifecycle rule deletes: its own events, and only the version it judged. */
export interface LifecycleDelete {
  /** Emit LifecycleExpiration:* instead of ObjectRemoved:*. */
  byLifecycle?: boolean;
  /**
   * Delete only if the version (the current object, or the one named) is still the one
   * written by this change; otherwise do nothing and report `skipped`.
   */
  onlySequence?: number;
}

/** Conditions checked inside the commit transaction, against the object as it is then. */
export interface WriteConditions {
  /** `If-None-Match: *`: fail if the key exists. */
  ifNoneMatchAny?: boolean;
  /** `If-Match: <etag>`: fail unless the current object has this ETag. */
  ifMatch?: string;
}

/**
 * The embedded storage engine: buckets and objects whose metadata lives in SQLite (WAL) and
 * whose bytes live in the blob store. Every change is one SQLite transaction; change hooks
 * run inside it, so whatever they write (the event outbox) commits or rolls back with it.
 * Bytes are written and fsynced before that transaction; the blobs a change replaces are
 * removed only after it commits, and blobs no row points to are removed at start-up.
 */
export class StorageEngine {
  private readonly hooks: ChangeHook[] = [];
  private readonly group: GroupCommit;
  private readonly statements;
  /** Noncurrent versions and delete markers (versioning). */
  readonly versions: VersionTable;
  private readonly archiveChanges: ArchiveChanges;
  /** Restore delays and the length of a day. */
  archive: ArchiveSettings = DEFAULT_ARCHIVE_SETTINGS;

  private constructor(
    readonly db: SqliteDatabase,
    readonly blobs: BlobStore,
    readonly space: SpaceReserve,
    private readonly wal: WalFile | undefined,
    private readonly sse: SseKey,
  ) {
    this.group = new GroupCommit(db, wal);
    this.versions = new VersionTable(db);
    this.archiveChanges = new ArchiveChanges(this, new ArchiveRows(db));
    this.statements = {
      getObject: db.prepare('SELECT * FROM objects WHERE bucket = ? AND key = ?'),
      upsertObject: db.prepare(
        `INSERT INTO objects (bucket, key, size, etag, last_modified, system_metadata, user_metadata, tags,
           checksum_algorithm, checksum_value, parts_count, segments, inline_data, sequence, version_id, sse,
           storage_class, restore, restore_due_at)
         VALUES (@bucket, @key, @size, @etag, @last_modified, @system_metadata, @user_metadata, @tags,
           @checksum_algorithm, @checksum_value, @parts_count, @segments, @inline_data, @sequence, @version_id, @sse,
           @storage_class, @restore, @restore_due_at)
         ON CONFLICT (bucket, key) DO UPDATE SET size = excluded.size, etag = excluded.etag,
           last_modified = excluded.last_modified, system_metadata = excluded.system_metadata,
           user_metadata = excluded.user_metadata, tags = excluded.tags,
           checksum_algorithm = excluded.checksum_algorithm, checksum_value = excluded.checksum_value,
           parts_count = excluded.parts_count, segments = excluded.segments, inline_data = excluded.inline_data,
           sequence = excluded.sequence, version_id = excluded.version_id, sse = excluded.sse,
           storage_class = excluded.storage_class, restore = excluded.restore,
           restore_due_at = excluded.restore_due_at`,
      ),
      deleteObject: db.prepare('DELETE FROM objects WHERE bucket = ? AND key = ?'),
      setTags: db.prepare('UPDATE objects SET tags = ? WHERE bucket = ? AND key = ?'),
      getBucket: db.prepare('SELECT name, region, created_at FROM buckets WHERE name = ?'),
      getVersioning: db.prepare('SELECT versioning FROM buckets WHERE name = ?').pluck(),
      setVersioning: db.prepare('UPDATE buckets SET versioning = ? WHERE name = ?'),
      getCors: db.prepare('SELECT cors_configuration FROM buckets WHERE name = ?').pluck(),
      setCors: db.prepare('UPDATE buckets SET cors_configuration = ? WHERE name = ?'),
      getPolicy: db.prepare('SELECT policy FROM buckets WHERE name = ?').pluck(),
      setPolicy: db.prepare('UPDATE buckets SET policy = ? WHERE name = ?'),
      getLifecycle: db
        .prepare('SELECT lifecycle_configuration FROM buckets WHERE name = ?')
        .pluck(),
      setLifecycle: db.prepare('UPDATE buckets SET lifecycle_configuration = ? WHERE name = ?'),
      allLifecycles: db.prepare(
        `SELECT name AS bucket, lifecycle_configuration AS json FROM buckets
         WHERE lifecycle_configuration IS NOT NULL`,
      ),
      nextSequence: db.prepare(
        "UPDATE counters SET value = value + 1 WHERE name = 'sequence' RETURNING value",
      ),
    };
  }

  /**
   * Opens the data directory, applies migrations and removes orphan blobs left by a crash.
   * Refuses with `InsufficientSpaceError` when its filesystem is too full to start.
   */
  static async open(options: StorageEngineOptions): Promise<StorageEngine> {
    const fsync = options.fsync ?? true;
    const space = SpaceReserve.check(options.dataDir, {
      fsync,
      ...(options.reserveBytes === undefined ? {} : { bytes: options.reserveBytes }),
      ...(options.log ? { log: options.log } : {}),
    });
    let db: SqliteDatabase | undefined;
    try {
      const file = join(options.dataDir, 'vigil.db');
      db = openDatabase(file, { synchronous: fsync ? 'full' : 'normal' });
      space.ensure(); // once the database is known to be this Vigil's
      const sse = await loadSseKey(db, options.dataDir);
      const blobs = new BlobStore(join(options.dataDir, 'blobs'), { fsync, sse });
      await blobs.init();
      const engine = new StorageEngine(
        db,
        blobs,
        space,
        fsync ? new WalFile(file) : undefined,
        sse,
      );
      if (options.archive) engine.archive = options.archive;
      await engine.collectOrphanBlobs();
      return engine;
    } catch (error) {
      db?.close();
      throw space.startFailure(error);
    }
  }

  /** Registers a hook that runs inside every change's transaction. */
  onChange(hook: ChangeHook): void {
    this.hooks.push(hook);
  }

  close(): void {
    this.db.close();
    this.wal?.close();
  }

  /**
   * Runs `fn` in a transaction now (hooks it triggers run inside it). Unless it `reclaims`
   * space, it is refused while the disk is full (see `SpaceReserve.guard`).
   */
  transaction<T>(fn: () => T, options: { reclaims?: boolean } = {}): T {
    if (this.db.inTransaction) return this.db.transaction(fn)();
    return this.space.guard(options.reclaims ? 'reclaims' : 'adds', () =>
      this.db.transaction(fn)(),
    );
  }

  /**
   * Runs `fn` in a transaction shared with the other writes of this turn (group commit),
   * resolved once committed — durably, unless `durable: false` (see GroupCommit.run). While
   * the disk is full only deletes (`reclaims`) and non-durable bookkeeping are admitted.
   */
  grouped<T>(fn: () => T, options: { durable?: boolean; reclaims?: boolean } = {}): Promise<T> {
    const kind: WriteKind = options.reclaims
      ? 'reclaims'
      : options.durable === false
        ? 'bookkeeping'
        : 'adds';
    return this.space.guardAsync(kind, () => this.group.run(fn, options));
  }

  /**
   * Group commits made so far; read inside a `grouped` job, those before the job's own.
   * With `durableThrough`, for readers that hand what they read to the outside world: a
   * group commit is visible to this process a moment before its WAL is fsynced (ADR 17).
   */
  get committed(): number {
    return this.group.committed;
  }

  /** Resolves once group commit number `commit` is on disk (at once with fsync off). */
  durableThrough(commit: number): Promise<void> {
    return this.group.durableThrough(commit);
  }

  /** fdatasyncs of vigil.db's WAL made so far (the `vigil_wal_fsyncs_total` metric). */
  get walSyncs(): number {
    return this.wal?.syncs ?? 0;
  }

  /** `grouped` for a write that frees space (a delete): it runs on a full disk too. */
  reclaiming<T>(fn: () => T): Promise<T> {
    return this.grouped(fn, { reclaims: true });
  }

  /** `transaction` for a write that frees space (a delete): it runs on a full disk too. */
  reclaimingNow<T>(fn: () => T): T {
    return this.transaction(fn, { reclaims: true });
  }

  nextSequence(): number {
    return (this.statements.nextSequence.get() as { value: number }).value;
  }

  emit(change: ObjectChange, context: ChangeContext): void {
    for (const hook of this.hooks) hook(change, context);
  }

  // ---- buckets -------------------------------------------------------------------------

  createBucket(name: string, region: string): { created: boolean } {
    const result = this.transaction(() =>
      this.db
        .prepare(
          'INSERT INTO buckets (name, region, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
        )
        .run(name, region, Date.now()),
    );
    return { created: result.changes === 1 };
  }

  getBucket(name: string): BucketInfo | undefined {
    const row = this.statements.getBucket.get(name) as
      { name: string; region: string; created_at: number } | undefined;
    return row && { name: row.name, region: row.region, createdAt: new Date(row.created_at) };
  }

  requireBucket(name: string): BucketInfo {
    const bucket = this.getBucket(name);
    if (!bucket) throw new StorageError('NoSuchBucket');
    return bucket;
  }

  listBuckets(): BucketInfo[] {
    const rows = this.db
      .prepare('SELECT name, region, created_at FROM buckets ORDER BY name')
      .all() as {
      name: string;
      region: string;
      created_at: number;
    }[];
    return rows.map((r) => ({ name: r.name, region: r.region, createdAt: new Date(r.created_at) }));
  }

  /** The bucket's versioning state; undefined while it was never set. */
  getBucketVersioning(bucket: string): VersioningStatus | undefined {
    this.requireBucket(bucket);
    return (this.statements.getVersioning.get(bucket) as VersioningStatus | null) ?? undefined;
  }

  /** PutBucketVersioning: Enabled or Suspended (a bucket never goes back to unversioned). */
  putBucketVersioning(bucket: string, status: VersioningStatus): void {
    this.transaction(() => {
      this.requireBucket(bucket);
      this.statements.setVersioning.run(status, bucket);
    });
  }

  /** The bucket's lifecycle configuration (JSON text), or undefined when none is set. */
  getLifecycleConfiguration(bucket: string): string | undefined {
    this.requireBucket(bucket);
    return (this.statements.getLifecycle.get(bucket) as string | null) ?? undefined;
  }

  /** Sets (or, with undefined, deletes) the bucket's lifecycle configuration. */
  putLifecycleConfiguration(bucket: string, json: string | undefined): void {
    this.transaction(() => {
      this.requireBucket(bucket);
      this.statements.setLifecycle.run(json ?? null, bucket);
    });
  }

  /** The buckets that have a lifecycle configuration, with it (JSON text). */
  lifecycleConfigurations(): { bucket: string; json: string }[] {
    return this.statements.allLifecycles.all() as { bucket: string; json: string }[];
  }

  /** The bucket's CORS configuration (JSON text), or undefined when none is set. */
  getCorsConfiguration(bucket: string): string | undefined {
    this.requireBucket(bucket);
    return (this.statements.getCors.get(bucket) as string | null) ?? undefined;
  }

  /** Sets (or, with undefined, deletes) the bucket's CORS configuration. */
  putCorsConfiguration(bucket: string, json: string | undefined): void {
    this.transaction(() => {
      this.requireBucket(bucket);
      this.statements.setCors.run(json ?? null, bucket);
    });
  }

  /** The bucket's policy (JSON text as stored), or undefined when none is set. */
  getBucketPolicy(bucket: string): string | undefined {
    this.requireBucket(bucket);
    return (this.statements.getPolicy.get(bucket) as string | null) ?? undefined;
  }

  /** The bucket's policy, or undefined when it has none or does not exist (one read, no throw). */
  findBucketPolicy(bucket: string): string | undefined {
    return (this.statements.getPolicy.get(bucket) as string | null | undefined) ?? undefined;
  }

  /** Sets (or, with undefined, deletes) the bucket's policy. */
  putBucketPolicy(bucket: string, json: string | undefined): void {
    this.transaction(() => {
      this.requireBucket(bucket);
      this.statements.setPolicy.run(json ?? null, bucket);
    });
  }

  /** Seals a secret for a database column (see `SseKey.sealSecret`). */
  sealSecret(plain: string, context: string): Buffer {
    return this.sse.sealSecret(plain, context);
  }

  openSecret(sealed: Buffer, context: string): string {
    return this.sse.openSecret(sealed, context);
  }

  /** Deletes an empty bucket; its unfinished multipart uploads are aborted with it. */
  async deleteBucket(name: string): Promise<void> {
    const partBlobs = this.reclaimingNow(() => {
      this.requireBucket(name);
      if (
        this.db.prepare('SELECT 1 FROM objects WHERE bucket = ? LIMIT 1').get(name) ||
        this.versions.hasAny(name)
      ) {
        throw new StorageError('BucketNotEmpty');
      }
      const blobs = this.db
        .prepare(
          'SELECT p.blob_id FROM multipart_parts p JOIN multipart_uploads u USING (upload_id) WHERE u.bucket = ?',
        )
        .pluck()
        .all(name) as string[];
      this.db.prepare('DELETE FROM multipart_uploads WHERE bucket = ?').run(name);
      this.db.prepare('DELETE FROM buckets WHERE name = ?').run(name);
      return blobs;
    });
    await this.blobs.remove(partBlobs);
    this.space.restore();
  }

  /** The bucket's notification configuration (JSON text), or undefined when none is set. */
  getNotificationConfiguration(bucket: string): string | undefined {
    this.requireBucket(bucket);
    const row = this.db
      .prepare('SELECT notification_configuration FROM buckets WHERE name = ?')
      .pluck()
      .get(bucket) as string | null;
    return row ?? undefined;
  }

  putNotificationConfiguration(bucket: string, json: string | undefined): void {
    this.transaction(() => {
      this.requireBucket(bucket);
      this.db
        .prepare('UPDATE buckets SET notification_configuration = ? WHERE name = ?')
        .run(json ?? null, bucket);
    });
  }

  // ---- objects -------------------------------------------------------------------------

  findObject(bucket: string, key: string): ObjectRecord | undefined {
    const row = this.statements.getObject.get(bucket, key) as ObjectRow | undefined;
    return row && objectFromRow(row);
  }

  /**
   * One version of a key by id (`null` included): the current object or a noncurrent
   * version or delete marker; undefined when the key has no such version.
   *
   * @throws StorageError `InvalidVersionId` for an id that cannot be one.
   */
  findVersion(bucket: string, key: string, versionId: string): ObjectVersion | undefined {
    requireVersionId(versionId);
    const current = this.findObject(bucket, key);
    if (current && (current.versionId ?? NULL_VERSION) === versionId)
      return { kind: 'object', object: current, isLatest: true };
    const version = this.versions.find(bucket, key, versionId);
    const newest = version && !current ? this.versions.newest(bucket, key) : undefined;
    if (version && newest && versionIdOf(newest) === versionId)
      return { ...version, isLatest: true };
    return version;
  }

  /**
   * The current object of a key, or the version named (GetObject / HeadObject with
   * `versionId`).
   *
   * @throws StorageError `NoSuchKey` (with the delete marker, when the key's current version
   *   is one), `NoSuchVersion`, `MethodNotAllowed` for a version that is a delete marker,
   *   `InvalidVersionId`, `NoSuchBucket`.
   */
  headObject(bucket: string, key: string, versionId?: string): ObjectRecord {
    if (versionId !== undefined) {
      const version = this.findVersion(bucket, key, versionId);
      if (version?.kind === 'object') return version.object;
      this.requireBucket(bucket);
      if (version) throw new StorageError('MethodNotAllowed', 'GET', { versionId });
      throw new StorageError('NoSuchVersion');
    }
    const object = this.findObject(bucket, key);
    if (object) return object;
    this.requireBucket(bucket);
    const newest = this.versions.newest(bucket, key);
    throw new StorageError(
      'NoSuchKey',
      undefined,
      newest?.kind === 'delete-marker' ? { versionId: newest.versionId } : undefined,
    );
  }

  /**
   * Opens an object (or the version named) for reading. The returned handle keeps reading
   * the version it opened even if the key is overwritten or deleted meanwhile.
   */
  async openObject(bucket: string, key: string, versionId?: string): Promise<OpenedObject> {
    for (let attempt = 0; ; attempt++) {
      const object = this.headObject(bucket, key, versionId);
      if (object.inline) {
        const data = object.sse ? this.sse.openInline(object.inline) : object.inline;
        return {
          object: { ...object, inline: data },
          stream: (start, end) => Readable.from([data.subarray(start, end + 1)]),
          close: () => undefined,
        };
      }
      try {
        const opened = await this.blobs.open(object.segments);
        return {
          object,
          stream: (start, end) => opened.stream(start, end),
          close: () => void opened.close(),
        };
      } catch (error) {
        // The object was replaced between reading its row and opening its blobs: read again.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5) throw error;
      }
    }
  }

  /**
   * Streams bytes into a new blob (not yet visible); bodies up to `INLINE_LIMIT` stay in
   * memory, to be stored in the object's row. Fails fast when the bucket is missing.
   */
  async writeBlob(bucket: string, body: Readable | AsyncIterable<Buffer>): Promise<BlobWrite> {
    this.requireBucket(bucket);
    return this.writeBytes(body, { inlineLimit: INLINE_LIMIT });
  }

  /** `BlobStore.write`, refused while the disk is full (see `SpaceReserve.guard`). */
  writeBytes(
    body: Readable | AsyncIterable<Buffer>,
    options: { inlineLimit?: number } = {},
  ): Promise<BlobWrite> {
    return this.space.guardAsync('adds', () => this.blobs.write(body, options));
  }

  /**
   * Makes a written blob the current object of `key` in one transaction. If the commit fails
   * the blob is removed; once it succeeds, the replaced object's blobs are removed.
   */
  async commitObject(
    bucket: string,
    key: string,
    blob: BlobWrite,
    attributes: ObjectAttributes,
    via: 'put' | 'copy' | 'post',
    context: ChangeContext,
    conditions: WriteConditions = {},
  ): Promise<ObjectRecord> {
    return this.commitWith(blob.blobId ? [blob.blobId] : [], () =>
      this.grouped(() =>
        this.replaceObject(
          {
            bucket,
            key,
            size: blob.size,
            etag: blob.md5Hex,
            ...(blob.blobId
              ? { segments: [{ blobId: blob.blobId, size: blob.size }] }
              : { segments: [], inline: this.sse.sealInline(blob.inline ?? Buffer.alloc(0)) }),
            ...(blob.blobId === undefined || isEncryptedBlob(blob.blobId)
              ? { sse: 'AES256' as const }
              : {}),
            ...attributes,
          },
          via,
          context,
          conditions,
        ),
      ),
    );
  }

  /**
   * Runs a commit that makes `newBlobs` reachable. When it throws, those blobs are removed;
   * when it succeeds, the blobs it reports as replaced are removed.
   */
  async commitWith<T>(
    newBlobs: string[],
    commit: () =>
      Promise<{ result: T; replacedBlobs: string[] }> | { result: T; replacedBlobs: string[] },
  ): Promise<T> {
    let outcome: { result: T; replacedBlobs: string[] };
    try {
      outcome = await commit();
    } catch (error) {
      await this.blobs.remove(newBlobs);
      throw error;
    }
    await this.blobs.remove(outcome.replacedBlobs);
    return outcome.result;
  }

  /** Inside a transaction: writes the new current object and notifies hooks. */
  replaceObject(
    fields: Omit<ObjectRecord, 'lastModified' | 'sequence'>,
    via: 'put' | 'copy' | 'post' | 'complete-multipart',
    context: ChangeContext,
    conditions: WriteConditions = {},
  ): { result: ObjectRecord; replacedBlobs: string[] } {
    return this.transaction(() => {
      const { bucket, key } = fields;
      const status = this.getBucketVersioning(bucket);
      const previous = this.findObject(bucket, key);
      if (conditions.ifNoneMatchAny && previous) throw new StorageError('PreconditionFailed');
      if (conditions.ifMatch !== undefined && (!previous || previous.etag !== conditions.ifMatch)) {
        throw previous ? new StorageError('PreconditionFailed') : new StorageError('NoSuchKey');
      }
      const object: ObjectRecord = {
        ...fields,
        lastModified: new Date(),
        sequence: this.nextSequence(),
        ...(status === 'Enabled' ? { versionId: newVersionId() } : {}),
      };
      if (object.versionId === undefined) delete object.versionId;
      // Versioned, the object it replaces stays as a noncurrent version, unless both are the
      // `null` version (a suspended bucket overwrites its null version, as S3 does).
      const kept = status !== undefined && (object.versionId ?? previous?.versionId) !== undefined;
      if (previous && kept) this.versions.keepNoncurrent(previous);
      const dropped =
        status === 'Suspended' ? this.versions.remove(bucket, key, NULL_VERSION) : undefined;
      this.statements.upsertObject.run(rowFromObject(object));
      this.emit(
        previous ? { kind: 'created', via, object, previous } : { kind: 'created', via, object },
        context,
      );
      const inUse = new Set(object.segments.map((s) => s.blobId));
      const replacedBlobs = [
        ...(previous && !kept ? previous.segments : []),
        ...(dropped?.kind === 'object' ? dropped.object.segments : []),
      ]
        .map((s) => s.blobId)
        .filter((id) => !inUse.has(id));
      return { result: object, replacedBlobs };
    });
  }

  /**
   * Deletes a key, or one version of it (`versionId`). Deleting a missing key succeeds (as
   * S3 does) and still notifies hooks. In a versioned bucket, a delete without `versionId`
   * adds a delete marker and keeps the object as a noncurrent version (a suspended bucket's
   * `null` version goes for good); deleting the current version makes the next newest one
   * current. It runs on a full disk too, so space can be reclaimed through the API.
   */
  async deleteObject(
    bucket: string,
    key: string,
    context: ChangeContext,
    versionId?: string,
    options: LifecycleDelete = {},
  ): Promise<DeleteOutcome> {
    const { outcome, blobs } = await this.reclaiming(() => {
      if (
        options.onlySequence !== undefined &&
        this.sequenceOf(bucket, key, versionId) !== options.onlySequence
      )
        return { outcome: { existed: false, skipped: true }, blobs: [] };
      const byLifecycle = options.byLifecycle === true;
      return versionId === undefined
        ? this.deleteCurrent(bucket, key, context, byLifecycle)
        : this.deleteVersion(bucket, key, requireVersionId(versionId), context, byLifecycle);
    });
    await this.blobs.remove(blobs);
    this.space.restore();
    return outcome;
  }

  /** The write sequence of the current object, or of the version (or marker) named. */
  private sequenceOf(bucket: string, key: string, versionId?: string): number | undefined {
    if (versionId === undefined) return this.findObject(bucket, key)?.sequence;
    const version = this.findVersion(bucket, key, versionId);
    if (version === undefined) return undefined;
    return version.kind === 'object' ? version.object.sequence : version.sequence;
  }

  private deleteCurrent(
    bucket: string,
    key: string,
    context: ChangeContext,
    byLifecycle: boolean,
  ): { outcome: DeleteOutcome; blobs: string[] } {
    const status = this.getBucketVersioning(bucket);
    const previous = this.findObject(bucket, key);
    const sequence = this.nextSequence();
    if (status === undefined) {
      if (previous) this.statements.deleteObject.run(bucket, key);
      const change: ObjectChange = { kind: 'removed', bucket, key, sequence };
      if (previous) change.previous = previous;
      if (byLifecycle) change.byLifecycle = true;
      this.emit(change, context);
      return {
        outcome: { existed: previous !== undefined },
        blobs: previous?.segments.map((s) => s.blobId) ?? [],
      };
    }
    const markerId = status === 'Enabled' ? newVersionId() : NULL_VERSION;
    const blobs: string[] = [];
    if (previous) {
      this.statements.deleteObject.run(bucket, key);
      if (status === 'Enabled' || previous.versionId !== undefined)
        this.versions.keepNoncurrent(previous);
      else blobs.push(...previous.segments.map((s) => s.blobId));
    }
    if (status === 'Suspended') {
      const dropped = this.versions.remove(bucket, key, NULL_VERSION);
      if (dropped?.kind === 'object') blobs.push(...dropped.object.segments.map((s) => s.blobId));
    }
    this.versions.addDeleteMarker(bucket, key, markerId, sequence);
    this.emit(
      {
        kind: 'removed',
        bucket,
        key,
        sequence,
        deleteMarker: { versionId: markerId },
        ...(byLifecycle ? { byLifecycle: true as const } : {}),
      },
      context,
    );
    return {
      outcome: { existed: previous !== undefined, deleteMarker: true, versionId: markerId },
      blobs,
    };
  }

  private deleteVersion(
    bucket: string,
    key: string,
    versionId: string,
    context: ChangeContext,
    byLifecycle: boolean,
  ): { outcome: DeleteOutcome; blobs: string[] } {
    this.requireBucket(bucket);
    const current = this.findObject(bucket, key);
    let removed: ObjectVersion | undefined;
    if (current && (current.versionId ?? NULL_VERSION) === versionId) {
      this.statements.deleteObject.run(bucket, key);
      removed = { kind: 'object', object: current, isLatest: true };
    } else {
      removed = this.versions.remove(bucket, key, versionId);
    }
    // The key's newest remaining version becomes current, unless it is a delete marker.
    if (removed && !this.findObject(bucket, key)) {
      const newest = this.versions.newest(bucket, key);
      if (newest?.kind === 'object') {
        this.versions.remove(bucket, key, newest.object.versionId ?? NULL_VERSION);
        this.statements.upsertObject.run(rowFromObject(newest.object));
      }
    }
    const change: ObjectChange = {
      kind: 'removed',
      bucket,
      key,
      sequence: this.nextSequence(),
      versionId,
    };
    if (removed?.kind === 'object') change.previous = removed.object;
    if (byLifecycle) change.byLifecycle = true;
    this.emit(change, context);
    return {
      outcome: {
        existed: removed !== undefined,
        versionId,
        ...(removed?.kind === 'delete-marker' ? { deleteMarker: true } : {}),
      },
      blobs: removed?.kind === 'object' ? removed.object.segments.map((s) => s.blobId) : [],
    };
  }

  /** PutObjectTagging: replaces the tag set of the current object, or of the version named. */
  putTags(
    bucket: string,
    key: string,
    tags: Tag[],
    context: ChangeContext,
    versionId?: string,
  ): Promise<ObjectRecord> {
    return this.grouped(() =>
      this.changeTagsNow(bucket, key, tags, 'tagging-put', context, versionId),
    );
  }

  deleteTags(
    bucket: string,
    key: string,
    context: ChangeContext,
    versionId?: string,
  ): Promise<ObjectRecord> {
    return this.grouped(() =>
      this.changeTagsNow(bucket, key, [], 'tagging-deleted', context, versionId),
    );
  }

  /**
   * PutObjectTagging inside the caller's transaction (a `grouped` job), for a caller that
   * commits the tags together with writes of its own (the moderation pipeline's outcome
   * journal, ADR 19). Emits the tagging event like `putTags`.
   *
   * @throws StorageError `NoSuchBucket` / `NoSuchKey` / `NoSuchVersion`.
   */
  putTagsNow(
    bucket: string,
    key: string,
    tags: Tag[],
    context: ChangeContext,
    versionId?: string,
  ): ObjectRecord {
    return this.changeTagsNow(bucket, key, tags, 'tagging-put', context, versionId);
  }

  private changeTagsNow(
    bucket: string,
    key: string,
    tags: Tag[],
    kind: 'tagging-put' | 'tagging-deleted',
    context: ChangeContext,
    versionId?: string,
  ): ObjectRecord {
    const current = this.headObject(bucket, key, versionId);
    // The sequence stays the write's: tags are not a new write (S3 gives tagging events no
    // sequencer), and the moderation pipeline tells writes of equal bytes apart by it.
    const object = { ...current, tags };
    const json = JSON.stringify(tags);
    const noncurrent = this.findObject(bucket, key)?.sequence !== current.sequence;
    if (noncurrent) this.versions.setTags(bucket, key, current.versionId ?? NULL_VERSION, json);
    else this.statements.setTags.run(json, bucket, key);
    this.emit({ kind, object }, context);
    return object;
  }

  // ---- storage classes and restores ------------------------------------------------------

  /** RestoreObject, restores that come due, lifecycle transitions (restores.ts). */
  get archived(): ArchiveChanges {
    return this.archiveChanges;
  }

  /** ListObjectVersions (see `listVersions`). */
  listVersions(bucket: string, query: ListVersionsQuery): ListVersionsResult {
    this.requireBucket(bucket);
    return listVersions(this.db, this.versions, bucket, query);
  }

  listEntries(bucket: string, query: ListEntriesQuery): ListEntriesResult {
    this.requireBucket(bucket);
    return listEntries(this.db, bucket, query);
  }

  /** Removes blobs that no committed object or part points to (left by a crash mid-write). */
  async collectOrphanBlobs(): Promise<number> {
    const referenced = new Set<string>();
    for (const segments of this.db
      .prepare('SELECT segments FROM objects')
      .pluck()
      .iterate() as Iterable<string>) {
      for (const s of JSON.parse(segments) as { blobId: string }[]) referenced.add(s.blobId);
    }
    for (const segments of this.versions.allSegments()) {
      for (const s of JSON.parse(segments) as { blobId: string }[]) referenced.add(s.blobId);
    }
    for (const id of this.db
      .prepare('SELECT blob_id FROM multipart_parts')
      .pluck()
      .iterate() as Iterable<string>) {
      referenced.add(id);
    }
    const orphans: string[] = [];
    for await (const id of this.blobs.listAll()) if (!referenced.has(id)) orphans.push(id);
    await this.blobs.remove(orphans);
    return orphans.length;
  }
}

/**
 * The data directory's SSE-S3 key, checked against the value stored with the data it
 * encrypted (stored on first start, before anything is encrypted).
 */
async function loadSseKey(db: SqliteDatabase, dataDir: string): Promise<SseKey> {
  const stored = db
    .prepare("SELECT value FROM settings WHERE name = 'sse-key-check'")
    .pluck()
    .get() as string | undefined;
  const key = await SseKey.load(dataDir, stored);
  if (stored === undefined)
    db.prepare("INSERT INTO settings (name, value) VALUES ('sse-key-check', ?)").run(key.check);
  return key;
}
