/**
 * GetBucketAcl / GetObjectAcl, PutBucketAcl / PutObjectAcl, on buckets whose owner owns
 * everything (src/s3/acl.ts): reads show the owner's full control; writes that grant the
 * owner alone change nothing and succeed, others get S3's `AccessControlListNotSupported`.
 */
import { aclRefused, checkAclHeaders, grantsOwnerOnly } from '../acl.js';
import { readSmallBody, requireBucket, sendEmpty, sendXml, type S3Context } from '../context.js';
import { parseXmlBody } from '../xml.js';
import { ownerId } from './buckets.js';

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

export function getAcl(ctx: S3Context): void {
  requireTarget(ctx);
  const owner = { ID: ownerId(ctx.auth.accessKeyId), DisplayName: 'vigil' };
  sendXml(ctx, 200, 'AccessControlPolicy', {
    Owner: owner,
    AccessControlList: {
      Grant: {
        Grantee: { '@_xmlns:xsi': XSI, '@_xsi:type': 'CanonicalUser', ...owner },
        Permission: 'FULL_CONTROL',
      },
    },
  });
}

export async function putAcl(ctx: S3Context): Promise<void> {
  requireTarget(ctx);
  checkAclHeaders(ctx);
  const body = await readSmallBody(ctx);
  if (
    body.trim() !== '' &&
    !grantsOwnerOnly(parseXmlBody(body, 'AccessControlPolicy'), ownerId(ctx.auth.accessKeyId))
  )
    throw aclRefused('object');
  sendEmpty(ctx, 200);
}

/** The bucket, and the object when the request names one, must exist. */
function requireTarget(ctx: S3Context): void {
  const bucket = requireBucket(ctx);
  if (ctx.key === undefined) ctx.deps.engine.requireBucket(bucket);
  else ctx.deps.engine.headObject(bucket, ctx.key);
}
