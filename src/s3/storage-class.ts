/**
 * `x-amz-storage-class` on writes. Vigil stores every object as STANDARD for now, so any
 * other class is refused rather than taken and ignored (issue 11 brings the archive classes
 * and RestoreObject); a value S3 does not know is S3's InvalidStorageClass as well.
 */
import { S3Error } from './errors.js';

const S3_STORAGE_CLASSES = new Set([
  'STANDARD',
  'REDUCED_REDUNDANCY',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER',
  'DEEP_ARCHIVE',
  'OUTPOSTS',
  'GLACIER_IR',
  'SNOW',
  'EXPRESS_ONEZONE',
  'FSX_OPENZFS',
]);

/** @throws S3Error `InvalidStorageClass` for anything but STANDARD. */
export function checkStorageClass(value: string | undefined): void {
  if (value === undefined || value === 'STANDARD') return;
  throw new S3Error(
    'InvalidStorageClass',
    S3_STORAGE_CLASSES.has(value)
      ? `Vigil stores every object as STANDARD: the storage class ${value} is not supported yet.`
      : undefined,
    { StorageClassRequested: value },
  );
}
