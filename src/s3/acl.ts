import { S3Error } from './errors.js';
import { header, type S3Context } from './context.js';

/** Canned ACLs that mean "only the owner": accepted and ignored, since every object is private. */
const PRIVATE_CANNED_ACLS = new Set(['private', 'bucket-owner-full-control', 'bucket-owner-read']);

/**
 * Vigil keeps every bucket and object private. Requests that merely restate that are
 * accepted; requests that need a public or granted ACL get a clear error instead of a
 * silent no-op that would leave the client believing something is public.
 */
export function checkAclHeaders(ctx: S3Context): void {
  const canned = header(ctx, 'x-amz-acl');
  if (canned !== undefined && !PRIVATE_CANNED_ACLS.has(canned)) {
    throw new S3Error(
      'NotImplemented',
      `Vigil keeps all objects private: the canned ACL '${canned}' is not supported. Use presigned URLs (or Vigil's gate) to share objects.`,
    );
  }
  const grant = Object.keys(ctx.req.headers).find((name) => name.startsWith('x-amz-grant-'));
  if (grant !== undefined) {
    throw new S3Error(
      'NotImplemented',
      `Vigil keeps all objects private: the ${grant} header is not supported.`,
    );
  }
}
