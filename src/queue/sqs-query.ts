import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Route } from '../http/server.js';
import type { SqsRouteOptions } from './sqs-api.js';
import { PROTOCOL_WIRE_ERRORS, QUEUE_WIRE_ERRORS, SqsProtocolError } from './sqs-errors.js';
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
import { QueueError } from './types.js';
import { QUEUE_OPERATIONS, type Operation } from './sqs-queue-operations.js';
import {
  QUERY_SHAPES,
  decodeQueryInput,
  queryErrorXml,
  queryResponseXml,
  type QueryShape,
} from './sqs-query-wire.js';

const OPERATIONS: Record<string, Operation> = { ...QUEUE_OPERATIONS, ...MESSAGE_OPERATIONS };
/** The endpoint root, where botocore posts, or a queue URL's path, where older SDKs post. */
const QUERY_PATH = /^\/(?:\d{12}\/[^/?]+\/?)?$/;
const FORM = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/** An error of the query protocol that has no place in the shared catalogues. */
class QueryError extends Error {
  constructor(
    readonly code: 'MissingAction',
    message: string,
  ) {
    super(message);
  }
}

interface WireFault {
  status: number;
  fault: 'Sender' | 'Receiver';
  code: string;
  message: string;
}

/**
 * True for what can only be an SQS query request: a POST of a URL-encoded form to `/` or to
 * `/<12-digit account>/<queue>`, without a query string. S3 has no such request: its form
 * uploads are multipart/form-data to a bucket, and its POSTs to keys carry `?uploads` or
 * `?uploadId=`; S3 would refuse these with MethodNotAllowed. The body (and its `Action`) is
 * read only once the route has the request.
 */
export function isSqsQueryRequest(
  req: Pick<IncomingMessage, 'method' | 'url' | 'headers'>,
): boolean {
  return (
    req.method === 'POST' &&
    req.headers['x-amz-target'] === undefined &&
    FORM.test(req.headers['content-type'] ?? '') &&
    QUERY_PATH.test(req.url ?? '')
  );
}

/**
 * SQS's query protocol (form-encoded `Action=…&Version=2012-11-05`, XML answers) on Vigil's
 * port, for clients built on SQS's older query model, such as Debian 12's aws-cli 2.9.
 * Requests are read into the members of the JSON API's operations and run by them; only the
 * encoding differs. Signed with SigV4 for service `sqs`, the body's hash included.
 *
 * @example
 * const http = createHttpServer({ s3, logger, routes: [createSqsRoute(options),
 *   createSqsQueryRoute(options)] });
 * // /usr/bin/aws --endpoint-url http://127.0.0.1:9000 sqs list-queues   (Debian's aws-cli 2.9)
 */
export function createSqsQueryRoute(options: SqsRouteOptions): Route {
  if (
    options.queues.scope.region !== options.region ||
    options.queues.scope.accountId !== options.accountId
  ) {
    throw new Error('createSqsQueryRoute: region and accountId must be those of the QueueService');
  }
  const maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const base = { queues: options.queues, accountId: options.accountId };
  return {
    name: 'sqs-query',
    matches: isSqsQueryRequest,
    handle: async (req, res, ids) => {
      const aborted = new AbortController();
      res.once('close', () => aborted.abort());
      let action: string | undefined;
      try {
        if (req.headers.expect?.toLowerCase() === '100-continue') res.writeContinue();
        const body = await readBody(req, res, maxBodyBytes);
        const credential = authenticate(req, body, options);
        const params = new URLSearchParams(body.toString('utf8'));
        action = params.get('Action') ?? '';
        const { run, shape } = operationOf(action);
        const members = decodeQueryInput(shape.input, params);
        const host = req.headers.host ?? 'localhost';
        // Older SDKs post to the queue URL and leave QueueUrl out of the form.
        const path = (req.url ?? '/').replace(/\/$/, '');
        if (path !== '' && shape.input['QueueUrl'] && members['QueueUrl'] === undefined) {
          members['QueueUrl'] = `http://${host}${path}`;
        }
        authorizeSqs(options, credential, action, members, req);
        const context = { ...base, host, senderId: senderIdOf(credential), signal: aborted.signal };
        const output = (await run(context, new Input(members))) as Record<string, unknown>;
        // A long poll whose client went away has nobody to answer.
        if (!res.destroyed) send(res, 200, ids, queryResponseXml(action, output, ids.requestId));
      } catch (error) {
        if (res.headersSent || res.destroyed) {
          res.destroy();
          return;
        }
        const fault = faultOf(error, options, action);
        send(res, fault.status, ids, queryErrorXml(fault, ids.requestId));
      }
    },
  };
}

function operationOf(action: string): { run: Operation; shape: QueryShape } {
  if (action === '') {
    throw new QueryError('MissingAction', 'The request must contain the parameter Action.');
  }
  const run = OPERATIONS[action];
  const shape = QUERY_SHAPES[action];
  if (run && shape) return { run, shape };
  if (UNSUPPORTED.has(action)) {
    throw new QueueError(
      'UnsupportedOperation',
      `Vigil does not support the SQS operation ${action}.`,
    );
  }
  throw new SqsProtocolError(
    'InvalidAction',
    `The action ${action} is not valid for this endpoint.`,
  );
}

function faultOf(error: unknown, options: SqsRouteOptions, action: string | undefined): WireFault {
  const fault = (
    wire: { status: number; fault: 'Sender' | 'Receiver'; queryCode: string },
    message: string,
  ): WireFault => ({ status: wire.status, fault: wire.fault, code: wire.queryCode, message });
  if (error instanceof QueueError) return fault(QUEUE_WIRE_ERRORS[error.code], error.message);
  if (error instanceof SqsProtocolError) {
    return fault(PROTOCOL_WIRE_ERRORS[error.code], error.message);
  }
  if (error instanceof QueryError) {
    return { status: 400, fault: 'Sender', code: error.code, message: error.message };
  }
  if (isOutOfSpace(error)) {
    options.logger.error({ err: error, action }, 'data directory is out of space');
    return fault(
      PROTOCOL_WIRE_ERRORS.ServiceUnavailable,
      "Vigil's data directory is out of space; nothing was written.",
    );
  }
  options.logger.error({ err: error, action }, 'internal error in the SQS query API');
  return fault(
    PROTOCOL_WIRE_ERRORS.InternalFailure,
    'The request processing has failed because of an unknown error.',
  );
}

function send(res: ServerResponse, status: number, ids: { requestId: string }, xml: string): void {
  res.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(xml),
    'x-amzn-RequestId': ids.requestId,
  });
  res.end(xml);
}
