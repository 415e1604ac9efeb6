/**
 * ACLs as S3 has them on a bucket with Object Ownership "bucket owner enforced" (the default
 * for new buckets since April 2023): every bucket and object belongs to the bucket owner,
 * reading an ACL shows the owner's full control, and setting one that grants anyone else is
 * refused with S3's own 400 — at once, so clients such as s3cmd do not retry it as they
 * retry a 501. Vigil shares objects through presigned URLs and its gate instead.
 */
import { S3Error } from './errors.js';
import { header, type S3Context } from './context.js';
import { text, type XmlNode } from './xml.js';

/** Canned ACLs that grant the owner alone: accepted, and nothing changes. */
const OWNER_ONLY_CANNED_ACLS = new Set([
  'private',
  'bucket-owner-full-control',
  'bucket-owner-read',
]);

/**
 * Refuses a write that asks for an ACL granting anyone but the owner: `x-amz-acl` other than
 * an owner-only canned ACL, or any `x-amz-grant-*` header.
 *
 * @param target `bucket` for CreateBucket (S3: `InvalidBucketAclWithObjectOwnership`),
 *   `object` for object writes and PutObjectAcl / PutBucketAcl (`AccessControlListNotSupported`).
 */
export function checkAclHeaders(ctx: S3Context, target: 'bucket' | 'object' = 'object'): void {
  const canned = header(ctx, 'x-amz-acl');
  const grant = Object.keys(ctx.req.headers).find((name) => name.startsWith('x-amz-grant-'));
  if ((canned === undefined || OWNER_ONLY_CANNED_ACLS.has(canned)) && grant === undefined) return;
  throw aclRefused(target);
}

export function aclRefused(target: 'bucket' | 'object'): S3Error {
  return new S3Error(
    target === 'bucket' ? 'InvalidBucketAclWithObjectOwnership' : 'AccessControlListNotSupported',
  );
}

/**
 * Whether an `AccessControlPolicy` document grants only `ownerId` (as a canonical user),
 * which changes nothing on a bucket whose owner has full control anyway.
 */
export function grantsOwnerOnly(policy: XmlNode, ownerId: string): boolean {
  const list = policy['AccessControlList'];
  const grants =
    typeof list === 'object' && list !== null ? ((list as XmlNode)['Grant'] ?? []) : [];
  return (grants as XmlNode[]).every((grant) => {
    const grantee = grant['Grantee'];
    return (
      typeof grantee === 'object' &&
      grantee !== null &&
      text(grantee as XmlNode, 'ID') === ownerId &&
      text(grantee as XmlNode, 'URI') === undefined &&
      text(grantee as XmlNode, 'EmailAddress') === undefined
    );
  });
}
