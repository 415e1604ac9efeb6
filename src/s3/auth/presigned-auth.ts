/** Query-string authentication (presigned URLs): the `X-Amz-*` parameters and their limits. */
import { S3Error } from '../errors.js';
import { formatServerTime, parseAmzDate } from './amz-date.js';
import { SIGV4_ALGORITHM } from './canonical-request.js';
import {
  headerString,
  parseSignedHeaders,
  type ClaimContext,
  type SignatureClaim,
} from './claim.js';
import { parseCredential } from './credential-scope.js';
import { UNSIGNED_PAYLOAD, parsePayloadMode } from './payload-hash.js';
import type { AuthRequest } from './types.js';
import type { QueryParameter } from './uri-encoding.js';

/** SigV4 signing keys are valid for seven days, so presigned URLs are too. */
export const MAX_PRESIGNED_EXPIRES_SECONDS = 7 * 24 * 60 * 60;

const REQUIRED = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Signature',
  'X-Amz-Date',
  'X-Amz-SignedHeaders',
  'X-Amz-Expires',
] as const;

function queryError(message: string): S3Error {
  return new S3Error('AuthorizationQueryParametersError', message);
}

/**
 * Reads and checks everything a presigned URL claims, leaving only the signature to verify.
 * The payload is `UNSIGNED-PAYLOAD` unless `X-Amz-Content-Sha256` (query or header) says
 * otherwise.
 */
export function presignedClaim(
  req: AuthRequest,
  parameters: readonly QueryParameter[],
  context: ClaimContext,
): SignatureClaim {
  const get = (name: string) => parameters.find((parameter) => parameter.name === name)?.value;
  if (REQUIRED.some((name) => get(name) === undefined)) {
    throw queryError(
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, ' +
        'X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  const value = (name: (typeof REQUIRED)[number]) => get(name) ?? '';
  if (value('X-Amz-Algorithm') !== SIGV4_ALGORITHM) {
    throw queryError(`X-Amz-Algorithm only supports "${SIGV4_ALGORITHM}"`);
  }
  const amzDate = value('X-Amz-Date');
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt) {
    throw queryError("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  }
  const expiresSeconds = parseExpires(value('X-Amz-Expires'));
  const credential = parseCredential(value('X-Amz-Credential'), 'query', amzDate, context.services);
  const signedHeaders = parseSignedHeaders(value('X-Amz-SignedHeaders'));
  if (!signedHeaders) throw queryError('X-Amz-SignedHeaders is mal-formed.');
  assertPresignedTimeValid(signedAt, value('X-Amz-Expires'), expiresSeconds, context);

  const payloadHash =
    get('X-Amz-Content-Sha256') ??
    headerString(req.headers['x-amz-content-sha256'])?.trim() ??
    UNSIGNED_PAYLOAD;
  return {
    location: 'query',
    credential,
    amzDate,
    signedHeaders,
    signature: value('X-Amz-Signature'),
    payloadHash,
    payload: parsePayloadMode(payloadHash),
  };
}

function parseExpires(raw: string): number {
  if (/^-\d+$/.test(raw)) throw queryError('X-Amz-Expires must be non-negative');
  if (!/^\d+$/.test(raw)) throw queryError('X-Amz-Expires should be a number');
  const seconds = Number(raw);
  if (seconds > MAX_PRESIGNED_EXPIRES_SECONDS) {
    throw queryError(
      'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires ' +
        `must be less than ${MAX_PRESIGNED_EXPIRES_SECONDS} seconds`,
    );
  }
  if (seconds < 1) throw queryError('X-Amz-Expires must be at least 1 second');
  return seconds;
}

/** @throws S3Error `AccessDenied` when the URL has expired or is dated in the future. */
function assertPresignedTimeValid(
  signedAt: Date,
  rawExpires: string,
  expiresSeconds: number,
  context: ClaimContext,
): void {
  const now = context.now.getTime();
  if (signedAt.getTime() - now > context.maxSkewMs) {
    throw new S3Error('AccessDenied', 'Request is not valid yet');
  }
  const expiresAt = new Date(signedAt.getTime() + expiresSeconds * 1000);
  if (now > expiresAt.getTime()) {
    throw new S3Error('AccessDenied', 'Request has expired', {
      'X-Amz-Expires': rawExpires,
      Expires: formatServerTime(expiresAt),
      ServerTime: formatServerTime(context.now),
    });
  }
}
