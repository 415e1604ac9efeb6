/**
 * Bucket policies: PutBucketPolicy / GetBucketPolicy / DeleteBucketPolicy and
 * GetBucketPolicyStatus. A policy is validated as S3 validates it (JSON grammar, resources
 * inside this bucket, S3 actions, principals that exist) and stored as written; S3 returns
 * it byte for byte.
 */
import { parsePolicy } from '../../iam/policy/index.js';
import { PolicyError, type PolicyDocument } from '../../iam/types.js';
import { readSmallBody, requireBucket, sendEmpty, sendXml, type S3Context } from '../context.js';
import { S3Error } from '../errors.js';

/** S3's limit on a bucket policy: 20 KB. */
export const MAX_BUCKET_POLICY_BYTES = 20 * 1024;

export async function putBucketPolicy(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  ctx.deps.engine.requireBucket(bucket);
  const text = await readSmallBody(ctx, MAX_BUCKET_POLICY_BYTES + 1);
  if (Buffer.byteLength(text) > MAX_BUCKET_POLICY_BYTES)
    throw new S3Error('MalformedPolicy', 'Policy exceeds the maximum allowed document size.');
  checkBucketPolicy(ctx, bucket, text);
  ctx.deps.engine.putBucketPolicy(bucket, text);
  sendEmpty(ctx, 204);
}

export function getBucketPolicy(ctx: S3Context): void {
  const bucket = requireBucket(ctx);
  const text = ctx.deps.engine.getBucketPolicy(bucket);
  if (text === undefined)
    throw new S3Error('NoSuchBucketPolicy', undefined, { BucketName: bucket });
  ctx.res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  ctx.res.end(text);
}

export function deleteBucketPolicy(ctx: S3Context): void {
  ctx.deps.engine.putBucketPolicy(requireBucket(ctx), undefined);
  sendEmpty(ctx, 204);
}

/** Public when an Allow reaches everyone (`*`) with no condition to narrow it. */
export function getBucketPolicyStatus(ctx: S3Context): void {
  const bucket = requireBucket(ctx);
  const text = ctx.deps.engine.getBucketPolicy(bucket);
  if (text === undefined)
    throw new S3Error('NoSuchBucketPolicy', undefined, { BucketName: bucket });
  const policy = parsePolicy(text, 'resource');
  sendXml(ctx, 200, 'PolicyStatus', { IsPublic: String(isPublic(policy)) });
}

function isPublic(policy: PolicyDocument): boolean {
  return policy.Statement.some((statement) => {
    if (statement.Effect !== 'Allow' || statement.Condition) return false;
    const principal = statement.Principal;
    if (principal === '*') return true;
    const aws = principal?.AWS;
    return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
  });
}

/** S3's checks, each answered with `MalformedPolicy` and S3's sentence. */
function checkBucketPolicy(ctx: S3Context, bucket: string, text: string): void {
  let policy: PolicyDocument;
  try {
    policy = parsePolicy(text, 'resource', {
      validateResource: (arn) =>
        arn === `arn:aws:s3:::${bucket}` || arn.startsWith(`arn:aws:s3:::${bucket}/`)
          ? undefined
          : 'Policy has invalid resource',
    });
  } catch (error) {
    if (error instanceof PolicyError) throw new S3Error('MalformedPolicy', error.message);
    throw error;
  }
  for (const statement of policy.Statement) {
    for (const action of [...(statement.Action ?? []), ...(statement.NotAction ?? [])])
      if (action !== '*' && !/^s3:/i.test(action))
        throw new S3Error('MalformedPolicy', 'Policy has invalid action');
    for (const block of [statement.Principal, statement.NotPrincipal]) {
      if (block === undefined || block === '*') continue;
      for (const arn of [block.AWS ?? []].flat())
        if (!principalExists(ctx, arn))
          throw new S3Error('MalformedPolicy', 'Invalid principal in policy');
    }
  }
}

/** `*`, an account, or a user or role of this account that exists. */
function principalExists(ctx: S3Context, arn: string): boolean {
  if (arn === '*' || /^\d{12}$/.test(arn)) return true;
  if (/^arn:aws:iam::\d{12}:root$/.test(arn)) return true;
  return ctx.deps.principals?.exists(arn) ?? false;
}
