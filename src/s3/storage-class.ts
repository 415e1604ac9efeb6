/**
 * `x-amz-storage-class` on writes. Vigil keeps the classes of a general-purpose bucket
 * (src/storage/archive.ts says which must be restored before a read); the classes of other
 * kinds of storage — Outposts, Snowball, directory buckets, FSx — are refused as S3 refuses
 * a class a bucket cannot hold, and a value S3 does not know is its InvalidStorageClass too.
 */
import { S3Error } from './errors.js';
import { STORAGE_CLASSES, type StorageClass } from '../storage/index.js';

const KEPT: ReadonlySet<string> = new Set(STORAGE_CLASSES);
const OTHER_KINDS_OF_STORAGE = new Set(['OUTPOSTS', 'SNOW', 'EXPRESS_ONEZONE', 'FSX_OPENZFS']);

/**
 * The storage class a write asks for; undefined (STANDARD) when none is named.
 *
 * @throws S3Error `InvalidStorageClass` for a class Vigil does not keep.
 */
export function storageClassFromHeader(value: string | undefined): StorageClass | undefined {
  if (value === undefined) return undefined;
  if (KEPT.has(value)) return value as StorageClass;
  throw new S3Error(
    'InvalidStorageClass',
    OTHER_KINDS_OF_STORAGE.has(value)
      ? `The storage class ${value} belongs to another kind of storage than a Vigil bucket.`
      : undefined,
    { StorageClassRequested: value },
  );
}
