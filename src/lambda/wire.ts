/**
 * Lambda's REST-JSON responses: JSON bodies with `x-amzn-RequestId`, and errors as Lambda
 * sends them — the code in `x-amzn-ErrorType`, the body `{"Type":"User","Message":…}`.
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { LambdaError } from './errors.js';

export function sendJson(
  res: ServerResponse,
  status: number,
  requestId: string,
  body?: object,
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
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
  const known = error instanceof LambdaError;
  if (!known)
    logger.error({ err: error, requestId, operation }, 'internal error in the Lambda API');
  else logger.debug({ type: error.code, requestId, operation }, error.message);
  const code = known ? error.code : 'ServiceException';
  const status = known ? error.status : 500;
  const message = known ? error.message : 'An internal error occurred in Vigil.';
  const text = JSON.stringify({ Type: status >= 500 ? 'Service' : 'User', Message: message });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-RequestId': requestId,
    'x-amzn-ErrorType': code,
  });
  res.end(text);
}
