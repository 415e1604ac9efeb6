/**
 * Lambda's log lines, as the Node.js runtime writes them to CloudWatch (see the Lambda
 * developer guide, "Log and monitor Node.js Lambda functions"):
 *
 * ```
 * START RequestId: c793869b-… Version: $LATEST
 * 2019-06-07T19:11:20.562Z	c793869b-…	INFO	EVENT …
 * END RequestId: c793869b-…
 * REPORT RequestId: c793869b-…	Duration: 26.73 ms	Billed Duration: 27 ms	Memory Size: 128 MB	Max Memory Used: 75 MB
 * ```
 */
import type { AttemptRecord, FunctionErrorPayload } from './types.js';

export const FUNCTION_VERSION = '$LATEST';

export type LogLevel = 'INFO' | 'WARN' | 'ERROR' | 'DEBUG' | 'TRACE';

/** One console line: `time\trequestId\tLEVEL\tmessage`. */
export function formatLogLine(
  time: Date,
  requestId: string,
  level: LogLevel,
  message: string,
): string {
  return `${time.toISOString()}\t${requestId}\t${level}\t${message}`;
}

/** Lambda bills by the millisecond, rounding up; never less than 1 ms. */
export function billedDurationMs(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs));
}

/** Lambda's timeout wording, e.g. `Task timed out after 3.00 seconds`. */
export function taskTimedOut(seconds: number): string {
  return `Task timed out after ${seconds.toFixed(2)} seconds`;
}

/** The error a timed-out invocation reports (errorType `Sandbox.Timedout`, as Lambda's). */
export function timeoutError(requestId: string, timeoutSeconds: number): FunctionErrorPayload {
  return {
    errorType: 'Sandbox.Timedout',
    errorMessage: `RequestId: ${requestId} Error: ${taskTimedOut(timeoutSeconds)}`,
  };
}

/** The error of a worker that exited in the middle of an invocation (`process.exit`). */
export function exitError(requestId: string, exitCode: number): FunctionErrorPayload {
  return {
    errorType: 'Runtime.ExitError',
    errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status ${exitCode}`,
  };
}

/**
 * Renders one attempt as Lambda's log stream shows it. An attempt still running has only
 * its START line and output so far.
 *
 * @example
 * renderAttempt('8f50…', attempt);
 * // 'START RequestId: 8f50… Version: $LATEST\n…\nEND RequestId: 8f50…\nREPORT RequestId: 8f50…\tDuration: …'
 */
export function renderAttempt(requestId: string, attempt: AttemptRecord): string {
  let text = `START RequestId: ${requestId} Version: ${FUNCTION_VERSION}\n`;
  text += attempt.logs;
  if (attempt.endedAt === null || attempt.outcome === 'interrupted') return text;
  text += `END RequestId: ${requestId}\n`;
  const duration = attempt.durationMs ?? 0;
  const billed = attempt.billedDurationMs ?? billedDurationMs(duration);
  let report =
    `REPORT RequestId: ${requestId}\tDuration: ${duration.toFixed(2)} ms` +
    `\tBilled Duration: ${billed} ms\tMemory Size: ${attempt.memorySizeMb} MB` +
    `\tMax Memory Used: ${attempt.maxMemoryUsedMb ?? 0} MB\t`;
  if (attempt.initDurationMs !== null)
    report += `Init Duration: ${attempt.initDurationMs.toFixed(2)} ms\t`;
  return `${text}${report}\n`;
}
