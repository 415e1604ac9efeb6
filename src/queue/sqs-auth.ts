/**
 * What the two wire protocols of the SQS API (JSON, and the older form-encoded query
 * protocol) share: SigV4 verification of a buffered body, reading the body, and the list of
 * SQS operations Vigil's queues do not offer.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { signingCredential } from '../iam/gate.js';
import { requestConditionKeys, type TrustedProxies } from '../iam/request-context.js';
import type { AccessGate, Credential } from '../iam/types.js';
import { isSigned, verifySigV4 } from '../s3/auth/index.js';
import { S3Error } from '../s3/errors.js';
import { SqsProtocolError } from './sqs-errors.js';
import { QueueError } from './types.js';

/** Operations of the SQS API that Vigil's queues do not offer. */
export const UNSUPPORTED = new Set([
  'AddPermission',
  'RemovePermission',
  'TagQueue',
  'UntagQueue',
  'ListQueueTags',
  'ListDeadLetterSourceQueues',
  'StartMessageMoveTask',
  'CancelMessageMoveTask',
  'ListMessageMoveTasks',
]);

/**
 * Verifies the SigV4 signature (its payload hash covers the body) and a temporary
 * credential's session token; returns the credential that signed.
 */
export function authenticate(
  req: IncomingMessage,
  body: Buffer,
  options: { gate: AccessGate },
): Credential {
  const payloadSha256 = createHash('sha256').update(body).digest('hex');
  const request = {
    method: req.method ?? 'POST',
    rawUrl: req.url ?? '/',
    headers: req.headers,
    payloadSha256,
  };
  if (!isSigned(request)) {
    throw new SqsProtocolError(
      'MissingAuthenticationToken',
      'Request is missing Authentication Token',
    );
  }
  try {
    const verified = verifySigV4(request, {
      lookupSecret: (id) => options.gate.credential(id)?.secretAccessKey,
      services: ['sqs'],
    });
    const payload = verified.payload;
    if (payload.kind === 'sha256' && payload.expectedHex !== payloadSha256) {
      throw new SqsProtocolError(
        'SignatureDoesNotMatch',
        'The x-amz-content-sha256 header does not match the request body.',
      );
    }
    if (payload.kind !== 'sha256' && payload.kind !== 'unsigned') {
      throw new SqsProtocolError(
        'IncompleteSignature',
        'The SQS API does not accept aws-chunked payloads.',
      );
    }
    const credential = signingCredential(options.gate, verified.accessKeyId, req.headers);
    if (!credential)
      throw new SqsProtocolError(
        'InvalidClientTokenId',
        'The security token included in the request is invalid.',
      );
    return credential;
  } catch (error) {
    if (error instanceof S3Error) throw fromS3AuthError(error);
    throw error;
  }
}

/** The batch operations need the permission of the single one they repeat. */
const ACTION_OF: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

/**
 * Refuses with `AccessDenied` unless the signer may run `operation` on the queue the input
 * names (`QueueUrl`, or `QueueName` for CreateQueue and GetQueueUrl); ListQueues is on `*`.
 */
export function authorizeSqs(
  options: { gate: AccessGate; region: string; accountId: string; proxies?: TrustedProxies },
  credential: Credential,
  operation: string,
  input: Record<string, unknown>,
  req: IncomingMessage,
): void {
  const url = typeof input['QueueUrl'] === 'string' ? input['QueueUrl'] : undefined;
  const name =
    typeof input['QueueName'] === 'string'
      ? input['QueueName']
      : url?.replace(/\/+$/, '').split('/').pop();
  const resource = name ? `arn:aws:sqs:${options.region}:${options.accountId}:${name}` : '*';
  const action = `sqs:${ACTION_OF[operation] ?? operation}`;
  const evaluation = options.gate.authorize(credential.principal, action, resource, {
    context: requestConditionKeys(req, options.proxies),
  });
  if (evaluation.decision !== 'Allow')
    throw new SqsProtocolError('AccessDenied', evaluation.message);
}

/** SQS's `SenderId`: the signer's user id (an IAM user's `AIDA…`), or the root key's id. */
export function senderIdOf(credential: Credential): string {
  return credential.principal.kind === 'root'
    ? credential.accessKeyId
    : credential.principal.userId;
}

/** SigV4 verification reports in S3's terms; SQS has its own names for the same faults. */
export function fromS3AuthError(error: S3Error): SqsProtocolError {
  switch (error.code) {
    case 'InvalidAccessKeyId':
      return new SqsProtocolError(
        'InvalidClientTokenId',
        'The security token included in the request is invalid.',
      );
    case 'SignatureDoesNotMatch':
      return new SqsProtocolError(
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      );
    case 'RequestTimeTooSkewed':
      return new SqsProtocolError('RequestExpired', `Signature expired: ${error.message}`);
    default:
      return new SqsProtocolError('IncompleteSignature', error.message);
  }
}

export async function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      // The rest of the body is not read: the connection cannot be reused.
      res.setHeader('connection', 'close');
      throw new QueueError(
        'InvalidParameterValue',
        `The request body is larger than ${limit} bytes.`,
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function isOutOfSpace(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL';
}
