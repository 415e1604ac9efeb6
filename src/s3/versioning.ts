/** What S3 requests and responses say about versions: the `versionId` parameter and headers. */
import { S3Error, invalidArgument } from './errors.js';
import type { S3Context } from './context.js';
import { NULL_VERSION, type ObjectRecord } from '../storage/index.js';

/**
 * The `versionId` query parameter, when present.
 *
 * @throws S3Error `InvalidArgument` for an empty one, as S3 answers.
 */
export function versionIdParam(ctx: S3Context): string | undefined {
  const versionId = ctx.query.get('versionId');
  if (versionId === null) return undefined;
  if (versionId === '')
    throw invalidArgument('Version id cannot be the empty string', 'versionId', '');
  return versionId;
}

/**
 * `x-amz-version-id` for a response about `object`: S3 sends it once the bucket has had
 * versioning set (`null` for a null version) or when the request named a version.
 */
export function versionHeaders(
  ctx: S3Context,
  bucket: string,
  object: Pick<ObjectRecord, 'versionId'>,
  named = false,
): Record<string, string> {
  if (!named && ctx.deps.engine.getBucketVersioning(bucket) === undefined) return {};
  return { 'x-amz-version-id': object.versionId ?? NULL_VERSION };
}

/** Reads a `VersioningConfiguration` document's `Status` (and refuses MFA delete). */
export function parseVersioningStatus(
  status: string | undefined,
  mfaDelete: string | undefined,
): 'Enabled' | 'Suspended' {
  if (mfaDelete !== undefined && mfaDelete.trim() === 'Enabled')
    throw new S3Error(
      'NotImplemented',
      'Vigil does not implement MFA delete: it has no MFA devices to check x-amz-mfa against.',
    );
  const value = status?.trim();
  if (value === 'Enabled' || value === 'Suspended') return value;
  throw new S3Error('MalformedXML');
}
