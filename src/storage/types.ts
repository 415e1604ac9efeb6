import type { Readable } from 'node:stream';

/** The headers S3 stores with an object and returns unchanged on GET/HEAD. */
export interface SystemMetadata {
  contentType?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  expires?: string;
}

export interface Tag {
  Key: string;
  Value: string;
}

export interface StoredChecksum {
  algorithm: string;
  /** base64, as S3 returns it in `x-amz-checksum-<alg>`. */
  value: string;
}

/** One contiguous piece of an object's bytes: a single PUT has one, a multipart object one per part. */
export interface Segment {
  blobId: string;
  size: number;
}

/**
 * The storage classes Vigil keeps. They all hold the bytes on the same disk; what differs is
 * S3's contract: GLACIER and DEEP_ARCHIVE objects must be restored before they can be read
 * (src/storage/archive.ts), the others read at once.
 */
export type StorageClass =
  | 'STANDARD'
  | 'REDUCED_REDUNDANCY'
  | 'STANDARD_IA'
  | 'ONEZONE_IA'
  | 'INTELLIGENT_TIERING'
  | 'GLACIER_IR'
  | 'GLACIER'
  | 'DEEP_ARCHIVE';

/** RestoreObject's `GlacierJobParameters.Tier`. */
export type RestoreTier = 'Expedited' | 'Standard' | 'Bulk';

/**
 * Where an archived object's restore stands: under way until `readyAt` (epoch ms), then a
 * temporary readable copy until `expiresAt`.
 */
export type RestoreState =
  | { ongoing: true; tier: RestoreTier; days: number; readyAt: number }
  | { ongoing: false; expiresAt: number };

export interface BucketInfo {
  name: string;
  region: string;
  createdAt: Date;
}

export interface ObjectRecord {
  bucket: string;
  key: string;
  size: number;
  /** Hex MD5 (or `md5-of-md5s-N` for multipart), without quotes. */
  etag: string;
  lastModified: Date;
  system: SystemMetadata;
  user: Record<string, string>;
  tags: Tag[];
  checksum?: StoredChecksum;
  /** Number of parts for a multipart object; absent for a single PUT. */
  partsCount?: number;
  segments: Segment[];
  /** The bytes themselves, for small objects stored inside their metadata row (then `segments` is empty). */
  inline?: Buffer;
  /**
   * The change that wrote this object (from a counter of every change, so unique forever in
   * one data directory): the basis of its events' `sequencer`. Tagging does not move it.
   */
  sequence: number;
  /**
   * The version's id: 32 URL-safe characters in a bucket with versioning enabled, `null`
   * (the string, as S3 writes it) for writes to unversioned or suspended buckets. Absent
   * means `null`.
   */
  versionId?: string;
  /**
   * `AES256` when the bytes are stored encrypted (SSE-S3): blob files ending in `.aes`, and
   * `inline` sealed — `openObject` hands out the plain bytes.
   */
  sse?: 'AES256';
  /** Absent means STANDARD. */
  storageClass?: StorageClass;
  /** Set once RestoreObject was asked for an archived version; cleared when the copy expires. */
  restore?: RestoreState;
}

/** What DeleteObject did. */
export interface DeleteOutcome {
  /** Something was there: the current object, or the version named. */
  existed: boolean;
  /** A delete marker was created, or the version deleted was one (`x-amz-delete-marker`). */
  deleteMarker?: boolean;
  /** The marker created, or the version named (`x-amz-version-id`). */
  versionId?: string;
  /** A lifecycle delete found the version changed and did nothing. */
  skipped?: boolean;
}

/** A bucket's versioning state once PutBucketVersioning set one (never unset again). */
export type VersioningStatus = 'Enabled' | 'Suspended';

/** One version of a key, as ListObjectVersions and version-addressed requests see it. */
export type ObjectVersion =
  | { kind: 'object'; object: ObjectRecord; isLatest: boolean }
  | {
      kind: 'delete-marker';
      bucket: string;
      key: string;
      versionId: string;
      lastModified: Date;
      sequence: number;
      isLatest: boolean;
    };

/** Everything about a new object except its bytes. */
export interface ObjectAttributes {
  system: SystemMetadata;
  user: Record<string, string>;
  tags: Tag[];
  checksum?: StoredChecksum;
  /** Absent means STANDARD. */
  storageClass?: StorageClass;
}

/** Where a write's bytes went: a blob file, or (small bodies) memory, to be stored in the row. */
export type BlobWrite = { size: number; md5Hex: string } & (
  { blobId: string; inline?: never } | { inline: Buffer; blobId?: never }
);

/**
 * A change committed by the storage engine. The hook receives it inside the same SQLite
 * transaction as the metadata change, so a transactional outbox can add its rows atomically.
 */
export type ObjectChange =
  | {
      kind: 'created';
      via: 'put' | 'copy' | 'post' | 'complete-multipart';
      object: ObjectRecord;
      previous?: ObjectRecord;
    }
  | {
      kind: 'removed';
      bucket: string;
      key: string;
      /** The version removed for good, when one was (absent: nothing existed to remove). */
      previous?: ObjectRecord;
      sequence: number;
      /** The version the request named (DeleteObject with versionId). */
      versionId?: string;
      /** Set when the delete made a delete marker instead (ObjectRemoved:DeleteMarkerCreated). */
      deleteMarker?: { versionId: string };
      /** Set when a lifecycle rule removed it (LifecycleExpiration:* instead of ObjectRemoved:*). */
      byLifecycle?: true;
    }
  | { kind: 'tagging-put' | 'tagging-deleted'; object: ObjectRecord }
  /** RestoreObject started a restore (ObjectRestore:Post). */
  | { kind: 'restore-initiated'; object: ObjectRecord }
  /** The restore finished; `object.restore` holds the copy's expiry (ObjectRestore:Completed). */
  | { kind: 'restore-completed'; object: ObjectRecord; restoredFrom: StorageClass }
  /** The temporary copy expired (ObjectRestore:Delete). */
  | { kind: 'restore-expired'; object: ObjectRecord }
  /** A lifecycle rule moved the version to another storage class (LifecycleTransition). */
  | { kind: 'transitioned'; object: ObjectRecord; from: StorageClass };

/** Context a caller passes through to change hooks (request id, principal, source IP, …). */
export type ChangeContext = Record<string, unknown>;

export type ChangeHook = (change: ObjectChange, context: ChangeContext) => void;

export interface ListEntriesQuery {
  prefix: string;
  delimiter?: string;
  /** Return only keys (and common prefixes) strictly after this one. */
  after?: string;
  maxKeys: number;
}

export interface ListEntriesResult {
  objects: ObjectRecord[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix returned: where the next page starts. */
  last?: string;
}

export interface MultipartUpload {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: Date;
  attributes: ObjectAttributes;
}

export interface PartRecord {
  partNumber: number;
  size: number;
  etag: string;
  lastModified: Date;
  blobId: string;
  checksum?: StoredChecksum;
}

/** An opened object whose bytes stay readable even if it is overwritten meanwhile. */
export interface OpenedObject {
  object: ObjectRecord;
  /** Stream bytes [start, end] inclusive. */
  stream(start: number, end: number): Readable;
  close(): void;
}

export type StorageErrorCode =
  | 'NoSuchBucket'
  | 'NoSuchKey'
  | 'NoSuchUpload'
  | 'BucketNotEmpty'
  | 'BucketAlreadyOwnedByYou'
  | 'InvalidPart'
  | 'InvalidPartOrder'
  | 'EntityTooSmall'
  | 'PreconditionFailed'
  | 'NoSuchVersion'
  | 'InvalidVersionId'
  | 'MethodNotAllowed'
  | 'InvalidObjectState'
  | 'RestoreAlreadyInProgress'
  | 'InvalidArgument';

/** A domain failure of the storage engine; the S3 layer maps it to the S3 error of the same code. */
export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message?: string,
    /**
     * The delete marker the request met: the key's current version (NoSuchKey on GET) or
     * the version it named (MethodNotAllowed). S3 says so in response headers.
     */
    readonly deleteMarker?: { versionId: string },
  ) {
    super(message ?? code);
    this.name = 'StorageError';
  }
}
