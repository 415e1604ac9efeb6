/**
 * Vigil's function runtime: Lambda-style handlers in worker threads, invoked asynchronously
 * through a durable queue, with Lambda's retries, on-failure records, invocation log and
 * recursion guard. See docs/functions.md.
 */
export {
  createFunctionRuntime,
  MAX_ASYNC_PAYLOAD_BYTES,
  MAX_SYNC_PAYLOAD_BYTES,
  type FunctionRuntimeOptions,
} from './runtime.js';
export {
  resolveDefinition,
  FunctionConfigError,
  FUNCTION_DEFAULTS,
  LAMBDA_RETRY_DELAYS_SECONDS,
  RESERVED_ENVIRONMENT,
  ROLE_ARN,
} from './definition.js';
export { functionArn } from './environment.js';
export { InvocationStore } from './invocation-store.js';
export { renderAttempt, billedDurationMs } from './log-format.js';
export { invocationView } from './invocation-view.js';
export { onFailureRecord } from './on-failure-record.js';
export {
  parseTraceHeader,
  formatTraceHeader,
  nextTraceHeader,
  recursionDepth,
  exceedsRecursionLimit,
  lineageHash,
  MAX_RECURSIVE_INVOCATIONS,
  type TraceHeader,
  type LineageEntry,
} from './trace.js';
export * from './types.js';
