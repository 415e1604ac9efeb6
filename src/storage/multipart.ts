import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { isEncryptedBlob } from './blobs.js';
import type { StorageEngine } from './engine.js';
import { partFromRow, uploadFromRow, type PartRow, type UploadRow } from './rows.js';
import {
  StorageError,
  type ChangeContext,
  type MultipartUpload,
  type ObjectAttributes,
  type ObjectRecord,
  type PartRecord,
  type StoredChecksum,
} from './types.js';

/** S3's minimum size for every part but the last. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PART_NUMBER = 10_000;

export interface CompletedPart {
  partNumber: number;
  /** ETag as the client sent it (quotes optional). */
  etag: string;
}

/** What CompleteMultipartUpload answers. */
export interface CompletedUpload {
  /** Without quotes. */
  etag: string;
  /** The version written (`null` in an unversioned or suspended bucket). */
  versionId: string;
  /** A retry of an upload already completed with the same parts: nothing was written. */
  replayed: boolean;
  /** The object written (absent when replayed). */
  object?: ObjectRecord;
}

/** How long a completed upload is remembered for retries of its CompleteMultipartUpload. */
const COMPLETED_UPLOAD_MEMORY_MS = 24 * 3600 * 1000;

/**
 * Multipart uploads on top of the storage engine. Each part is a blob; completing an upload
 * makes the object point at the chosen parts' blobs in order, so no byte is copied.
 */
export class MultipartUploads {
  private readonly statements;

  constructor(private readonly engine: StorageEngine) {
    this.statements = {
      completed: engine.db.prepare(
        `SELECT etag, version_id FROM completed_uploads
         WHERE upload_id = ? AND bucket = ? AND key = ? AND parts = ?`,
      ),
      rememberCompleted: engine.db.prepare(
        `INSERT OR REPLACE INTO completed_uploads
           (upload_id, bucket, key, etag, version_id, parts, completed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      forgetCompleted: engine.db.prepare('DELETE FROM completed_uploads WHERE completed_at < ?'),
    };
  }

  private get db() {
    return this.engine.db;
  }

  create(bucket: string, key: string, attributes: ObjectAttributes): MultipartUpload {
    const upload: MultipartUpload = {
      uploadId: randomBytes(24).toString('base64url'),
      bucket,
      key,
      initiated: new Date(),
      attributes,
    };
    this.engine.transaction(() => {
      this.engine.requireBucket(bucket);
      this.db
        .prepare(
          'INSERT INTO multipart_uploads (upload_id, bucket, key, initiated, attributes) VALUES (?, ?, ?, ?, ?)',
        )
        .run(upload.uploadId, bucket, key, upload.initiated.getTime(), JSON.stringify(attributes));
    });
    return upload;
  }

  get(bucket: string, key: string, uploadId: string): MultipartUpload {
    const row = this.db
      .prepare('SELECT * FROM multipart_uploads WHERE upload_id = ? AND bucket = ? AND key = ?')
      .get(uploadId, bucket, key) as UploadRow | undefined;
    if (row) return uploadFromRow(row);
    this.engine.requireBucket(bucket);
    throw new StorageError('NoSuchUpload');
  }

  /** Stores one part's bytes (replacing an earlier upload of the same part number). */
  async uploadPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: Readable | AsyncIterable<Buffer>,
    checksum?: () => StoredChecksum | undefined,
  ): Promise<PartRecord> {
    this.get(bucket, key, uploadId);
    // Parts stay files whatever their size: the completed object points at them.
    const blob = await this.engine.writeBytes(body);
    const blobId = blob.blobId!;
    return this.engine.commitWith([blobId], () =>
      this.engine.grouped(() => {
        this.get(bucket, key, uploadId);
        const previous = this.db
          .prepare('SELECT blob_id FROM multipart_parts WHERE upload_id = ? AND part_number = ?')
          .pluck()
          .get(uploadId, partNumber) as string | undefined;
        const part: PartRecord = {
          partNumber,
          blobId,
          size: blob.size,
          etag: blob.md5Hex,
          lastModified: new Date(),
        };
        const sum = checksum?.();
        if (sum) part.checksum = sum;
        this.db
          .prepare(
            `INSERT INTO multipart_parts (upload_id, part_number, blob_id, size, etag, last_modified, checksum_algorithm, checksum_value)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (upload_id, part_number) DO UPDATE SET blob_id = excluded.blob_id, size = excluded.size,
               etag = excluded.etag, last_modified = excluded.last_modified,
               checksum_algorithm = excluded.checksum_algorithm, checksum_value = excluded.checksum_value`,
          )
          .run(
            uploadId,
            partNumber,
            blobId,
            blob.size,
            blob.md5Hex,
            part.lastModified.getTime(),
            sum?.algorithm ?? null,
            sum?.value ?? null,
          );
        return { result: part, replacedBlobs: previous ? [previous] : [] };
      }),
    );
  }

  listParts(
    uploadId: string,
    afterPartNumber: number,
    maxParts: number,
  ): { parts: PartRecord[]; isTruncated: boolean } {
    const rows = this.db
      .prepare(
        'SELECT * FROM multipart_parts WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?',
      )
      .all(uploadId, afterPartNumber, maxParts + 1) as PartRow[];
    return { parts: rows.slice(0, maxParts).map(partFromRow), isTruncated: rows.length > maxParts };
  }

  /**
   * Assembles the named parts into the object, in one transaction with its change hooks.
   * Parts not named are discarded. ETag: MD5 of the concatenated binary part MD5s, `-N`.
   * A retry of an upload completed within a day with the same parts gets the same answer
   * (`replayed`), and nothing is written again — as S3 does.
   */
  async complete(
    bucket: string,
    key: string,
    uploadId: string,
    requested: CompletedPart[],
    context: ChangeContext,
  ): Promise<CompletedUpload> {
    const parts = JSON.stringify(
      requested.map((p) => [p.partNumber, p.etag.replace(/^"|"$/g, '').toLowerCase()]),
    );
    return this.engine.commitWith<CompletedUpload>([], () =>
      this.engine.grouped(() => {
        const done = this.statements.completed.get(uploadId, bucket, key, parts) as
          { etag: string; version_id: string } | undefined;
        if (done)
          return {
            result: { etag: done.etag, versionId: done.version_id, replayed: true },
            replacedBlobs: [],
          };
        const upload = this.get(bucket, key, uploadId);
        const stored = new Map(
          this.listParts(uploadId, 0, MAX_PART_NUMBER).parts.map((p) => [p.partNumber, p]),
        );
        // S3 checks the order of the whole list first, then each part, then part sizes.
        requested.forEach((req, i) => {
          if (i > 0 && req.partNumber <= requested[i - 1]!.partNumber)
            throw new StorageError('InvalidPartOrder');
        });
        const chosen = requested.map((req) => {
          const part = stored.get(req.partNumber);
          if (!part || part.etag !== req.etag.replace(/^"|"$/g, '').toLowerCase())
            throw new StorageError('InvalidPart');
          return part;
        });
        if (chosen.slice(0, -1).some((part) => part.size < MIN_PART_SIZE))
          throw new StorageError('EntityTooSmall');
        const md5s = createHash('md5');
        for (const part of chosen) md5s.update(Buffer.from(part.etag, 'hex'));
        const { result, replacedBlobs } = this.engine.replaceObject(
          {
            bucket,
            key,
            size: chosen.reduce((sum, p) => sum + p.size, 0),
            etag: `${md5s.digest('hex')}-${chosen.length}`,
            segments: chosen.map((p) => ({ blobId: p.blobId, size: p.size })),
            // Parts uploaded before encryption at rest are plain: then so is the object.
            ...(chosen.every((p) => isEncryptedBlob(p.blobId)) ? { sse: 'AES256' as const } : {}),
            partsCount: chosen.length,
            system: upload.attributes.system,
            user: upload.attributes.user,
            tags: upload.attributes.tags,
            ...(upload.attributes.storageClass
              ? { storageClass: upload.attributes.storageClass }
              : {}),
          },
          'complete-multipart',
          context,
        );
        const used = new Set(chosen.map((p) => p.blobId));
        const unused = [...stored.values()].map((p) => p.blobId).filter((id) => !used.has(id));
        this.db.prepare('DELETE FROM multipart_uploads WHERE upload_id = ?').run(uploadId);
        const now = Date.now();
        this.statements.forgetCompleted.run(now - COMPLETED_UPLOAD_MEMORY_MS);
        const versionId = result.versionId ?? 'null';
        this.statements.rememberCompleted.run(
          uploadId,
          bucket,
          key,
          result.etag,
          versionId,
          parts,
          now,
        );
        return {
          result: { etag: result.etag, versionId, replayed: false, object: result },
          replacedBlobs: [...replacedBlobs, ...unused],
        };
      }),
    );
  }

  async abort(bucket: string, key: string, uploadId: string): Promise<void> {
    const blobs = this.engine.reclaimingNow(() => {
      this.get(bucket, key, uploadId);
      const ids = this.db
        .prepare('SELECT blob_id FROM multipart_parts WHERE upload_id = ?')
        .pluck()
        .all(uploadId) as string[];
      this.db.prepare('DELETE FROM multipart_uploads WHERE upload_id = ?').run(uploadId);
      return ids;
    });
    await this.engine.blobs.remove(blobs);
    this.engine.space.restore();
  }

  /** Uploads in progress, ordered by key then initiation time, as ListMultipartUploads pages them. */
  listUploads(
    bucket: string,
    query: { prefix: string; keyMarker?: string; uploadIdMarker?: string },
  ): MultipartUpload[] {
    this.engine.requireBucket(bucket);
    const rows = this.db
      .prepare(
        'SELECT * FROM multipart_uploads WHERE bucket = ? ORDER BY key, initiated, upload_id',
      )
      .all(bucket) as UploadRow[];
    const uploads = rows.map(uploadFromRow).filter((u) => u.key.startsWith(query.prefix));
    if (query.keyMarker === undefined) return uploads;
    const markerKey = query.keyMarker;
    return uploads.filter((u) => {
      if (byteCompare(u.key, markerKey) !== 0) return byteCompare(u.key, markerKey) > 0;
      if (!query.uploadIdMarker) return false;
      const markerIndex = uploads.findIndex((m) => m.uploadId === query.uploadIdMarker);
      return markerIndex >= 0 && uploads.indexOf(u) > markerIndex;
    });
  }
}

/** Compares strings in UTF-8 byte order, S3's key order (JS `<` compares UTF-16 units). */
export function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
