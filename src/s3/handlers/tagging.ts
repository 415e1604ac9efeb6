import {
  changeContext,
  readSmallBody,
  requireBucket,
  requireKey,
  sendEmpty,
  sendXml,
  type S3Context,
} from '../context.js';
import { requestTagContext } from '../permissions.js';
import { parseTaggingXml } from '../tagging.js';
import { versionHeaders, versionIdParam } from '../versioning.js';

export async function putObjectTagging(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  const versionId = versionIdParam(ctx);
  // The permission may depend on the tags asked for (s3:RequestObjectTag), so it is checked
  // once the body is read.
  const tags = parseTaggingXml(await readSmallBody(ctx));
  ctx.access.check({
    action: versionId === undefined ? 's3:PutObjectTagging' : 's3:PutObjectVersionTagging',
    bucket,
    key,
    context: {
      ...(versionId === undefined ? {} : { 's3:versionid': versionId }),
      ...requestTagContext(tags),
    },
  });
  ctx.deps.engine.headObject(bucket, key, versionId);
  const object = await ctx.deps.engine.putTags(bucket, key, tags, changeContext(ctx), versionId);
  sendEmpty(ctx, 200, versionHeaders(ctx, bucket, object, versionId !== undefined));
}

export function getObjectTagging(ctx: S3Context): void {
  const bucket = requireBucket(ctx);
  const versionId = versionIdParam(ctx);
  const object = ctx.deps.engine.headObject(bucket, requireKey(ctx), versionId);
  sendXml(
    ctx,
    200,
    'Tagging',
    { TagSet: { Tag: object.tags.map((t) => ({ Key: t.Key, Value: t.Value })) } },
    versionHeaders(ctx, bucket, object, versionId !== undefined),
  );
}

export async function deleteObjectTagging(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  const versionId = versionIdParam(ctx);
  const object = await ctx.deps.engine.deleteTags(
    bucket,
    requireKey(ctx),
    changeContext(ctx),
    versionId,
  );
  sendEmpty(ctx, 204, versionHeaders(ctx, bucket, object, versionId !== undefined));
}
