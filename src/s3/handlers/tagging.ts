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

export async function putObjectTagging(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  ctx.deps.engine.headObject(bucket, key);
  const tags = parseTaggingXml(await readSmallBody(ctx));
  await ctx.deps.engine.putTags(bucket, key, tags, changeContext(ctx));
  sendEmpty(ctx, 200);
}

export function getObjectTagging(ctx: S3Context): void {
  const object = ctx.deps.engine.headObject(requireBucket(ctx), requireKey(ctx));
  sendXml(ctx, 200, 'Tagging', {
    TagSet: { Tag: object.tags.map((t) => ({ Key: t.Key, Value: t.Value })) },
  });
}

export async function deleteObjectTagging(ctx: S3Context): Promise<void> {
  await ctx.deps.engine.deleteTags(requireBucket(ctx), requireKey(ctx), changeContext(ctx));
  sendEmpty(ctx, 204);
}
