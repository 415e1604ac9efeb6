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
}

/** Everything about a new object except its bytes. */
export interface ObjectAttributes {
  system: SystemMetadata;
  user: Record<string, string>;
  tags: Tag[];
  checksum?: StoredChecksum;
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
  | { kind: 'removed'; bucket: string; key: string; previous?: ObjectRecord; sequence: number }
  | { kind: 'tagging-put' | 'tagging-deleted'; object: ObjectRecord };

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
  | 'PreconditionFailed';

/** A domain failure of the storage engine; the S3 layer maps it to the S3 error of the same code. */
export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message?: string,
  ) {
    super(message ?? code);
    this.name = 'StorageError';
  }
}
