import { checkCopySourceConditions, parseCopySource } from '../copy-source.js';
import {
  changeContext,
  header,
  requireBucket,
  requireKey,
  sendXml,
  type S3Context,
} from '../context.js';
import { S3Error, invalidArgument } from '../errors.js';
import { validateKey } from '../keys.js';
import { requireReadable, sseHeaders } from '../object-headers.js';
import { versionHeaders } from '../versioning.js';
import { MAX_PUT_SIZE, attributesFromHeaders } from './objects.js';
import type { ObjectAttributes } from '../../storage/index.js';

/**
 * CopyObject: the bytes are copied into a new blob; metadata and tags are copied or
 * replaced per `x-amz-metadata-directive` / `x-amz-tagging-directive`.
 */
export async function copyObject(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  const key = validateKey(requireKey(ctx));
  const source = parseCopySource(ctx);
  const metadataDirective = directive(ctx, 'x-amz-metadata-directive');
  const taggingDirective = directive(ctx, 'x-amz-tagging-directive');
  const requested = attributesFromHeaders(ctx);
  const { engine } = ctx.deps;
  engine.requireBucket(bucket);
  const opened = await engine.openObject(source.bucket, source.key, source.versionId);
  const sourceVersion = versionHeaders(
    ctx,
    source.bucket,
    opened.object,
    source.versionId !== undefined,
  );
  let blob;
  let attributes: ObjectAttributes;
  try {
    const src = opened.object;
    requireReadable(src, { copySource: true });
    checkCopySourceConditions(ctx, src);
    if (src.size > MAX_PUT_SIZE) {
      throw invalidArgument(
        'The specified copy source is larger than the maximum allowable size for a copy source: 5368709120',
        'x-amz-copy-source',
        `${source.bucket}/${source.key}`,
      );
    }
    if (
      source.bucket === bucket &&
      source.key === key &&
      metadataDirective === 'COPY' &&
      taggingDirective === 'COPY' &&
      // Naming a storage class is how S3 users change one in place.
      requested.storageClass === undefined
    ) {
      throw new S3Error(
        'InvalidRequest',
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      );
    }
    attributes = {
      system: metadataDirective === 'REPLACE' ? requested.system : src.system,
      user: metadataDirective === 'REPLACE' ? requested.user : src.user,
      tags: taggingDirective === 'REPLACE' ? requested.tags : src.tags,
      // A copy is STANDARD unless the request names a class (S3 CopyObject).
      ...(requested.storageClass ? { storageClass: requested.storageClass } : {}),
    };
    // A single-part source keeps its full-object checksum: the bytes are identical.
    if (src.checksum && src.partsCount === undefined) attributes.checksum = src.checksum;
    blob = await engine.writeBlob(bucket, opened.stream(0, src.size - 1));
  } finally {
    opened.close();
  }
  const object = await engine.commitObject(
    bucket,
    key,
    blob,
    attributes,
    'copy',
    changeContext(ctx),
  );
  const sourceVersionId = sourceVersion['x-amz-version-id'];
  sendXml(
    ctx,
    200,
    'CopyObjectResult',
    {
      LastModified: object.lastModified.toISOString(),
      ETag: `"${object.etag}"`,
      ...(object.checksum
        ? { [`Checksum${object.checksum.algorithm}`]: object.checksum.value }
        : {}),
    },
    {
      ...versionHeaders(ctx, bucket, object),
      ...sseHeaders(object),
      ...(sourceVersionId !== undefined ? { 'x-amz-copy-source-version-id': sourceVersionId } : {}),
    },
  );
}

function directive(ctx: S3Context, name: string): 'COPY' | 'REPLACE' {
  const value = header(ctx, name) ?? 'COPY';
  if (value !== 'COPY' && value !== 'REPLACE') {
    throw invalidArgument(`Unknown ${name.replace('x-amz-', '')}`, name, value);
  }
  return value;
}
