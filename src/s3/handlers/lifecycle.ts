/**
 * Bucket lifecycle: PutBucketLifecycleConfiguration / GetBucketLifecycleConfiguration /
 * DeleteBucketLifecycle. The rules are parsed and validated as S3 does (src/s3/lifecycle.ts)
 * and carried out by the storage scheduler (src/storage/lifecycle-work.ts), which notices a
 * new configuration on its next run (at most `scheduler.maxSleepSeconds` later).
 *
 * `x-amz-transition-default-minimum-object-size` (S3 API reference, PutBucketLifecycleConfiguration):
 * `all_storage_classes_128K` (the default) keeps objects under 128 KB from transitioning;
 * `varies_by_storage_class` lets them go to GLACIER and DEEP_ARCHIVE. Both responses echo it.
 */
import { randomUUID } from 'node:crypto';
import {
  assignRuleIds,
  lifecycleConfigurationXml,
  parseLifecycleConfiguration,
} from '../lifecycle.js';
import {
  header,
  readSmallBody,
  requireBucket,
  sendEmpty,
  sendXml,
  type S3Context,
} from '../context.js';
import { S3Error, invalidArgument } from '../errors.js';
import { parseXmlBody } from '../xml.js';
import type { StoredLifecycle } from '../../storage/index.js';

const MINIMUM_SIZE_HEADER = 'x-amz-transition-default-minimum-object-size';
const MINIMUM_SIZES = new Set(['all_storage_classes_128K', 'varies_by_storage_class']);

export async function putBucketLifecycle(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  ctx.deps.engine.requireBucket(bucket);
  const minimum = header(ctx, MINIMUM_SIZE_HEADER) ?? 'all_storage_classes_128K';
  if (!MINIMUM_SIZES.has(minimum))
    throw invalidArgument('Invalid transition default minimum size', MINIMUM_SIZE_HEADER, minimum);
  const rules = parseLifecycleConfiguration(
    parseXmlBody(await readSmallBody(ctx), 'LifecycleConfiguration'),
  );
  const stored: StoredLifecycle = {
    // S3 names a rule sent without an ID; GetBucketLifecycleConfiguration shows that name.
    rules: assignRuleIds(rules, () => Buffer.from(randomUUID()).toString('base64')),
    transitionDefaultMinimumSize: minimum as StoredLifecycle['transitionDefaultMinimumSize'],
  };
  ctx.deps.engine.putLifecycleConfiguration(bucket, JSON.stringify(stored));
  sendEmpty(ctx, 200, { [MINIMUM_SIZE_HEADER]: minimum });
}

export function getBucketLifecycle(ctx: S3Context): void {
  const bucket = requireBucket(ctx);
  const json = ctx.deps.engine.getLifecycleConfiguration(bucket);
  if (json === undefined)
    throw new S3Error('NoSuchLifecycleConfiguration', undefined, { BucketName: bucket });
  const stored = JSON.parse(json) as StoredLifecycle;
  sendXml(ctx, 200, 'LifecycleConfiguration', lifecycleConfigurationXml(stored.rules), {
    [MINIMUM_SIZE_HEADER]: stored.transitionDefaultMinimumSize,
  });
}

export function deleteBucketLifecycle(ctx: S3Context): void {
  ctx.deps.engine.putLifecycleConfiguration(requireBucket(ctx), undefined);
  sendEmpty(ctx, 204);
}
