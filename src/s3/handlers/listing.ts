import { header, requireBucket, sendXml, type S3Context } from '../context.js';
import { S3Error, invalidArgument } from '../errors.js';
import { listEncoding } from '../keys.js';
import { ownerId } from './buckets.js';
import {
  versionIdOf,
  type ListEntriesResult,
  type ObjectRecord,
  type ObjectVersion,
} from '../../storage/index.js';

interface ListParams {
  prefix: string;
  delimiter: string | undefined;
  maxKeys: number;
  encode: (value: string) => string;
  encodingType: string | undefined;
  /** `x-amz-optional-object-attributes: RestoreStatus` was sent. */
  withRestoreStatus: boolean;
}

function listParams(ctx: S3Context): ListParams {
  const q = ctx.query;
  const rawMax = q.get('max-keys');
  let maxKeys = 1000;
  if (rawMax !== null) {
    maxKeys = Number(rawMax);
    if (!/^\d+$/.test(rawMax) || !Number.isSafeInteger(maxKeys)) {
      throw invalidArgument(
        'Provided max-keys not an integer or within integer range',
        'max-keys',
        rawMax,
      );
    }
    maxKeys = Math.min(maxKeys, 1000);
  }
  const { encodingType, encode } = listEncoding(q);
  const delimiter = q.get('delimiter') || undefined;
  return {
    prefix: q.get('prefix') ?? '',
    delimiter,
    maxKeys,
    encodingType,
    encode,
    withRestoreStatus: (header(ctx, 'x-amz-optional-object-attributes') ?? '')
      .split(',')
      .some((name) => name.trim() === 'RestoreStatus'),
  };
}

function contents(
  o: ObjectRecord,
  p: ListParams,
  owner: Record<string, string> | undefined,
): Record<string, unknown> {
  return {
    Key: p.encode(o.key),
    LastModified: o.lastModified.toISOString(),
    ETag: `"${o.etag}"`,
    ...(o.checksum ? { ChecksumAlgorithm: o.checksum.algorithm, ChecksumType: 'FULL_OBJECT' } : {}),
    Size: String(o.size),
    ...(owner ? { Owner: owner } : {}),
    StorageClass: o.storageClass ?? 'STANDARD',
    ...restoreStatus(o, p),
  };
}

/**
 * `RestoreStatus` of an archived version whose restore was asked for, when the request named
 * it in `x-amz-optional-object-attributes` (S3 API reference, ListObjectsV2 and RestoreStatus).
 */
function restoreStatus(o: ObjectRecord, p: ListParams): Record<string, unknown> {
  if (!p.withRestoreStatus || o.restore === undefined) return {};
  return {
    RestoreStatus: o.restore.ongoing
      ? { IsRestoreInProgress: 'true' }
      : {
          IsRestoreInProgress: 'false',
          RestoreExpiryDate: new Date(o.restore.expiresAt).toISOString(),
        },
  };
}

function commonPrefixes(result: ListEntriesResult, p: ListParams): { Prefix: string }[] {
  return result.commonPrefixes.map((prefix) => ({ Prefix: p.encode(prefix) }));
}

function owner(ctx: S3Context): Record<string, string> {
  return { ID: ownerId(ctx.auth.accessKeyId), DisplayName: 'vigil' };
}

export function listObjectsV2(ctx: S3Context): void {
  const bucket = requireBucket(ctx);
  const p = listParams(ctx);
  const token = ctx.query.get('continuation-token') ?? undefined;
  const startAfter = ctx.query.get('start-after') ?? undefined;
  let after = startAfter;
  if (token !== undefined) after = decodeToken(token);
  const result = ctx.deps.engine.listEntries(bucket, {
    prefix: p.prefix,
    delimiter: p.delimiter,
    after,
    maxKeys: p.maxKeys,
  });
  const fetchOwner = ctx.query.get('fetch-owner') === 'true';
  sendXml(ctx, 200, 'ListBucketResult', {
    Name: bucket,
    Prefix: p.encode(p.prefix),
    ...(p.delimiter !== undefined ? { Delimiter: p.encode(p.delimiter) } : {}),
    MaxKeys: String(p.maxKeys),
    ...(p.encodingType ? { EncodingType: p.encodingType } : {}),
    KeyCount: String(result.objects.length + result.commonPrefixes.length),
    IsTruncated: String(result.isTruncated),
    ...(token !== undefined ? { ContinuationToken: token } : {}),
    ...(result.isTruncated && result.last !== undefined
      ? { NextContinuationToken: encodeToken(result.last) }
      : {}),
    ...(startAfter !== undefined ? { StartAfter: p.encode(startAfter) } : {}),
    Contents: result.objects.map((o) => contents(o, p, fetchOwner ? owner(ctx) : undefined)),
    CommonPrefixes: commonPrefixes(result, p),
  });
}

export function listObjectsV1(ctx: S3Context): void {
  const bucket = requireBucket(ctx);
  const p = listParams(ctx);
  const marker = ctx.query.get('marker') ?? '';
  const result = ctx.deps.engine.listEntries(bucket, {
    prefix: p.prefix,
    delimiter: p.delimiter,
    ...(marker !== '' ? { after: marker } : {}),
    maxKeys: p.maxKeys,
  });
  sendXml(ctx, 200, 'ListBucketResult', {
    Name: bucket,
    Prefix: p.encode(p.prefix),
    Marker: p.encode(marker),
    MaxKeys: String(p.maxKeys),
    ...(p.delimiter !== undefined ? { Delimiter: p.encode(p.delimiter) } : {}),
    ...(p.encodingType ? { EncodingType: p.encodingType } : {}),
    IsTruncated: String(result.isTruncated),
    // S3 sends NextMarker only with a delimiter; without one, clients use the last key.
    ...(result.isTruncated && p.delimiter !== undefined && result.last !== undefined
      ? { NextMarker: p.encode(result.last) }
      : {}),
    Contents: result.objects.map((o) => contents(o, p, owner(ctx))),
    CommonPrefixes: commonPrefixes(result, p),
  });
}

/**
 * ListObjectVersions: every version and delete marker, key by key (newest first), with the
 * key and version-id markers S3 pages by. Unversioned objects are their key's only version,
 * id `null`.
 */
export function listObjectVersions(ctx: S3Context): void {
  const bucket = requireBucket(ctx);
  const p = listParams(ctx);
  const keyMarker = ctx.query.get('key-marker') ?? '';
  const versionIdMarker = ctx.query.get('version-id-marker') ?? '';
  if (versionIdMarker !== '' && keyMarker === '') {
    throw invalidArgument(
      'A version-id marker cannot be specified without a key marker.',
      'version-id-marker',
      versionIdMarker,
    );
  }
  const result = ctx.deps.engine.listVersions(bucket, {
    prefix: p.prefix,
    ...(p.delimiter !== undefined ? { delimiter: p.delimiter } : {}),
    ...(keyMarker !== '' ? { keyMarker } : {}),
    ...(versionIdMarker !== '' ? { versionIdMarker } : {}),
    maxKeys: p.maxKeys,
  });
  const entry = (v: ObjectVersion) => {
    const common = {
      Key: p.encode(v.kind === 'object' ? v.object.key : v.key),
      VersionId: versionIdOf(v),
      IsLatest: String(v.isLatest),
      LastModified: (v.kind === 'object' ? v.object.lastModified : v.lastModified).toISOString(),
    };
    return v.kind === 'object'
      ? {
          ...common,
          ETag: `"${v.object.etag}"`,
          Size: String(v.object.size),
          Owner: owner(ctx),
          StorageClass: v.object.storageClass ?? 'STANDARD',
          ...restoreStatus(v.object, p),
        }
      : { ...common, Owner: owner(ctx) };
  };
  // S3 interleaves the two kinds in one sequence; SDKs read them back as two lists (Versions,
  // DeleteMarkers), each in the listing's order, which is what this writes.
  const ordered = result.versions.map((v) =>
    v.kind === 'object' ? { Version: entry(v) } : { DeleteMarker: entry(v) },
  );
  sendXml(ctx, 200, 'ListVersionsResult', {
    Name: bucket,
    Prefix: p.encode(p.prefix),
    KeyMarker: p.encode(keyMarker),
    VersionIdMarker: versionIdMarker,
    MaxKeys: String(p.maxKeys),
    ...(p.delimiter !== undefined ? { Delimiter: p.encode(p.delimiter) } : {}),
    ...(p.encodingType ? { EncodingType: p.encodingType } : {}),
    IsTruncated: String(result.isTruncated),
    ...(result.isTruncated && result.nextKeyMarker !== undefined
      ? {
          NextKeyMarker: p.encode(result.nextKeyMarker),
          ...(result.nextVersionIdMarker !== undefined
            ? { NextVersionIdMarker: result.nextVersionIdMarker }
            : {}),
        }
      : {}),
    Version: ordered.flatMap((o) => ('Version' in o ? [o.Version] : [])),
    DeleteMarker: ordered.flatMap((o) => ('DeleteMarker' in o ? [o.DeleteMarker] : [])),
    CommonPrefixes: result.commonPrefixes.map((prefix) => ({ Prefix: p.encode(prefix) })),
  });
}

function encodeToken(lastKey: string): string {
  return Buffer.from(`v1:${lastKey}`, 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  if (!decoded.startsWith('v1:')) {
    throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', {
      ArgumentName: 'continuation-token',
      ArgumentValue: token,
    });
  }
  return decoded.slice(3);
}
