/**
 * Header authentication: `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…,
 * Signature=…` plus `x-amz-date` and `x-amz-content-sha256`.
 */
import { S3Error } from '../errors.js';
import { assertNotSkewed, requestTimeFromHeaders } from './amz-date.js';
import { SIGV4_ALGORITHM } from './canonical-request.js';
import {
  headerString,
  parseSignedHeaders,
  unsupportedMechanism,
  type ClaimContext,
  type SignatureClaim,
} from './claim.js';
import { malformedAuthorization, parseCredential } from './credential-scope.js';
import { parsePayloadMode } from './payload-hash.js';
import type { AuthRequest } from './types.js';

export interface AuthorizationFields {
  credential: string;
  signedHeaders: string;
  signature: string;
}

/**
 * Parses the Authorization header. Components may be separated by ',' with or without spaces.
 *
 * @example
 * parseAuthorizationHeader('AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request,' +
 *   'SignedHeaders=host;x-amz-date,Signature=abc…');
 * @throws S3Error `InvalidRequest` for other schemes (SigV2 `AWS AKID:sig`, SigV4a),
 *   `AuthorizationHeaderMalformed` when a component is missing.
 */
export function parseAuthorizationHeader(value: string): AuthorizationFields {
  const trimmed = value.trim();
  const space = trimmed.search(/\s/);
  const scheme = space < 0 ? trimmed : trimmed.slice(0, space);
  if (scheme !== SIGV4_ALGORITHM) throw unsupportedMechanism();
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(space + 1).split(',')) {
    const equals = part.indexOf('=');
    if (equals < 0) {
      if (part.trim() === '') continue;
      throw missingComponents();
    }
    fields.set(part.slice(0, equals).trim(), part.slice(equals + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeaders || !signature) throw missingComponents();
  return { credential, signedHeaders, signature };
}

function missingComponents(): S3Error {
  return malformedAuthorization(
    'header',
    'the authorization header requires three components: Credential, SignedHeaders, and Signature.',
  );
}

/**
 * Reads and checks everything a header-authenticated request claims (credential, time,
 * signed headers, payload hash), leaving only the signature to verify.
 */
export function headerAuthClaim(
  req: AuthRequest,
  authorization: string,
  context: ClaimContext,
): SignatureClaim {
  const fields = parseAuthorizationHeader(authorization);
  const time = requestTimeFromHeaders(
    headerString(req.headers['x-amz-date']),
    headerString(req.headers.date),
  );
  const credential = parseCredential(fields.credential, 'header', time.amzDate, context.services);
  assertNotSkewed(time.date, time.raw, context.now, context.maxSkewMs);
  const signedHeaders = parseSignedHeaders(fields.signedHeaders);
  if (!signedHeaders) {
    throw malformedAuthorization('header', 'the SignedHeaders component is mal-formed.');
  }
  const payloadHash = payloadHashOf(req, credential.service);
  return {
    location: 'header',
    credential,
    amzDate: time.amzDate,
    signedHeaders,
    signature: fields.signature,
    payloadHash,
    payload: parsePayloadMode(payloadHash),
  };
}

function payloadHashOf(req: AuthRequest, service: string): string {
  const header = headerString(req.headers['x-amz-content-sha256'])?.trim();
  if (header !== undefined) return header;
  if (service === 's3') {
    throw new S3Error(
      'InvalidRequest',
      'Missing required header for this request: x-amz-content-sha256',
    );
  }
  if (req.payloadSha256 === undefined) {
    // A server bug rather than a client fault: this service signs the body hash.
    throw new Error(`verifySigV4: service "${service}" needs AuthRequest.payloadSha256`);
  }
  return req.payloadSha256;
}
