/**
 * Who is calling, and may they: SigV4 for service `lambda` against the access gate's keys,
 * the session token of temporary credentials, then the gate's decision on the action.
 *
 * Lambda is REST-JSON, so unlike the AWS JSON APIs the method varies, and — like every
 * service but S3 — the signature covers the path URI-encoded twice: a function ARN in the
 * path (`arn%3Aaws%3Alambda…`) is signed as `arn%253Aaws%253Alambda…`.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { fromS3AuthError } from '../http/aws-json-auth.js';
import { signingCredential } from '../iam/index.js';
import type { AccessGate, ConditionValues, PolicyDocument, Principal } from '../iam/types.js';
import { isSigned, verifySigV4 } from '../s3/auth/index.js';
import { S3Error } from '../s3/errors.js';
import { LambdaError, type LambdaErrorCode } from './errors.js';

/** The verified caller's principal. */
export function authenticate(req: IncomingMessage, body: Buffer, gate: AccessGate): Principal {
  const payloadSha256 = createHash('sha256').update(body).digest('hex');
  const rawUrl = req.url ?? '/';
  const mark = rawUrl.indexOf('?');
  const path = mark < 0 ? rawUrl : rawUrl.slice(0, mark);
  // Escaping each '%' makes the verifier's decode-once-encode-once produce the double encoding.
  const doubled = path.replaceAll('%', '%25') + (mark < 0 ? '' : rawUrl.slice(mark));
  const request = {
    method: req.method ?? 'GET',
    rawUrl: doubled,
    headers: req.headers,
    payloadSha256,
  };
  if (!isSigned(request))
    throw new LambdaError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  let accessKeyId: string;
  try {
    const verified = verifySigV4(request, {
      lookupSecret: (id) => gate.credential(id)?.secretAccessKey,
      services: ['lambda'],
    });
    const { payload } = verified;
    if (payload.kind === 'sha256' && payload.expectedHex !== payloadSha256)
      throw new LambdaError(
        'InvalidSignatureException',
        'The x-amz-content-sha256 header does not match the request body.',
      );
    if (payload.kind !== 'sha256' && payload.kind !== 'unsigned')
      throw new LambdaError(
        'IncompleteSignatureException',
        'The Lambda API does not accept aws-chunked payloads.',
      );
    accessKeyId = verified.accessKeyId;
  } catch (error) {
    if (!(error instanceof S3Error)) throw error;
    const failure = fromS3AuthError(error);
    throw new LambdaError(failure.type as LambdaErrorCode, failure.message);
  }
  const credential = signingCredential(gate, accessKeyId, req.headers);
  if (!credential)
    throw new LambdaError(
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
    );
  return credential.principal;
}

/** Refuses with Lambda's 403 AccessDeniedException unless the gate allows the action. */
export function authorize(
  gate: AccessGate,
  req: IncomingMessage,
  principal: Principal,
  action: string,
  resource: string,
  resourcePolicy?: PolicyDocument,
  conditionKeys: (req: IncomingMessage) => ConditionValues = peerConditionKeys,
): void {
  const evaluation = gate.authorize(principal, action, resource, {
    ...(resourcePolicy ? { resourcePolicy } : {}),
    context: conditionKeys(req),
  });
  if (evaluation.decision !== 'Allow')
    throw new LambdaError('AccessDeniedException', evaluation.message);
}

/** Condition keys of a request straight from its peer (no proxy in front). */
export function peerConditionKeys(req: IncomingMessage): ConditionValues {
  return {
    'aws:SourceIp': req.socket.remoteAddress?.replace(/^::ffff:/, ''),
    'aws:SecureTransport': 'false',
  };
}
