/**
 * What becomes of one handler run: its log text (cut at a limit), a run that could not start,
 * and the answer of a synchronous invocation (Lambda's RequestResponse).
 */
import { errorPayload } from './error-payload.js';
import type { AttemptResult } from './function-worker.js';
import { billedDurationMs, renderAttempt } from './log-format.js';
import { FunctionRuntimeError, type ResolvedFunction, type SyncInvocationResult } from './types.js';

/** Output kept per attempt; the rest is cut (CloudWatch's event limit is 256 KB as well). */
export const MAX_ATTEMPT_LOG_BYTES = 256 * 1024;
/** Lambda's limit on a synchronous invocation's request and response payloads (6 MB). */
export const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;

export function joinLogs(lines: string[]): string {
  let text = lines.map((l) => `${l}\n`).join('');
  if (Buffer.byteLength(text) > MAX_ATTEMPT_LOG_BYTES) {
    const cut = Buffer.from(text).subarray(0, MAX_ATTEMPT_LOG_BYTES).toString('utf8');
    text = `${cut}\n[Vigil: output cut at ${MAX_ATTEMPT_LOG_BYTES} bytes]\n`;
  }
  return text;
}

/** The worker could not even start (a bad module URL, out of threads): a failed attempt. */
export function crashed(error: unknown): AttemptResult {
  return {
    outcome: 'crash',
    error: errorPayload(error),
    durationMs: 0,
    initDurationMs: null,
    maxMemoryUsedMb: null,
    logs: [],
  };
}

/** Refuses a synchronous payload Lambda would refuse: over 6 MB, or not JSON. */
export function checkSyncPayload(payload: string): void {
  if (Buffer.byteLength(payload) > MAX_SYNC_PAYLOAD_BYTES)
    throw new FunctionRuntimeError(
      'RequestEntityTooLargeException',
      `Request must be smaller than ${MAX_SYNC_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
    );
  try {
    JSON.parse(payload);
  } catch {
    throw new FunctionRuntimeError(
      'InvalidRequestContentException',
      'Could not parse request body into json: the payload is not valid JSON.',
    );
  }
}

/** A synchronous invocation's answer: the result or error payload, and the attempt's log. */
export function syncResult(
  fn: ResolvedFunction,
  requestId: string,
  result: AttemptResult,
  times: { startedAt: number; endedAt: number },
): SyncInvocationResult {
  let error = result.error;
  const answer = result.result ?? 'null';
  if (!error && Buffer.byteLength(answer) > MAX_SYNC_PAYLOAD_BYTES)
    error = {
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_SYNC_PAYLOAD_BYTES} bytes).`,
    };
  const logs = renderAttempt(requestId, {
    attempt: 1,
    ...times,
    outcome: result.outcome,
    durationMs: result.durationMs,
    billedDurationMs: billedDurationMs(result.durationMs),
    initDurationMs: result.initDurationMs,
    memorySizeMb: fn.memoryMb,
    maxMemoryUsedMb: result.maxMemoryUsedMb,
    error: error ?? null,
    logs: joinLogs(result.logs),
  });
  return error
    ? { requestId, payload: JSON.stringify(error), error, logs }
    : { requestId, payload: answer, logs };
}
