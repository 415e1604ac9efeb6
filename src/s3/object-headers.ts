import { isReadable, restoreHeader, type ObjectRecord } from '../storage/index.js';
import { S3Error } from './errors.js';
import { systemMetadataHeaders, userMetadataHeaders } from './metadata.js';

/** The response headers S3 sends for an object on GET and HEAD. */
export function objectHeaders(
  object: ObjectRecord,
  options: { checksum: boolean },
): Record<string, string> {
  const headers: Record<string, string> = {
    'last-modified': object.lastModified.toUTCString(),
    etag: `"${object.etag}"`,
    'accept-ranges': 'bytes',
    ...systemMetadataHeaders(object.system),
    ...userMetadataHeaders(object.user),
    ...sseHeaders(object),
  };
  // S3 omits the header for STANDARD objects.
  if (object.storageClass !== undefined && object.storageClass !== 'STANDARD')
    headers['x-amz-storage-class'] = object.storageClass;
  const restore = restoreHeader(object);
  if (restore !== undefined) headers['x-amz-restore'] = restore;
  if (object.tags.length > 0) headers['x-amz-tagging-count'] = String(object.tags.length);
  if (options.checksum && object.checksum) {
    headers[`x-amz-checksum-${object.checksum.algorithm.toLowerCase()}`] = object.checksum.value;
    headers['x-amz-checksum-type'] = 'FULL_OBJECT';
  }
  return headers;
}

/**
 * Refuses to read the bytes of an archived version that is not restored: 403
 * InvalidObjectState naming its class, as S3 answers GetObject; `copySource` words it as S3
 * does for a copy.
 */
export function requireReadable(object: ObjectRecord, options: { copySource?: boolean } = {}) {
  if (isReadable(object, Date.now())) return;
  throw new S3Error(
    'InvalidObjectState',
    options.copySource
      ? 'The source object of the COPY action is not in the active tier and is only stored in Amazon S3 Glacier.'
      : undefined,
    { StorageClass: object.storageClass ?? 'STANDARD' },
  );
}

/** `x-amz-server-side-encryption` for an object stored encrypted (SSE-S3). */
export function sseHeaders(object: Pick<ObjectRecord, 'sse'> | undefined): Record<string, string> {
  return object?.sse ? { 'x-amz-server-side-encryption': object.sse } : {};
}

const RESPONSE_OVERRIDES: [string, string][] = [
  ['response-content-type', 'content-type'],
  ['response-content-language', 'content-language'],
  ['response-expires', 'expires'],
  ['response-cache-control', 'cache-control'],
  ['response-content-disposition', 'content-disposition'],
  ['response-content-encoding', 'content-encoding'],
];

/** Applies GetObject's `response-*` query overrides. */
export function applyResponseOverrides(
  headers: Record<string, string>,
  query: URLSearchParams,
): void {
  for (const [param, name] of RESPONSE_OVERRIDES) {
    const value = query.get(param);
    if (value !== null) headers[name] = value;
  }
}
