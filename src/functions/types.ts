/**
 * The contract of Vigil's function runtime: Lambda-style functions run in worker threads,
 * invoked asynchronously (as S3 invokes Lambda) through a durable queue in SQLite, with
 * Lambda's retries, event age, on-failure records, invocation log and recursion guard.
 */
import type { FunctionInvoker } from '../destinations/function.js';

/** A function as declared in Vigil's config. Fields with defaults may be omitted. */
export interface FunctionDefinition {
  /** 1–64 letters, digits, hyphens or underscores (Lambda's function-name rule). */
  name: string;
  /** Absolute path or `file:` URL of the handler's module (ES module or CommonJS). */
  module: string;
  /** The module's export to call. Default `handler`. */
  handler?: string;
  /** 1–900 seconds, default 3 (Lambda's default). The invocation is stopped after it. */
  timeoutSeconds?: number;
  /**
   * 128–10240, default 128. A note: reported in `context.memoryLimitInMB`, the environment
   * and the REPORT line, not enforced.
   */
  memoryMb?: number;
  /** Worker threads in the function's pool: invocations that run at once. 1–1000, default 1. */
  reservedConcurrency?: number;
  /** Extra environment variables for the handler. */
  environment?: Record<string, string>;
  /** Retries after a failed attempt, 0–2, default 2. */
  maximumRetryAttempts?: number;
  /** Age after which an unprocessed event is given up, 60–21600 seconds, default 21600. */
  maximumEventAgeSeconds?: number;
  /** Name of the Vigil queue that receives the invocation record of a failed event. */
  onFailure?: string;
  /**
   * Wait before each retry, in seconds (fractions allowed). Default from the runtime,
   * whose default is Lambda's `[60, 120]`. The last value repeats.
   */
  retryDelaysSeconds?: readonly number[];
  /** `Terminate` (default) stops recursive chains; `Allow` lets them run (Lambda's setting). */
  recursiveLoop?: 'Terminate' | 'Allow';
  /**
   * A handler Vigil provides, run on Vigil's own thread instead of `module` in a worker
   * (see inline-pool.ts). Not available from the config file.
   */
  inline?: InlineHandler;
  /**
   * The execution role's ARN (`arn:aws:iam::<account>:role/<name>`), for functions deployed
   * through the Lambda API. Carried for the credentials the function will run with.
   */
  role?: string;
  /**
   * The root of the function's code package (`LAMBDA_TASK_ROOT`), when the module sits in a
   * subdirectory of it: `_HANDLER` then names the module by its path from there
   * (`src/app.handler`), as Lambda does. Default: the module's directory.
   */
  codeRoot?: string;
}

/** A definition with every default applied and every field checked. */
export interface ResolvedFunction {
  name: string;
  moduleUrl: string;
  handler: string;
  timeoutSeconds: number;
  memoryMb: number;
  reservedConcurrency: number;
  environment: Record<string, string>;
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
  onFailure: string | undefined;
  retryDelaysSeconds: readonly number[];
  recursiveLoop: 'Terminate' | 'Allow';
  inline?: InlineHandler;
  /** The execution role's ARN, when the function has one (deployed through the Lambda API). */
  role?: string;
  /** Absolute path of the code package's root, when set (see `FunctionDefinition.codeRoot`). */
  codeRoot?: string;
}

/**
 * An inline function's handler: Lambda's `(event, context)`, plus where its log lines go and
 * the trace header of the invocation (for the writes it makes, so the recursion guard sees
 * them as an SDK's recursion-detection middleware would send it).
 */
export type InlineHandler = (
  event: unknown,
  context: LambdaContext,
  invocation: {
    log(message: string, level?: 'INFO' | 'WARN' | 'ERROR'): void;
    traceHeader: string;
  },
) => Promise<unknown>;

/** An error as the Node.js Lambda runtime reports it. */
export interface FunctionErrorPayload {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export type InvocationState = 'pending' | 'running' | 'succeeded' | 'failed';

/** Why an event was given up: the `condition` of Lambda's on-failure invocation record. */
export type FailureCondition =
  'RetriesExhausted' | 'EventAgeExceeded' | 'RecursiveInvocationDropped';

export type AttemptOutcome = 'success' | 'error' | 'timeout' | 'crash' | 'interrupted';

/** One run of a handler for an event. */
export interface AttemptRecord {
  attempt: number;
  /** Epoch milliseconds. */
  startedAt: number;
  endedAt: number | null;
  outcome: AttemptOutcome | null;
  durationMs: number | null;
  billedDurationMs: number | null;
  /** Time the worker took to load the module, on the first invocation a worker serves. */
  initDurationMs: number | null;
  memorySizeMb: number;
  maxMemoryUsedMb: number | null;
  error: FunctionErrorPayload | null;
  /** The handler's console output, one Lambda-formatted line per entry. */
  logs: string;
}

/** One accepted event and everything that happened to it. */
export interface InvocationRecord {
  id: number;
  requestId: string;
  functionName: string;
  state: InvocationState;
  /** The event, as JSON. */
  payload: string;
  /** The `_X_AMZN_TRACE_ID` the handler runs with. */
  traceHeader: string;
  /** Epoch milliseconds; the event's age counts from here. */
  acceptedAt: number;
  attempts: number;
  nextAttemptAt: number;
  finishedAt: number | null;
  condition: FailureCondition | null;
  lastError: FunctionErrorPayload | null;
  /** Queue the on-failure record goes to, when the event failed and one is configured. */
  onFailure: string | null;
  onFailureState: 'pending' | 'sent' | null;
  /** Sends of the on-failure record tried so far. */
  onFailureAttempts: number;
  onFailureError: string | null;
  attemptLog: AttemptRecord[];
}

/** Lambda's on-failure invocation record, as sent to the on-failure destination. */
export interface OnFailureRecord {
  version: '1.0';
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: FailureCondition;
    approximateInvokeCount: number;
  };
  requestPayload: unknown;
  responseContext?: { statusCode: number; executedVersion: string; functionError: 'Unhandled' };
  responsePayload?: FunctionErrorPayload;
}

/** Where on-failure records go. Vigil's `QueueService` fits: `send(queue, body)`. */
export interface OnFailureSink {
  send(queueName: string, body: string): Promise<unknown>;
}

/**
 * The `context` a handler receives, as the Node.js Lambda runtime builds it
 * (`memoryLimitInMB` is a string there too).
 */
export interface LambdaContext {
  awsRequestId: string;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

export interface InvokeOptions {
  /** `X-Amzn-Trace-Id` of the write that caused the event: its causal chain. */
  traceHeader?: string;
  /**
   * Whether to wait for the acceptance to be on disk (default true). `false` only for a
   * caller that keeps the event durable itself until after the acceptance, in the same
   * database: the outbox, whose row is settled by a later commit of the same WAL, so a power
   * cut cannot keep the settle and lose the acceptance (ADR 17).
   */
  durable?: boolean;
}

/** What a synchronous invocation (`invokeNow`) gives back: Lambda's RequestResponse answer. */
export interface SyncInvocationResult {
  requestId: string;
  /**
   * The handler's result as JSON (`null` when it returned nothing), or the error payload as
   * JSON when it failed.
   */
  payload: string;
  /** The failure, when the handler threw, timed out or crashed (`X-Amz-Function-Error`). */
  error?: FunctionErrorPayload;
  /** The attempt's log: START, the handler's lines, END and REPORT, as Lambda writes them. */
  logs: string;
}

/** The function runtime: Vigil's `FunctionInvoker`, plus its lifecycle and queries. */
export interface FunctionRuntime extends FunctionInvoker {
  /**
   * Accepts one asynchronous invocation: resolves once the event is durably queued (see
   * `InvokeOptions.durable`). From
   * then on the runtime owns it (retries, event age, on-failure record).
   *
   * @throws FunctionRuntimeError `ResourceNotFoundException` for an unknown function,
   *   `RequestEntityTooLargeException` for an event over 1 MB.
   */
  invoke(name: string, event: unknown, options?: InvokeOptions): Promise<void>;
  /** Starts running queued events (and those a previous process left). */
  start(): void;
  /** Stops: in-flight invocations get `drainMs` to finish, the rest go back to the queue. */
  stop(): Promise<void>;
  /** Names of the declared functions. */
  functionNames(): string[];
  /** The most recent invocations of a function, newest first, with their attempts. */
  recentInvocations(name: string, limit?: number): InvocationRecord[];
  /** Events this process dropped by the recursion guard, in all or one function. */
  recursionStops(name?: string): number;
  /** A declared function's settings, or `undefined` for an unknown name. */
  describe(name: string): ResolvedFunction | undefined;
  /**
   * Runs one invocation now and waits for its result (Lambda's `RequestResponse`), on the
   * function's pool, sharing its concurrency with queued events. Not queued, not retried.
   *
   * @throws FunctionRuntimeError `ResourceNotFoundException`, `RequestEntityTooLargeException`
   *   for a payload over 6 MB, `ServiceUnavailable` while stopping.
   */
  invokeNow(
    name: string,
    payload: string,
    options?: { traceHeader?: string },
  ): Promise<SyncInvocationResult>;
  /**
   * Adds a function, or replaces one of the same name while running: invocations already
   * running finish on the old code (its pool is drained, then closed); queued events and new
   * invocations run on the new one.
   *
   * @throws FunctionConfigError when the definition is invalid.
   */
  put(definition: FunctionDefinition): void;
  /**
   * Removes a function: it takes no more invocations; running ones finish. Its queued events
   * stay in the invocation log, pending, and run if a function of that name comes back.
   * Returns false for an unknown name.
   */
  remove(name: string): boolean;
}

/** Receives what the runtime does, for metrics. Every method must be cheap and never throw. */
export interface FunctionObserver {
  /** One handler run ended (a success, an error, a timeout or a crash). */
  attemptEnded(functionName: string, outcome: AttemptOutcome, durationMs: number): void;
  /** An event was given up: retries exhausted, too old, or a recursive loop dropped. */
  eventFailed(functionName: string, condition: FailureCondition): void;
}

/**
 * Errors `invoke` refuses with: `ResourceNotFoundException` and
 * `RequestEntityTooLargeException` as Lambda's Invoke API names them (the event will never be
 * accepted: permanent), `ServiceUnavailable` while the runtime stops (try again later).
 */
export class FunctionRuntimeError extends Error {
  constructor(
    readonly code:
      | 'ResourceNotFoundException'
      | 'RequestEntityTooLargeException'
      | 'InvalidRequestContentException'
      | 'ServiceUnavailable',
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}
