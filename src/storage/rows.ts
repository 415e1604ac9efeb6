import type {
  MultipartUpload,
  ObjectRecord,
  PartRecord,
  RestoreState,
  StorageClass,
} from './types.js';

export interface ObjectRow {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  last_modified: number;
  system_metadata: string;
  user_metadata: string;
  tags: string;
  checksum_algorithm: string | null;
  checksum_value: string | null;
  parts_count: number | null;
  segments: string;
  inline_data: Buffer | null;
  sequence: number;
  version_id: string;
  sse: string | null;
  storage_class: string | null;
  restore: string | null;
  restore_due_at: number | null;
}

/** Every object column except the inline bytes: listings must not load object data. */
export const OBJECT_COLUMNS_WITHOUT_DATA =
  'bucket, key, size, etag, last_modified, system_metadata, user_metadata, tags, checksum_algorithm, checksum_value, parts_count, segments, NULL AS inline_data, sequence, version_id, sse, storage_class, restore, restore_due_at';

export function objectFromRow(row: ObjectRow): ObjectRecord {
  const record: ObjectRecord = {
    bucket: row.bucket,
    key: row.key,
    size: row.size,
    etag: row.etag,
    lastModified: new Date(row.last_modified),
    system: JSON.parse(row.system_metadata) as ObjectRecord['system'],
    user: JSON.parse(row.user_metadata) as ObjectRecord['user'],
    tags: JSON.parse(row.tags) as ObjectRecord['tags'],
    segments: JSON.parse(row.segments) as ObjectRecord['segments'],
    sequence: row.sequence,
  };
  if (row.version_id !== 'null') record.versionId = row.version_id;
  if (row.sse === 'AES256') record.sse = 'AES256';
  if (row.storage_class !== null) record.storageClass = row.storage_class as StorageClass;
  if (row.restore !== null) record.restore = JSON.parse(row.restore) as RestoreState;
  if (row.checksum_algorithm && row.checksum_value) {
    record.checksum = { algorithm: row.checksum_algorithm, value: row.checksum_value };
  }
  if (row.parts_count !== null) record.partsCount = row.parts_count;
  if (row.inline_data !== null) record.inline = row.inline_data;
  return record;
}

export function rowFromObject(o: ObjectRecord): ObjectRow {
  return {
    bucket: o.bucket,
    key: o.key,
    size: o.size,
    etag: o.etag,
    last_modified: o.lastModified.getTime(),
    system_metadata: JSON.stringify(o.system),
    user_metadata: JSON.stringify(o.user),
    tags: JSON.stringify(o.tags),
    checksum_algorithm: o.checksum?.algorithm ?? null,
    checksum_value: o.checksum?.value ?? null,
    parts_count: o.partsCount ?? null,
    segments: JSON.stringify(o.segments),
    inline_data: o.inline ?? null,
    sequence: o.sequence,
    version_id: o.versionId ?? 'null',
    sse: o.sse ?? null,
    storage_class:
      o.storageClass === undefined || o.storageClass === 'STANDARD' ? null : o.storageClass,
    restore: o.restore ? JSON.stringify(o.restore) : null,
    restore_due_at: restoreDueAt(o.restore),
  };
}

/** When a restore next changes state: it completes, then its copy expires. */
export function restoreDueAt(restore: RestoreState | undefined): number | null {
  if (restore === undefined) return null;
  return restore.ongoing ? restore.readyAt : restore.expiresAt;
}

export interface UploadRow {
  upload_id: string;
  bucket: string;
  key: string;
  initiated: number;
  attributes: string;
}

export function uploadFromRow(row: UploadRow): MultipartUpload {
  return {
    uploadId: row.upload_id,
    bucket: row.bucket,
    key: row.key,
    initiated: new Date(row.initiated),
    attributes: JSON.parse(row.attributes) as MultipartUpload['attributes'],
  };
}

export interface PartRow {
  upload_id: string;
  part_number: number;
  blob_id: string;
  size: number;
  etag: string;
  last_modified: number;
  checksum_algorithm: string | null;
  checksum_value: string | null;
}

export function partFromRow(row: PartRow): PartRecord {
  const part: PartRecord = {
    partNumber: row.part_number,
    blobId: row.blob_id,
    size: row.size,
    etag: row.etag,
    lastModified: new Date(row.last_modified),
  };
  if (row.checksum_algorithm && row.checksum_value) {
    part.checksum = { algorithm: row.checksum_algorithm, value: row.checksum_value };
  }
  return part;
}

/**
 * The smallest string greater than every string that starts with `prefix`, in UTF-8 byte
 * order (which is code point order). Used as the exclusive upper bound of a prefix scan.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last === 0xd7ff ? 0xe000 : last + 1;
      return points.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}
