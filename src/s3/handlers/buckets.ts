import { createHash } from 'node:crypto';
import { checkAclHeaders } from '../acl.js';
import { bucketNameProblem } from '../bucket-name.js';
import { readSmallBody, requireBucket, sendEmpty, sendXml, type S3Context } from '../context.js';
import { S3Error, invalidArgument } from '../errors.js';
import { parseVersioningStatus } from '../versioning.js';
import { parseXmlBody, text } from '../xml.js';

/** A stable canonical user id for a principal (S3 owners are 64-hex canonical ids). */
export function ownerId(accessKeyId: string): string {
  return createHash('sha256').update(`vigil-owner:${accessKeyId}`).digest('hex');
}

export function listBuckets(ctx: S3Context): void {
  const buckets = ctx.deps.engine.listBuckets();
  sendXml(ctx, 200, 'ListAllMyBucketsResult', {
    Owner: { ID: ownerId(ctx.auth.accessKeyId), DisplayName: 'vigil' },
    Buckets: {
      Bucket: buckets.map((b) => ({
        Name: b.name,
        CreationDate: b.createdAt.toISOString(),
        BucketRegion: b.region,
      })),
    },
  });
}

export async function createBucket(ctx: S3Context): Promise<void> {
  const name = requireBucket(ctx);
  const problem = bucketNameProblem(name);
  if (problem) throw new S3Error('InvalidBucketName', problem, { BucketName: name });
  checkAclHeaders(ctx, 'bucket');
  const body = await readSmallBody(ctx);
  let region = ctx.deps.region;
  if (body.trim() !== '') {
    const constraint = text(parseXmlBody(body, 'CreateBucketConfiguration'), 'LocationConstraint');
    if (constraint) region = constraint;
  }
  const { created } = ctx.deps.engine.createBucket(name, region);
  // As on AWS: re-creating your own bucket is a no-op in us-east-1 and an error elsewhere.
  if (!created && ctx.deps.region !== 'us-east-1') {
    throw new S3Error('BucketAlreadyOwnedByYou', undefined, { BucketName: name });
  }
  sendEmpty(ctx, 200, { location: `/${name}` });
}

export function headBucket(ctx: S3Context): void {
  const bucket = ctx.deps.engine.requireBucket(requireBucket(ctx));
  sendEmpty(ctx, 200, {
    'x-amz-bucket-region': bucket.region,
    'x-amz-access-point-alias': 'false',
  });
}

export async function deleteBucket(ctx: S3Context): Promise<void> {
  await ctx.deps.engine.deleteBucket(requireBucket(ctx));
  sendEmpty(ctx, 204);
}

export function getBucketLocation(ctx: S3Context): void {
  const bucket = ctx.deps.engine.requireBucket(requireBucket(ctx));
  // S3 reports us-east-1 as an empty LocationConstraint.
  sendXml(
    ctx,
    200,
    'LocationConstraint',
    bucket.region === 'us-east-1' ? {} : { '#text': bucket.region },
  );
}

/** Buckets are unversioned (versioning comes later): S3 answers with an empty configuration. */
export function getBucketVersioning(ctx: S3Context): void {
  const status = ctx.deps.engine.getBucketVersioning(requireBucket(ctx));
  sendXml(ctx, 200, 'VersioningConfiguration', status ? { Status: status } : {});
}

export async function putBucketVersioning(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  ctx.deps.engine.requireBucket(bucket);
  const root = parseXmlBody(await readSmallBody(ctx), 'VersioningConfiguration');
  const status = parseVersioningStatus(text(root, 'Status'), text(root, 'MfaDelete'));
  ctx.deps.engine.putBucketVersioning(bucket, status);
  sendEmpty(ctx, 200);
}

export function getBucketTagging(ctx: S3Context): void {
  ctx.deps.engine.requireBucket(requireBucket(ctx));
  throw new S3Error('NoSuchTagSet', undefined, { BucketName: ctx.bucket ?? '' });
}

/**
 * GetBucketEncryption: every bucket encrypts new objects with SSE-S3 (AES256), as S3 does by
 * default since January 2023.
 */
export function getBucketEncryption(ctx: S3Context): void {
  ctx.deps.engine.requireBucket(requireBucket(ctx));
  sendXml(ctx, 200, 'ServerSideEncryptionConfiguration', {
    Rule: {
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
      BucketKeyEnabled: 'false',
    },
  });
}

/** PutBucketEncryption: AES256 is what every bucket does already; KMS is refused. */
export async function putBucketEncryption(ctx: S3Context): Promise<void> {
  ctx.deps.engine.requireBucket(requireBucket(ctx));
  const root = parseXmlBody(await readSmallBody(ctx), 'ServerSideEncryptionConfiguration');
  const rule = root['Rule'];
  const byDefault =
    typeof rule === 'object' && rule !== null && !Array.isArray(rule)
      ? (rule as Record<string, unknown>)['ApplyServerSideEncryptionByDefault']
      : undefined;
  const algorithm =
    typeof byDefault === 'object' && byDefault !== null
      ? text(byDefault as Record<string, unknown>, 'SSEAlgorithm')?.trim()
      : undefined;
  if (algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse')
    throw invalidArgument(
      `Server-side encryption with KMS keys (${algorithm}) is not supported: Vigil has no key management service. Use AES256.`,
      'SSEAlgorithm',
      algorithm,
    );
  if (algorithm !== 'AES256') throw new S3Error('MalformedXML');
  sendEmpty(ctx, 200);
}

/** DeleteBucketEncryption: the bucket goes back to S3's default, which is SSE-S3. */
export function deleteBucketEncryption(ctx: S3Context): void {
  ctx.deps.engine.requireBucket(requireBucket(ctx));
  sendEmpty(ctx, 204);
}
