import { FUNCTION_VERSION } from './log-format.js';
import type { InvocationRecord, OnFailureRecord } from './types.js';

/**
 * Lambda's invocation record for an event that failed, as sent to an on-failure destination
 * (Lambda developer guide, "Asynchronous invocation", example invocation record). When no
 * attempt ran (the event aged out in the queue, or the recursion guard dropped it) there is
 * no response, and the record carries no `responseContext` or `responsePayload`.
 *
 * @example
 * onFailureRecord(invocation, 'arn:aws:lambda:us-east-1:000000000000:function:resize');
 * // { version: '1.0', timestamp: '…', requestContext: { requestId, functionArn:
 * //   '…:function:resize:$LATEST', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
 * //   requestPayload: {…}, responseContext: { statusCode: 200, executedVersion: '$LATEST',
 * //   functionError: 'Unhandled' }, responsePayload: { errorType, errorMessage, trace } }
 */
export function onFailureRecord(
  invocation: InvocationRecord,
  functionArn: string,
): OnFailureRecord {
  const record: OnFailureRecord = {
    version: '1.0',
    timestamp: new Date(invocation.finishedAt ?? invocation.acceptedAt).toISOString(),
    requestContext: {
      requestId: invocation.requestId,
      functionArn: `${functionArn}:${FUNCTION_VERSION}`,
      condition: invocation.condition ?? 'RetriesExhausted',
      approximateInvokeCount: invocation.attempts,
    },
    requestPayload: JSON.parse(invocation.payload) as unknown,
  };
  if (invocation.attempts > 0 && invocation.lastError) {
    record.responseContext = {
      statusCode: 200,
      executedVersion: FUNCTION_VERSION,
      functionError: 'Unhandled',
    };
    record.responsePayload = invocation.lastError;
  }
  return record;
}
