/**
 * S3 versioning's bookkeeping: the `object_versions` table (noncurrent versions and delete
 * markers; a key's current object stays in `objects`), version ids, and ListObjectVersions.
 * The storage engine calls these inside its own transactions.
 */
import { randomBytes } from 'node:crypto';
import type { SqliteDatabase } from './database.js';
import { commonPrefixOf, skipPast, type Cursor } from './listing.js';
import {
  OBJECT_COLUMNS_WITHOUT_DATA,
  objectFromRow,
  prefixUpperBound,
  rowFromObject,
  type ObjectRow,
} from './rows.js';
import { StorageError, type ObjectRecord, type ObjectVersion } from './types.js';

/** Keys read per query while listing versions. */
const KEY_BATCH = 100;

/** The id S3 gives versions written while versioning is off or suspended. */
export const NULL_VERSION = 'null';

/**
 * A new version id: 32 characters like S3's, here 128 random bits in hex — URL-safe, and
 * never starting with `-`, which a command line would read as an option.
 */
export function newVersionId(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Checks a `versionId` a request named: `null` or one of ours.
 *
 * @throws StorageError `InvalidVersionId` (S3: 400 InvalidArgument "Invalid version id
 *   specified").
 */
export function requireVersionId(versionId: string): string {
  if (versionId === NULL_VERSION || /^[A-Za-z0-9_-]{32}$/.test(versionId)) return versionId;
  throw new StorageError('InvalidVersionId', versionId);
}

interface VersionRow extends ObjectRow {
  is_delete_marker: 0 | 1;
}

export class VersionTable {
  private readonly statements;

  constructor(private readonly db: SqliteDatabase) {
    this.statements = {
      insert: db.prepare(
        `INSERT INTO object_versions (bucket, key, version_id, sequence, is_delete_marker,
           last_modified, size, etag, system_metadata, user_metadata, tags, checksum_algorithm,
           checksum_value, parts_count, segments, inline_data, sse, storage_class, restore,
           restore_due_at)
         VALUES (@bucket, @key, @version_id, @sequence, @is_delete_marker, @last_modified,
           @size, @etag, @system_metadata, @user_metadata, @tags, @checksum_algorithm,
           @checksum_value, @parts_count, @segments, @inline_data, @sse, @storage_class, @restore,
           @restore_due_at)`,
      ),
      find: db.prepare(
        'SELECT * FROM object_versions WHERE bucket = ? AND key = ? AND version_id = ?',
      ),
      newest: db.prepare(
        'SELECT * FROM object_versions WHERE bucket = ? AND key = ? ORDER BY sequence DESC LIMIT 1',
      ),
      ofKey: db.prepare(
        `SELECT ${OBJECT_COLUMNS_WITHOUT_DATA}, is_delete_marker FROM object_versions
         WHERE bucket = ? AND key = ? ORDER BY sequence DESC`,
      ),
      remove: db.prepare(
        'DELETE FROM object_versions WHERE bucket = ? AND key = ? AND version_id = ?',
      ),
      setTags: db.prepare(
        `UPDATE object_versions SET tags = ?
         WHERE bucket = ? AND key = ? AND version_id = ? AND is_delete_marker = 0`,
      ),
      anyInBucket: db.prepare('SELECT 1 FROM object_versions WHERE bucket = ? LIMIT 1'),
      segments: db.prepare('SELECT segments FROM object_versions WHERE is_delete_marker = 0'),
    };
  }

  /** Keeps an object that stops being current as a noncurrent version. */
  keepNoncurrent(object: ObjectRecord): void {
    this.statements.insert.run({ ...rowFromObject(object), is_delete_marker: 0 });
  }

  addDeleteMarker(bucket: string, key: string, versionId: string, sequence: number): void {
    this.statements.insert.run({
      bucket,
      key,
      version_id: versionId,
      sequence,
      is_delete_marker: 1,
      last_modified: Date.now(),
      size: 0,
      etag: '',
      system_metadata: '{}',
      user_metadata: '{}',
      tags: '[]',
      checksum_algorithm: null,
      checksum_value: null,
      parts_count: null,
      segments: '[]',
      inline_data: null,
      sse: null,
      storage_class: null,
      restore: null,
      restore_due_at: null,
    });
  }

  /** One version of a key from this table (never the current object). */
  find(bucket: string, key: string, versionId: string): ObjectVersion | undefined {
    const row = this.statements.find.get(bucket, key, versionId) as VersionRow | undefined;
    return row && versionFromRow(row, false);
  }

  /** The key's newest version in this table: its current version when it has no object. */
  newest(bucket: string, key: string): ObjectVersion | undefined {
    const row = this.statements.newest.get(bucket, key) as VersionRow | undefined;
    return row && versionFromRow(row, false);
  }

  /** Removes a version; returns what it was. */
  remove(bucket: string, key: string, versionId: string): ObjectVersion | undefined {
    const found = this.find(bucket, key, versionId);
    if (found) this.statements.remove.run(bucket, key, versionId);
    return found;
  }

  setTags(bucket: string, key: string, versionId: string, tags: string): boolean {
    return this.statements.setTags.run(tags, bucket, key, versionId).changes === 1;
  }

  hasAny(bucket: string): boolean {
    return this.statements.anyInBucket.get(bucket) !== undefined;
  }

  /** The blob segments of every stored noncurrent version (for orphan collection). */
  *allSegments(): Iterable<string> {
    for (const json of this.statements.segments.pluck().iterate() as Iterable<string>) yield json;
  }

  /** Every version of a key in this table, newest first (without inline bytes). */
  ofKey(bucket: string, key: string): ObjectVersion[] {
    return (this.statements.ofKey.all(bucket, key) as VersionRow[]).map((row) =>
      versionFromRow(row, false),
    );
  }
}

function versionFromRow(row: VersionRow, isLatest: boolean): ObjectVersion {
  if (row.is_delete_marker === 1)
    return {
      kind: 'delete-marker',
      bucket: row.bucket,
      key: row.key,
      versionId: row.version_id,
      lastModified: new Date(row.last_modified),
      sequence: row.sequence,
      isLatest,
    };
  const object = objectFromRow(row);
  if (row.version_id === NULL_VERSION) delete object.versionId;
  return { kind: 'object', object, isLatest };
}

export function versionIdOf(version: ObjectVersion): string {
  return version.kind === 'object' ? (version.object.versionId ?? NULL_VERSION) : version.versionId;
}

export interface ListVersionsQuery {
  prefix: string;
  delimiter?: string;
  keyMarker?: string;
  /** With `keyMarker`: continue after this version of that key. */
  versionIdMarker?: string;
  maxKeys: number;
}

export interface ListVersionsResult {
  versions: ObjectVersion[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** Where the next page starts, when truncated. */
  nextKeyMarker?: string;
  nextVersionIdMarker?: string;
}

/**
 * ListObjectVersions: every version of every key (current first, then newest to oldest), in
 * UTF-8 binary key order, keys holding the delimiter after the prefix rolled into common
 * prefixes. Versions and common prefixes each count towards `maxKeys`.
 */
export function listVersions(
  db: SqliteDatabase,
  versions: VersionTable,
  bucket: string,
  query: ListVersionsQuery,
): ListVersionsResult {
  const { prefix, delimiter, maxKeys } = query;
  const result: ListVersionsResult = { versions: [], commonPrefixes: [], isTruncated: false };
  if (maxKeys <= 0) return result;
  const upper = prefix ? prefixUpperBound(prefix) : undefined;
  const keysFrom = db.prepare(
    `SELECT key FROM objects WHERE bucket = @bucket AND (key > @key OR (@inclusive AND key = @key))
       ${upper !== undefined ? 'AND key < @upper' : ''}
     UNION
     SELECT key FROM object_versions WHERE bucket = @bucket AND (key > @key OR (@inclusive AND key = @key))
       ${upper !== undefined ? 'AND key < @upper' : ''}
     ORDER BY key LIMIT ${KEY_BATCH}`,
  );
  const currentOf = db.prepare(
    `SELECT ${OBJECT_COLUMNS_WITHOUT_DATA} FROM objects WHERE bucket = ? AND key = ?`,
  );
  const { keyMarker, versionIdMarker } = query;
  // From the marker key itself when resuming inside its versions, else after it.
  let cursor: Cursor =
    keyMarker !== undefined && keyMarker >= prefix
      ? { key: keyMarker, inclusive: versionIdMarker !== undefined }
      : { key: prefix, inclusive: true };
  let count = 0;
  for (;;) {
    const keys = (
      keysFrom.all({
        bucket,
        key: cursor.key,
        inclusive: cursor.inclusive ? 1 : 0,
        ...(upper !== undefined ? { upper } : {}),
      }) as { key: string }[]
    ).map((row) => row.key);
    let jumped = false;
    for (const key of keys) {
      const rolled = delimiter ? commonPrefixOf(key, prefix, delimiter) : undefined;
      if (rolled !== undefined) {
        // A marker inside this prefix means an earlier page returned it.
        if (keyMarker === undefined || !keyMarker.startsWith(rolled)) {
          if (count === maxKeys) return truncated(result);
          result.commonPrefixes.push(rolled);
          result.nextKeyMarker = rolled;
          delete result.nextVersionIdMarker;
          count++;
        }
        const next = skipPast(rolled);
        if (next === undefined) return result;
        cursor = next;
        jumped = true;
        break;
      }
      const current = currentOf.get(bucket, key) as ObjectRow | undefined;
      const all: ObjectVersion[] = [
        ...(current
          ? [{ kind: 'object' as const, object: objectFromRow(current), isLatest: true }]
          : []),
        ...versions.ofKey(bucket, key),
      ];
      if (!current && all[0]) all[0] = { ...all[0], isLatest: true };
      let skipping = versionIdMarker !== undefined && key === keyMarker;
      for (const version of all) {
        if (skipping) {
          if (versionIdOf(version) === versionIdMarker) skipping = false;
          continue;
        }
        if (count === maxKeys) return truncated(result);
        result.versions.push(version);
        result.nextKeyMarker = key;
        result.nextVersionIdMarker = versionIdOf(version);
        count++;
      }
      cursor = { key, inclusive: false };
    }
    if (!jumped && keys.length < KEY_BATCH) return result;
  }
}

function truncated(result: ListVersionsResult): ListVersionsResult {
  result.isTruncated = true;
  return result;
}
