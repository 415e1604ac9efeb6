import { renderAttempt } from './log-format.js';
import type { InvocationRecord } from './types.js';

/**
 * An invocation as the CLI's `--json` and the admin API show it: the event parsed, and each
 * attempt with its log rendered as Lambda's log stream shows it.
 */
export function invocationView(invocation: InvocationRecord) {
  return {
    ...invocation,
    payload: JSON.parse(invocation.payload) as unknown,
    attemptLog: invocation.attemptLog.map((a) => ({
      ...a,
      rendered: renderAttempt(invocation.requestId, a),
    })),
  };
}
