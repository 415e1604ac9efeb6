import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Route } from '../http/server.js';
import {
  PROTOCOL_WIRE_ERRORS,
  QUEUE_WIRE_ERRORS,
  SqsProtocolError,
  sendSqsError,
} from './sqs-errors.js';
import type { TrustedProxies } from '../iam/request-context.js';
import type { AccessGate } from '../iam/types.js';
import {
  authenticate,
  authorizeSqs,
  isOutOfSpace,
  readBody,
  senderIdOf,
  UNSUPPORTED,
} from './sqs-auth.js';
import { Input } from './sqs-input.js';
import { MESSAGE_OPERATIONS } from './sqs-message-operations.js';
import { QUEUE_OPERATIONS, type Operation } from './sqs-queue-operations.js';
import type { QueueService } from './store.js';
import { QueueError } from './types.js';

export interface SqsRouteOptions {
  queues: QueueService;
  /** Whose keys sign requests, and what they may do. */
  gate: AccessGate;
  /** Proxies whose X-Forwarded-For is believed for `aws:SourceIp`. */
  proxies?: TrustedProxies;
  /** Must be the region the QueueService was built with (queue ARNs carry it). */
  region: string;
  accountId: string;
  logger: Logger;
  /** Largest request body read. Default 8 MiB (a 1 MiB batch, JSON-escaped). */
  maxBodyBytes?: number;
}

const TARGET_PREFIX = 'AmazonSQS.';
const OPERATIONS: Record<string, Operation> = { ...QUEUE_OPERATIONS, ...MESSAGE_OPERATIONS };

/**
 * The SQS API on Vigil's port: AWS JSON 1.0 (`X-Amz-Target: AmazonSQS.<Operation>`), every
 * request signed with SigV4 for service `sqs`, so `@aws-sdk/client-sqs` works unchanged.
 * Queue URLs are `http://<Host header>/<account>/<queue>`.
 *
 * @example
 * const http = createHttpServer({ s3, logger, routes: [createSqsRoute({ queues,
 *   gate, region, accountId, logger })] });
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
        const credential = authenticate(req, body, options);
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
        const input = Input.parse(body);
        authorizeSqs(options, credential, operation, input.members, req);
        const output = await run(
          {
            queues: options.queues,
            accountId: options.accountId,
            host: req.headers.host ?? 'localhost',
            senderId: senderIdOf(credential),
            signal: aborted.signal,
          },
          input,
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

function sendJson(res: ServerResponse, requestId: string, output: object): void {
  const body = JSON.stringify(output);
  res.writeHead(200, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
  });
  res.end(body);
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}
