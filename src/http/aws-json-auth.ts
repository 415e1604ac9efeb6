/**
 * SigV4 for the AWS JSON APIs on Vigil's port (Rekognition, EventBridge): the request must be
 * signed for the service, and the signature must cover the SHA-256 of the body. Failures are
 * named as those APIs' front end names them (`{"__type", "message"}` errors), not in S3's
 * terms that the shared SigV4 verifier uses.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { signingCredential } from '../iam/gate.js';
import type { AccessGate, Credential } from '../iam/types.js';
import { isSigned, verifySigV4 } from '../s3/auth/index.js';
import { S3Error } from '../s3/errors.js';

/** Why a request is refused: the `__type` and `message` of the API's error. */
export interface AwsAuthFailure {
  type: string;
  message: string;
}

/**
 * Checks a JSON API request's signature; undefined when it holds.
 *
 * @example
 * const failure = checkAwsJsonSignature(req, body, lookupSecret, 'events', 'EventBridge');
 * if (failure) throw new WireError(failure.type, failure.message);
 */
export function checkAwsJsonSignature(
  req: IncomingMessage,
  body: Buffer,
  lookupSecret: (accessKeyId: string) => string | undefined,
  service: string,
  apiName: string,
): AwsAuthFailure | undefined {
  const payloadSha256 = createHash('sha256').update(body).digest('hex');
  const request = { method: 'POST', rawUrl: req.url ?? '/', headers: req.headers, payloadSha256 };
  if (!isSigned(request))
    return { type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  try {
    const { payload } = verifySigV4(request, { lookupSecret, services: [service] });
    if (payload.kind === 'sha256' && payload.expectedHex !== payloadSha256)
      return {
        type: 'InvalidSignatureException',
        message: 'The x-amz-content-sha256 header does not match the request body.',
      };
    if (payload.kind !== 'sha256' && payload.kind !== 'unsigned')
      return {
        type: 'IncompleteSignatureException',
        message: `The ${apiName} API does not accept aws-chunked payloads.`,
      };
    return undefined;
  } catch (error) {
    if (error instanceof S3Error) return fromS3AuthError(error);
    throw error;
  }
}

/**
 * Checks a buffered request's signature against the access gate's keys, and a temporary
 * credential's session token: the credential that signed it, or why it is refused (in the
 * AWS JSON APIs' terms; query APIs rename them).
 *
 * @example
 * const signed = authenticateBuffered(req, body, gate, 'iam', 'IAM');
 * if ('failure' in signed) throw new IamError(...);
 * gate.authorize(signed.credential.principal, 'iam:CreateUser', arn);
 */
export function authenticateBuffered(
  req: IncomingMessage,
  body: Buffer,
  gate: AccessGate,
  service: string,
  apiName: string,
): { credential: Credential } | { failure: AwsAuthFailure } {
  const failure = checkAwsJsonSignature(
    req,
    body,
    (id) => gate.credential(id)?.secretAccessKey,
    service,
    apiName,
  );
  if (failure) return { failure };
  const accessKeyId = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '';
  const credential = signingCredential(gate, accessKeyId, req.headers);
  if (!credential)
    return {
      failure: {
        type: 'UnrecognizedClientException',
        message: 'The security token included in the request is invalid.',
      },
    };
  return { credential };
}

/** The service a request is signed for (its SigV4 credential scope), from header or query. */
export function signedService(req: IncomingMessage): string | undefined {
  const header = /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(
    req.headers.authorization ?? '',
  );
  if (header) return header[1];
  const query = (req.url ?? '').split('?', 2)[1];
  const credential = query ? new URLSearchParams(query).get('X-Amz-Credential') : null;
  return credential?.split('/')[3];
}

/** SigV4 verification reports in S3's terms; AWS JSON services use these names instead. */
export function fromS3AuthError(error: S3Error): AwsAuthFailure {
  switch (error.code) {
    case 'InvalidAccessKeyId':
      return {
        type: 'UnrecognizedClientException',
        message: 'The security token included in the request is invalid.',
      };
    case 'SignatureDoesNotMatch':
      return {
        type: 'InvalidSignatureException',
        message:
          'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      };
    case 'RequestTimeTooSkewed':
      return {
        type: 'InvalidSignatureException',
        message: `Signature expired: request time ${error.details['RequestTime'] ?? '?'} is more than ${Number(error.details['MaxAllowedSkewMilliseconds'] ?? 0) / 60_000} min from server time ${error.details['ServerTime'] ?? '?'}.`,
      };
    default:
      return { type: 'IncompleteSignatureException', message: error.message };
  }
}

/**
 * A JSON API request's body, refused with `tooLarge()` past `max` bytes. The rest of an
 * oversized body stays unread, so the response closes the connection.
 */
export async function readLimitedBody(
  req: IncomingMessage,
  res: ServerResponse,
  max: number,
  tooLarge: () => Error,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      res.setHeader('connection', 'close');
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
