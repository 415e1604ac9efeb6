import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Route } from '../http/server.js';
import { isSigned, verifySigV4 } from '../s3/auth/index.js';
import { S3Error } from '../s3/errors.js';
import {
  PROTOCOL_WIRE_ERRORS,
  QUEUE_WIRE_ERRORS,
  SqsProtocolError,
  sendSqsError,
} from './sqs-errors.js';
import { Input } from './sqs-input.js';
import { MESSAGE_OPERATIONS } from './sqs-message-operations.js';
import { QUEUE_OPERATIONS, type Operation } from './sqs-queue-operations.js';
import type { QueueService } from './store.js';
import { QueueError } from './types.js';

export interface SqsRouteOptions {
  queues: QueueService;
  /** The secret of an access key id, or undefined when the key is unknown. */
  lookupSecret(accessKeyId: string): string | undefined;
  /** Must be the region the QueueService was built with (queue ARNs carry it). */
  region: string;
  accountId: string;
  logger: Logger;
  /** Largest request body read. Default 8 MiB (a 1 MiB batch, JSON-escaped). */
  maxBodyBytes?: number;
}

const TARGET_PREFIX = 'AmazonSQS.';
const OPERATIONS: Record<string, Operation> = { ...QUEUE_OPERATIONS, ...MESSAGE_OPERATIONS };
/** Operations of the SQS API that Vigil's queues do not offer. */
const UNSUPPORTED = new Set([
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
 * The SQS API on Vigil's port: AWS JSON 1.0 (`X-Amz-Target: AmazonSQS.<Operation>`), every
 * request signed with SigV4 for service `sqs`, so `@aws-sdk/client-sqs` works unchanged.
 * Queue URLs are `http://<Host header>/<account>/<queue>`.
 *
 * @example
 * const http = createHttpServer({ s3, logger, routes: [createSqsRoute({ queues,
 *   lookupSecret: (id) => secrets.get(id), region, accountId, logger })] });
 */
export function createSqsRoute(options: SqsRouteOptions): Route {
  if (
    options.queues.scope.region !== options.region ||
    options.queues.scope.accountId !== options.accountId
  ) {
    throw new Error('createSqsRoute: region and accountId must be those of the QueueService');
  }
  const maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
  return {
    name: 'sqs',
    matches: (req) =>
      req.method === 'POST' && headerValue(req, 'x-amz-target')?.startsWith(TARGET_PREFIX) === true,
    handle: async (req, res, ids) => {
      const requestId = ids.requestId;
      const aborted = new AbortController();
      res.once('close', () => aborted.abort());
      const operation = headerValue(req, 'x-amz-target')!.slice(TARGET_PREFIX.length);
      try {
        if (req.headers.expect?.toLowerCase() === '100-continue') res.writeContinue();
        const body = await readBody(req, res, maxBodyBytes);
        const senderId = authenticate(req, body, options);
        const run = OPERATIONS[operation];
        if (!run) {
          if (UNSUPPORTED.has(operation)) {
            throw new QueueError(
              'UnsupportedOperation',
              `Vigil does not support the SQS operation ${operation}.`,
            );
          }
          throw new SqsProtocolError(
            'InvalidAction',
            `The action ${operation} is not valid for this endpoint.`,
          );
        }
        const output = await run(
          {
            queues: options.queues,
            accountId: options.accountId,
            host: req.headers.host ?? 'localhost',
            senderId,
            signal: aborted.signal,
          },
          Input.parse(body),
        );
        // A long poll whose client went away has nobody to answer.
        if (!res.destroyed) sendJson(res, requestId, output);
      } catch (error) {
        if (res.headersSent || res.destroyed) {
          res.destroy();
          return;
        }
        if (error instanceof QueueError) {
          sendSqsError(res, QUEUE_WIRE_ERRORS[error.code], error.message, requestId);
        } else if (error instanceof SqsProtocolError) {
          sendSqsError(res, PROTOCOL_WIRE_ERRORS[error.code], error.message, requestId);
        } else if (isOutOfSpace(error)) {
          options.logger.error({ err: error, operation }, 'data directory is out of space');
          sendSqsError(
            res,
            PROTOCOL_WIRE_ERRORS.ServiceUnavailable,
            "Vigil's data directory is out of space; nothing was written.",
            requestId,
          );
        } else {
          options.logger.error({ err: error, operation }, 'internal error in the SQS API');
          sendSqsError(
            res,
            PROTOCOL_WIRE_ERRORS.InternalFailure,
            'The request processing has failed because of an unknown error.',
            requestId,
          );
        }
      }
    },
  };
}

/** Verifies the SigV4 signature (its payload hash covers the body); returns the access key id. */
function authenticate(req: IncomingMessage, body: Buffer, options: SqsRouteOptions): string {
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
      lookupSecret: (id) => options.lookupSecret(id),
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
    return verified.accessKeyId;
  } catch (error) {
    if (error instanceof S3Error) throw fromS3AuthError(error);
    throw error;
  }
}

/** SigV4 verification reports in S3's terms; SQS has its own names for the same faults. */
function fromS3AuthError(error: S3Error): SqsProtocolError {
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

function sendJson(res: ServerResponse, requestId: string, output: object): void {
  const body = JSON.stringify(output);
  res.writeHead(200, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
  });
  res.end(body);
}

async function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Buffer> {
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

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function isOutOfSpace(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL';
}
