import { randomBytes } from 'node:crypto';

/** S3-shaped request ids: `x-amz-request-id` (16 hex) and `x-amz-id-2` (base64). */
export function newRequestIds(): { requestId: string; hostId: string } {
  const bytes = randomBytes(56);
  return {
    requestId: bytes.subarray(0, 8).toString('hex').toUpperCase(),
    hostId: bytes.subarray(8).toString('base64'),
  };
}
