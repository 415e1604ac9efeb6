import {
  changeContext,
  readSmallBody,
  requireBucket,
  requireKey,
  sendEmpty,
  sendXml,
  type S3Context,
} from '../context.js';
import { parseTaggingXml } from '../tagging.js';
import { versionHeaders, versionIdParam } from '../versioning.js';

export async function putObjectTagging(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  const versionId = versionIdParam(ctx);
  ctx.deps.engine.headObject(bucket, key, versionId);
  const tags = parseTaggingXml(await readSmallBody(ctx));
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
