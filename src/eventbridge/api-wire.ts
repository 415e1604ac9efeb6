/**
 * EventBridge's wire protocol, AWS JSON 1.1: `POST /` with `X-Amz-Target: AWSEvents.<Op>` and
 * `Content-Type: application/x-amz-json-1.1`, signed with SigV4 for service `events`
 * (botocore `events/2015-10-07/service-2.json` metadata: jsonVersion 1.1, targetPrefix
 * AWSEvents, signingName events). Errors are `{"__type", "message"}`: HTTP 400 for client
 * errors, 500 for InternalException (its `fault` trait in the same model). Protocol errors
 * (authentication, unknown operation, bad JSON) use the AWS front end's names, as the
 * Rekognition API does (src/moderation/rekognition-api.ts cites the captures).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { authenticateBuffered, readLimitedBody } from '../http/aws-json-auth.js';
import type { AccessGate, ConditionValues, Credential } from '../iam/types.js';
import { EventBridgeError } from './errors.js';

export const TARGET_PREFIX = 'AWSEvents.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
/**
 * Largest request body read. The biggest request Vigil answers is PutTargets: 10 entries of
 * 8 KiB Input each; TestEventPattern's Event is unbounded in the model, PutEvents caps an
 * entry at 256 KB.
 */
export const MAX_BODY = 1024 * 1024;

/** A failure of the protocol layer rather than of an operation. */
export class WireError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export function readBody(req: IncomingMessage, res: ServerResponse): Promise<Buffer> {
  return readLimitedBody(
    req,
    res,
    MAX_BODY,
    () =>
      new WireError(
        'SerializationException',
        `The request body is over ${MAX_BODY} bytes, more than any EventBridge request Vigil answers needs.`,
      ),
  );
}

/** SigV4 for service `events`; the signature covers the SHA-256 of the body. */
export function authenticate(req: IncomingMessage, body: Buffer, gate: AccessGate): Credential {
  const signed = authenticateBuffered(req, body, gate, 'events', 'EventBridge');
  if ('failure' in signed) throw new WireError(signed.failure.type, signed.failure.message);
  return signed.credential;
}

/**
 * Refuses with EventBridge's `AccessDeniedException` unless the signer may run `operation`:
 * on the rule it names, or on `*` (ListRules, TestEventPattern).
 */
export function authorizeEvents(
  gate: AccessGate,
  credential: Credential,
  operation: string,
  input: Record<string, unknown>,
  scope: { region: string; accountId: string },
  context: ConditionValues,
): void {
  const rule = typeof input['Rule'] === 'string' ? input['Rule'] : input['Name'];
  const resource =
    typeof rule === 'string' && operation !== 'ListRules' && operation !== 'TestEventPattern'
      ? `arn:aws:events:${scope.region}:${scope.accountId}:rule/${rule}`
      : '*';
  const evaluation = gate.authorize(credential.principal, `events:${operation}`, resource, {
    context,
  });
  if (evaluation.decision !== 'Allow')
    throw new WireError('AccessDeniedException', evaluation.message);
}

/** The request body as a JSON object; an empty body is `{}`, as AWS SDKs send no body for it. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  let input: unknown;
  try {
    input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw new WireError('SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new WireError('SerializationException', 'The request body must be a JSON object.');
  return input as Record<string, unknown>;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  requestId: string,
  body: object,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-RequestId': requestId,
  });
  res.end(text);
}

export function sendError(
  res: ServerResponse,
  requestId: string,
  error: unknown,
  logger: Logger,
  operation: string,
): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  if (error instanceof WireError || error instanceof EventBridgeError) {
    const type = error instanceof WireError ? error.type : error.code;
    const status = error instanceof WireError ? error.status : 400;
    logger.debug({ type, requestId, operation }, error.message);
    sendJson(res, status, requestId, { __type: type, message: error.message });
    return;
  }
  logger.error({ err: error, requestId, operation }, 'internal error in the EventBridge API');
  sendJson(res, 500, requestId, {
    __type: 'InternalException',
    message: 'Internal server error',
  });
}
