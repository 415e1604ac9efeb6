import { checkCopySourceConditions, parseCopySource } from '../copy-source.js';
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
import { listEncoding, validateKey } from '../keys.js';
import { requireReadable, sseHeaders } from '../object-headers.js';
import { versionHeaders } from '../versioning.js';
import { children, parseXmlBody, text } from '../xml.js';
import { ownerId } from './buckets.js';
import { attributesFromHeaders, declaredLength } from './objects.js';
import { MAX_PART_NUMBER, type CompletedPart } from '../../storage/index.js';

const MAX_PART_SIZE = 5 * 1024 ** 3;

function uploadId(ctx: S3Context): string {
  return ctx.query.get('uploadId') ?? '';
}

function partNumber(ctx: S3Context): number {
  const raw = ctx.query.get('partNumber') ?? '';
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_PART_NUMBER) {
    throw invalidArgument(
      'Part number must be an integer between 1 and 10000, inclusive',
      'partNumber',
      raw,
    );
  }
  return n;
}

function owner(ctx: S3Context) {
  return { ID: ownerId(ctx.auth.accessKeyId), DisplayName: 'vigil' };
}

export function createMultipartUpload(ctx: S3Context): void {
  const bucket = requireBucket(ctx);
  const key = validateKey(requireKey(ctx));
  const upload = ctx.deps.multipart.create(bucket, key, attributesFromHeaders(ctx));
  const algorithm = header(ctx, 'x-amz-checksum-algorithm');
  sendXml(
    ctx,
    200,
    'InitiateMultipartUploadResult',
    { Bucket: bucket, Key: key, UploadId: upload.uploadId },
    algorithm ? { 'x-amz-checksum-algorithm': algorithm } : {},
  );
}

export async function uploadPart(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  const n = partNumber(ctx);
  declaredLength(ctx, MAX_PART_SIZE);
  const body = payload(ctx);
  const part = await ctx.deps.multipart.uploadPart(
    bucket,
    key,
    uploadId(ctx),
    n,
    body,
    () => body.integrity.checksum,
  );
  const headers: Record<string, string> = { etag: `"${part.etag}"` };
  if (part.checksum)
    headers[`x-amz-checksum-${part.checksum.algorithm.toLowerCase()}`] = part.checksum.value;
  sendEmpty(ctx, 200, headers);
}

export async function uploadPartCopy(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  const n = partNumber(ctx);
  const id = uploadId(ctx);
  ctx.deps.multipart.get(bucket, key, id);
  const source = parseCopySource(ctx);
  const opened = await ctx.deps.engine.openObject(source.bucket, source.key, source.versionId);
  let start = 0;
  let end = opened.object.size - 1;
  try {
    requireReadable(opened.object, { copySource: true });
    checkCopySourceConditions(ctx, opened.object);
    const range = header(ctx, 'x-amz-copy-source-range');
    if (range !== undefined) {
      const match = /^bytes=(\d+)-(\d+)$/.exec(range);
      if (!match || Number(match[1]) > Number(match[2]) || Number(match[2]) >= opened.object.size) {
        throw invalidArgument(
          `Range specified is not valid for source object of size: ${opened.object.size}`,
          'x-amz-copy-source-range',
          range,
        );
      }
      start = Number(match[1]);
      end = Number(match[2]);
    }
    const part = await ctx.deps.multipart.uploadPart(bucket, key, id, n, opened.stream(start, end));
    sendXml(ctx, 200, 'CopyPartResult', {
      LastModified: part.lastModified.toISOString(),
      ETag: `"${part.etag}"`,
    });
  } finally {
    opened.close();
  }
}

export async function completeMultipartUpload(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  const root = parseXmlBody(await readSmallBody(ctx), 'CompleteMultipartUpload');
  const parts: CompletedPart[] = children(root, 'Part').map((node) => {
    const number = text(node, 'PartNumber');
    const etag = text(node, 'ETag');
    if (number === undefined || etag === undefined || !/^\d+$/.test(number.trim()))
      throw new S3Error('MalformedXML');
    return { partNumber: Number(number.trim()), etag: etag.trim() };
  });
  if (parts.length === 0) {
    throw new S3Error(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
    );
  }
  const completed = await ctx.deps.multipart.complete(
    bucket,
    key,
    uploadId(ctx),
    parts,
    changeContext(ctx),
  );
  const host = header(ctx, 'host') ?? 'localhost';
  sendXml(
    ctx,
    200,
    'CompleteMultipartUploadResult',
    {
      Location: `http://${host}/${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`,
      Bucket: bucket,
      Key: key,
      ETag: `"${completed.etag}"`,
    },
    {
      ...versionHeaders(ctx, bucket, {
        ...(completed.versionId !== 'null' ? { versionId: completed.versionId } : {}),
      }),
      ...sseHeaders(completed.object),
    },
  );
}

export async function abortMultipartUpload(ctx: S3Context): Promise<void> {
  await ctx.deps.multipart.abort(requireBucket(ctx), requireKey(ctx), uploadId(ctx));
  sendEmpty(ctx, 204);
}

export function listParts(ctx: S3Context): void {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  const id = uploadId(ctx);
  const upload = ctx.deps.multipart.get(bucket, key, id);
  const marker = Number(ctx.query.get('part-number-marker') ?? '0') || 0;
  const maxParts = Math.min(Number(ctx.query.get('max-parts') ?? '1000') || 1000, 1000);
  const { parts, isTruncated } = ctx.deps.multipart.listParts(id, marker, maxParts);
  sendXml(ctx, 200, 'ListPartsResult', {
    Bucket: bucket,
    Key: key,
    UploadId: id,
    Initiator: owner(ctx),
    Owner: owner(ctx),
    StorageClass: upload.attributes.storageClass ?? 'STANDARD',
    PartNumberMarker: String(marker),
    ...(parts.length > 0 ? { NextPartNumberMarker: String(parts.at(-1)!.partNumber) } : {}),
    MaxParts: String(maxParts),
    IsTruncated: String(isTruncated),
    Part: parts.map((p) => ({
      PartNumber: String(p.partNumber),
      LastModified: p.lastModified.toISOString(),
      ETag: `"${p.etag}"`,
      Size: String(p.size),
      ...(p.checksum ? { [`Checksum${p.checksum.algorithm}`]: p.checksum.value } : {}),
    })),
  });
}

export function listMultipartUploads(ctx: S3Context): void {
  const bucket = requireBucket(ctx);
  const prefix = ctx.query.get('prefix') ?? '';
  const delimiter = ctx.query.get('delimiter') || undefined;
  const keyMarker = ctx.query.get('key-marker') ?? undefined;
  const uploadIdMarker = ctx.query.get('upload-id-marker') ?? undefined;
  const maxUploads = Math.min(Number(ctx.query.get('max-uploads') ?? '1000') || 1000, 1000);
  const { encodingType, encode } = listEncoding(ctx.query);
  const all = ctx.deps.multipart.listUploads(bucket, {
    prefix,
    ...(keyMarker !== undefined ? { keyMarker } : {}),
    ...(uploadIdMarker !== undefined ? { uploadIdMarker } : {}),
  });
  const uploads = [];
  const prefixes: string[] = [];
  let truncated = false;
  for (const upload of all) {
    const at = delimiter ? upload.key.indexOf(delimiter, prefix.length) : -1;
    const common = at >= 0 && delimiter ? upload.key.slice(0, at + delimiter.length) : undefined;
    if (common !== undefined && prefixes.includes(common)) continue;
    if (uploads.length + prefixes.length === maxUploads) {
      truncated = true;
      break;
    }
    if (common !== undefined) prefixes.push(common);
    else uploads.push(upload);
  }
  const last = uploads.at(-1);
  sendXml(ctx, 200, 'ListMultipartUploadsResult', {
    Bucket: bucket,
    KeyMarker: encode(keyMarker ?? ''),
    UploadIdMarker: uploadIdMarker ?? '',
    ...(truncated && last
      ? { NextKeyMarker: encode(last.key), NextUploadIdMarker: last.uploadId }
      : {}),
    Prefix: encode(prefix),
    ...(delimiter ? { Delimiter: encode(delimiter) } : {}),
    MaxUploads: String(maxUploads),
    ...(encodingType ? { EncodingType: encodingType } : {}),
    IsTruncated: String(truncated),
    Upload: uploads.map((u) => ({
      Key: encode(u.key),
      UploadId: u.uploadId,
      Initiator: owner(ctx),
      Owner: owner(ctx),
      StorageClass: u.attributes.storageClass ?? 'STANDARD',
      Initiated: u.initiated.toISOString(),
    })),
    CommonPrefixes: prefixes.map((p) => ({ Prefix: encode(p) })),
  });
}
