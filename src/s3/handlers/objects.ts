import { pipeline } from 'node:stream/promises';
import { checkAclHeaders } from '../acl.js';
import { evaluateConditions } from '../conditions.js';
import {
  changeContext,
  header,
  payload,
  readSmallBody,
  requireBucket,
  requireKey,
  sendEmpty,
  sendXml,
  type S3Context,
} from '../context.js';
import { S3Error, invalidArgument } from '../errors.js';
import { validateKey } from '../keys.js';
import { systemMetadataFromHeaders, userMetadataFromHeaders } from '../metadata.js';
import {
  applyResponseOverrides,
  objectHeaders,
  requireReadable,
  sseHeaders,
} from '../object-headers.js';
import { resolveRange } from '../range.js';
import { parseTaggingHeader } from '../tagging.js';
import { storageClassFromHeader } from '../storage-class.js';
import { versionHeaders, versionIdParam } from '../versioning.js';
import { children, parseXmlBody, text } from '../xml.js';
import { StorageError, type ObjectAttributes } from '../../storage/index.js';

/** S3's largest single PUT. */
export const MAX_PUT_SIZE = 5 * 1024 ** 3;

/** Reads the object attributes S3 takes from PutObject / CreateMultipartUpload headers. */
export function attributesFromHeaders(ctx: S3Context): ObjectAttributes {
  checkAclHeaders(ctx);
  const storageClass = storageClassFromHeader(header(ctx, 'x-amz-storage-class'));
  return {
    system: systemMetadataFromHeaders(ctx.req.headers),
    user: userMetadataFromHeaders(ctx.req.headers),
    tags: parseTaggingHeader(header(ctx, 'x-amz-tagging')),
    ...(storageClass ? { storageClass } : {}),
  };
}

/** The size the client declares for the object's bytes, enforcing S3's limits. */
export function declaredLength(ctx: S3Context, max: number): number {
  const raw = header(ctx, 'x-amz-decoded-content-length') ?? header(ctx, 'content-length');
  if (raw === undefined) throw new S3Error('MissingContentLength');
  const length = Number(raw);
  if (!Number.isSafeInteger(length) || length < 0)
    throw invalidArgument('Invalid content length', 'Content-Length', raw);
  if (length > max) {
    throw new S3Error('EntityTooLarge', undefined, {
      ProposedSize: String(length),
      MaxSizeAllowed: String(max),
    });
  }
  return length;
}

export async function putObject(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  const key = validateKey(requireKey(ctx));
  const attributes = attributesFromHeaders(ctx);
  declaredLength(ctx, MAX_PUT_SIZE);
  const ifNoneMatch = header(ctx, 'if-none-match');
  if (ifNoneMatch !== undefined && ifNoneMatch !== '*') {
    throw new S3Error('NotImplemented', 'If-None-Match on PutObject supports only the value *');
  }
  const body = payload(ctx);
  const blob = await ctx.deps.engine.writeBlob(bucket, body);
  const checksum = body.integrity.checksum;
  if (checksum) attributes.checksum = checksum;
  const ifMatch = header(ctx, 'if-match');
  const object = await ctx.deps.engine.commitObject(
    bucket,
    key,
    blob,
    attributes,
    'put',
    changeContext(ctx),
    {
      ifNoneMatchAny: ifNoneMatch === '*',
      ...(ifMatch !== undefined ? { ifMatch: ifMatch.replace(/^"|"$/g, '') } : {}),
    },
  );
  const headers: Record<string, string> = {
    etag: `"${object.etag}"`,
    ...versionHeaders(ctx, bucket, object),
    ...sseHeaders(object),
  };
  if (checksum) headers[`x-amz-checksum-${checksum.algorithm.toLowerCase()}`] = checksum.value;
  sendEmpty(ctx, 200, headers);
}

export async function getObject(ctx: S3Context): Promise<void> {
  await readObject(ctx, true);
}

export async function headObject(ctx: S3Context): Promise<void> {
  await readObject(ctx, false);
}

async function readObject(ctx: S3Context, withBody: boolean): Promise<void> {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  const versionId = versionIdParam(ctx);
  const opened = await ctx.deps.engine.openObject(bucket, key, versionId);
  try {
    const { object } = opened;
    if (withBody) requireReadable(object);
    const outcome = evaluateConditions(
      {
        ifMatch: header(ctx, 'if-match'),
        ifNoneMatch: header(ctx, 'if-none-match'),
        ifModifiedSince: header(ctx, 'if-modified-since'),
        ifUnmodifiedSince: header(ctx, 'if-unmodified-since'),
      },
      object.etag,
      object.lastModified,
    );
    if (outcome === 'precondition-failed') {
      throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Match' });
    }
    if (outcome === 'not-modified') {
      sendEmpty(ctx, 304, {
        etag: `"${object.etag}"`,
        'last-modified': object.lastModified.toUTCString(),
        ...versionHeaders(ctx, bucket, object, versionId !== undefined),
      });
      return;
    }
    let start = 0;
    let end = object.size - 1;
    let status = 200;
    const partNumber = ctx.query.get('partNumber');
    const rangeHeader = header(ctx, 'range');
    const fullObject = partNumber === null && rangeHeader === undefined;
    const headers = {
      ...objectHeaders(object, {
        checksum: fullObject && header(ctx, 'x-amz-checksum-mode') === 'ENABLED',
      }),
      ...versionHeaders(ctx, bucket, object, versionId !== undefined),
    };
    if (partNumber !== null) {
      if (rangeHeader !== undefined)
        throw new S3Error(
          'InvalidRequest',
          'Cannot specify both Range header and partNumber query parameter',
        );
      const n = Number(partNumber);
      // A single PUT (inline or one blob) is one part, as S3 treats it.
      const partSizes =
        object.partsCount === undefined ? [object.size] : object.segments.map((s) => s.size);
      const parts = partSizes.length;
      if (!Number.isInteger(n) || n < 1 || n > 10000)
        throw invalidArgument(
          'Part number must be an integer between 1 and 10000, inclusive',
          'partNumber',
          partNumber,
        );
      if (n > parts) throw new S3Error('InvalidPartNumber');
      start = partSizes.slice(0, n - 1).reduce((sum, size) => sum + size, 0);
      end = start + partSizes[n - 1]! - 1;
      status = 206;
      if (object.partsCount !== undefined)
        headers['x-amz-mp-parts-count'] = String(object.partsCount);
      headers['content-range'] = `bytes ${start}-${end}/${object.size}`;
    } else {
      const range = resolveRange(rangeHeader, object.size);
      if (range.kind === 'unsatisfiable') {
        throw new S3Error('InvalidRange', undefined, {
          RangeRequested: rangeHeader ?? '',
          ActualObjectSize: String(object.size),
        });
      }
      if (range.kind === 'partial') {
        ({ start, end } = range);
        status = 206;
        headers['content-range'] = `bytes ${start}-${end}/${object.size}`;
      }
    }
    applyResponseOverrides(headers, ctx.query);
    headers['content-length'] = String(Math.max(0, end - start + 1));
    ctx.res.writeHead(status, headers);
    if (!withBody || end < start) {
      ctx.res.end();
      return;
    }
    if (object.inline) {
      ctx.res.end(object.inline.subarray(start, end + 1));
      return;
    }
    await pipeline(opened.stream(start, end), ctx.res);
  } finally {
    opened.close();
  }
}

export async function deleteObject(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  const outcome = await ctx.deps.engine.deleteObject(
    bucket,
    key,
    changeContext(ctx),
    versionIdParam(ctx),
  );
  sendEmpty(ctx, 204, {
    ...(outcome.deleteMarker ? { 'x-amz-delete-marker': 'true' } : {}),
    ...(outcome.versionId !== undefined ? { 'x-amz-version-id': outcome.versionId } : {}),
  });
}

/** DeleteObjects: up to 1000 keys; every key named is reported deleted, existing or not (as S3 does). */
export async function deleteObjects(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  ctx.deps.engine.requireBucket(bucket);
  const root = parseXmlBody(await readSmallBody(ctx), 'Delete');
  const quiet = text(root, 'Quiet')?.trim().toLowerCase() === 'true';
  const requested = children(root, 'Object');
  if (requested.length === 0 || requested.length > 1000) throw new S3Error('MalformedXML');
  const deleted: Record<string, string>[] = [];
  const errors: Record<string, string>[] = [];
  for (const node of requested) {
    const key = text(node, 'Key');
    if (key === undefined) throw new S3Error('MalformedXML');
    const versionId = text(node, 'VersionId');
    const permitted = ctx.access.allows({
      action: versionId === undefined ? 's3:DeleteObject' : 's3:DeleteObjectVersion',
      bucket,
      key,
      context: versionId === undefined ? {} : { 's3:versionid': versionId },
    });
    if (!permitted) {
      errors.push({
        Key: key,
        ...(versionId !== undefined ? { VersionId: versionId } : {}),
        Code: 'AccessDenied',
        Message: 'Access Denied',
      });
      continue;
    }
    try {
      const outcome = await ctx.deps.engine.deleteObject(
        bucket,
        key,
        changeContext(ctx),
        versionId,
      );
      deleted.push({
        Key: key,
        ...(versionId !== undefined ? { VersionId: versionId } : {}),
        ...(outcome.deleteMarker
          ? { DeleteMarker: 'true', DeleteMarkerVersionId: outcome.versionId ?? 'null' }
          : {}),
      });
    } catch (error) {
      const invalid = error instanceof StorageError && error.code === 'InvalidVersionId';
      errors.push({
        Key: key,
        ...(versionId !== undefined ? { VersionId: versionId } : {}),
        Code: invalid ? 'InvalidArgument' : 'InternalError',
        Message: invalid ? 'Invalid version id specified' : (error as Error).message,
      });
    }
  }
  sendXml(ctx, 200, 'DeleteResult', { ...(quiet ? {} : { Deleted: deleted }), Error: errors });
}
