/** AWS Signature Version 4 verification of an incoming request, by header or presigned URL. */
import { S3Error, invalidArgument } from '../errors.js';
import { DEFAULT_MAX_SKEW_MS } from './amz-date.js';
import { buildCanonicalRequest, buildStringToSign } from './canonical-request.js';
import {
  headerString,
  unsupportedMechanism,
  type ClaimContext,
  type SignatureClaim,
} from './claim.js';
import { scopeOf } from './credential-scope.js';
import { headerAuthClaim } from './header-auth.js';
import { presignedClaim } from './presigned-auth.js';
import { deriveSigningKey, signHex, signaturesMatch } from './signing-key.js';
import type { AuthOptions, AuthRequest, VerifiedRequest } from './types.js';
import { parseQuery, splitRawUrl, type QueryParameter } from './uri-encoding.js';

const SIGV4_QUERY_MARKERS = new Set(['X-Amz-Algorithm', 'X-Amz-Signature', 'X-Amz-Credential']);
const SIGV2_QUERY_MARKERS = new Set(['AWSAccessKeyId', 'Signature']);

/**
 * True when the request carries any signature (SigV4 or otherwise) and so must go through
 * `verifySigV4`; false for anonymous requests.
 */
export function isSigned(req: AuthRequest): boolean {
  if (req.headers.authorization !== undefined) return true;
  const { query } = splitRawUrl(req.rawUrl);
  if (query === '') return false;
  return parseQuery(query).some(
    ({ name }) => SIGV4_QUERY_MARKERS.has(name) || SIGV2_QUERY_MARKERS.has(name),
  );
}

/**
 * Verifies a SigV4-signed request (Authorization header or presigned URL).
 *
 * @example
 * const verified = verifySigV4(
 *   { method: req.method, rawUrl: req.url, headers: req.headers },
 *   { lookupSecret: (id) => keys.get(id) },
 * );
 * // verified.payload tells how to read the body: see createPayloadDecoder.
 * @throws S3Error for every client fault (malformed, unknown key, expired, mismatch…).
 */
export function verifySigV4(req: AuthRequest, opts: AuthOptions): VerifiedRequest {
  const context: ClaimContext = {
    now: opts.now ?? new Date(),
    maxSkewMs: opts.maxSkewMs ?? DEFAULT_MAX_SKEW_MS,
    services: opts.services ?? ['s3'],
  };
  const parameters = parseQuery(splitRawUrl(req.rawUrl).query);
  const claim = readClaim(req, parameters, context);

  const secret = opts.lookupSecret(claim.credential.accessKeyId);
  if (secret === undefined) {
    throw new S3Error('InvalidAccessKeyId', undefined, {
      AWSAccessKeyId: claim.credential.accessKeyId,
    });
  }
  assertHeadersSigned(req, claim);

  const canonicalRequest = buildCanonicalRequest({
    method: req.method,
    rawUrl: req.rawUrl,
    headers: req.headers,
    signedHeaders: claim.signedHeaders,
    payloadHash: claim.payloadHash,
    ...(claim.location === 'query' ? { omitQueryParameter: 'X-Amz-Signature' } : {}),
  });
  const scope = scopeOf(claim.credential);
  const stringToSign = buildStringToSign(claim.amzDate, scope, canonicalRequest);
  const { date, region, service } = claim.credential;
  const signingKey = deriveSigningKey(secret, date, region, service);
  const expected = signHex(signingKey, stringToSign);
  if (!signaturesMatch(expected, claim.signature)) {
    throw new S3Error('SignatureDoesNotMatch', undefined, {
      AWSAccessKeyId: claim.credential.accessKeyId,
      StringToSign: stringToSign,
      SignatureProvided: claim.signature,
      CanonicalRequest: canonicalRequest,
    });
  }
  return {
    accessKeyId: claim.credential.accessKeyId,
    region,
    service,
    presigned: claim.location === 'query',
    payload: claim.payload,
    signing: { signingKey, seedSignature: expected, amzDate: claim.amzDate, scope },
  };
}

function readClaim(
  req: AuthRequest,
  parameters: readonly QueryParameter[],
  context: ClaimContext,
): SignatureClaim {
  const authorization = headerString(req.headers.authorization);
  const sigV4Query = parameters.some(({ name }) => SIGV4_QUERY_MARKERS.has(name));
  const sigV2Query = parameters.some(({ name }) => SIGV2_QUERY_MARKERS.has(name));
  if (authorization !== undefined && (sigV4Query || sigV2Query)) {
    throw invalidArgument(
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature ' +
        'query string parameter or the Authorization header should be specified',
      'Authorization',
      authorization,
    );
  }
  if (authorization !== undefined) return headerAuthClaim(req, authorization, context);
  if (sigV4Query) return presignedClaim(req, parameters, context);
  if (sigV2Query) throw unsupportedMechanism();
  throw new S3Error('AccessDenied', 'The request is not signed.');
}

/**
 * S3 refuses requests whose `host` or `x-amz-*` headers are present but not signed, so that
 * nobody can add them to a signed request. `x-amz-content-sha256` is tolerated unsigned, as
 * S3 does; it is verified against the body anyway.
 */
function assertHeadersSigned(req: AuthRequest, claim: SignatureClaim): void {
  const signed = new Set(claim.signedHeaders);
  const unsigned = Object.keys(req.headers).filter(
    (name) =>
      (name === 'host' || (name.startsWith('x-amz-') && name !== 'x-amz-content-sha256')) &&
      !signed.has(name),
  );
  if (!signed.has('host') && !unsigned.includes('host')) unsigned.unshift('host');
  if (unsigned.length === 0) return;
  throw new S3Error(
    'AccessDenied',
    'There were headers present in the request which were not signed',
    { HeadersNotSigned: unsigned.join(', ') },
  );
}
