/**
 * Messages between the runtime (main thread) and a function's worker thread. One worker runs
 * one invocation at a time; messages on a port arrive in order, so every `log` of an
 * invocation arrives before its `done`.
 */
import type { FunctionErrorPayload } from './types.js';

/** `workerData` of a function worker: what stays the same for every invocation. */
export interface WorkerSetup {
  moduleUrl: string;
  handler: string;
  functionName: string;
  invokedFunctionArn: string;
  memoryMb: number;
  logGroupName: string;
  logStreamName: string;
}

/** Main → worker: run the handler once. */
export interface InvokeMessage {
  type: 'invoke';
  requestId: string;
  /** The event as JSON: each attempt parses a fresh copy, as Lambda deserializes each one. */
  payload: string;
  /** Set as `_X_AMZN_TRACE_ID` while the handler runs. */
  traceHeader: string;
  timeoutMs: number;
}

export type WorkerMessage =
  /** One console line, already in Lambda's `time\trequestId\tLEVEL\tmessage` form. */
  | { type: 'log'; line: string }
  /** The module is loaded and the handler is about to be called: the timeout starts. */
  | { type: 'start'; requestId: string; initDurationMs: number | null }
  | {
      type: 'done';
      requestId: string;
      durationMs: number;
      maxMemoryUsedMb: number;
      error?: FunctionErrorPayload;
      /** The handler's result as JSON (`null` when it returned nothing), when it succeeded. */
      result?: string;
      /** The module could not be loaded: the worker must be replaced. */
      initFailed?: boolean;
    };
