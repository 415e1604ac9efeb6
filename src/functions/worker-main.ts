/**
 * The entry of a function's worker thread: the in-process equivalent of Lambda's Node.js
 * runtime. It loads the handler's module once, then runs one invocation per `invoke`
 * message, with Lambda's `context`, `_X_AMZN_TRACE_ID`, console capture and error shape.
 */
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { format, types } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { errorPayload } from './error-payload.js';
import type { InvokeMessage, WorkerMessage, WorkerSetup } from './protocol.js';
import { configureSdkV2 } from './sdk-v2-endpoint.js';
import type { FunctionErrorPayload, LambdaContext } from './types.js';

type Handler = (event: unknown, context: LambdaContext, callback?: Callback) => unknown;
type Callback = (error?: unknown, result?: unknown) => void;

const setup = workerData as WorkerSetup;
const port = parentPort!;
let currentRequestId: string | undefined;

function post(message: WorkerMessage): void {
  port.postMessage(message);
}

// The Node.js runtime prefixes every console line with time, request id and level.
// Outside an invocation (module init) the request id reads `undefined`, as in Lambda.
const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG' };
for (const [method, level] of Object.entries(levels)) {
  (console as unknown as Record<string, (...args: unknown[]) => void>)[method] = (...args) =>
    emit(level, format(...args));
}
console.trace = (...args: unknown[]) => {
  const stack = (new Error().stack ?? '').split('\n').slice(2).join('\n');
  emit('TRACE', `Trace: ${format(...args)}\n${stack}`);
};

function emit(level: string, message: string): void {
  const requestId = currentRequestId ?? 'undefined';
  post({ type: 'log', line: `${new Date().toISOString()}\t${requestId}\t${level}\t${message}` });
}

const initStart = performance.now();
let initDurationMs: number | null = null;
const loaded: Promise<{ handler: Handler } | { error: FunctionErrorPayload }> = load().finally(
  () => (initDurationMs = performance.now() - initStart),
);

async function load(): Promise<{ handler: Handler } | { error: FunctionErrorPayload }> {
  const moduleName = basename(new URL(setup.moduleUrl).pathname).replace(/\.[cm]?[jt]s$/, '');
  let module: Record<string, unknown>;
  try {
    // Part of the init phase, as the SDK's load would be in the handler's own.
    configureSdkV2(setup.moduleUrl);
    module = (await import(setup.moduleUrl)) as Record<string, unknown>;
  } catch (error) {
    const payload = errorPayload(error);
    const syntax = payload.errorType === 'SyntaxError';
    return {
      error: {
        errorType: syntax ? 'Runtime.UserCodeSyntaxError' : 'Runtime.ImportModuleError',
        errorMessage: `${payload.errorType}: ${payload.errorMessage}`,
        trace: payload.trace ?? [],
      },
    };
  }
  // A CommonJS module's exports may sit under `default` when Node cannot detect them.
  const fallback = module['default'] as Record<string, unknown> | undefined;
  const handler = module[setup.handler] ?? fallback?.[setup.handler];
  if (typeof handler !== 'function') {
    return {
      error: {
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: `${moduleName}.${setup.handler} is undefined or not exported`,
      },
    };
  }
  return { handler: handler as Handler };
}

type Outcome = { ok: true; result: unknown } | { ok: false; thrown: unknown };

/**
 * Async handlers return a promise; 3-argument handlers may answer through the callback.
 * Handlers may fail with any value (a string, say), so failures are data here, not rejections.
 */
function callHandler(handler: Handler, event: unknown, context: LambdaContext): Promise<Outcome> {
  const failed = (thrown: unknown): Outcome => ({ ok: false, thrown });
  if (handler.length < 3) {
    return Promise.resolve()
      .then(() => handler(event, context))
      .then((result): Outcome => ({ ok: true, result }), failed);
  }
  return new Promise((resolve) => {
    const callback: Callback = (error, result) =>
      resolve(error !== undefined && error !== null ? failed(error) : { ok: true, result });
    try {
      const returned = handler(event, context, callback);
      if (types.isPromise(returned))
        returned.then(
          (result) => resolve({ ok: true, result }),
          (e) => resolve(failed(e)),
        );
    } catch (error) {
      resolve(failed(error));
    }
  });
}

function memoryMb(): number {
  const heap = getHeapStatistics();
  return heap.used_heap_size + heap.external_memory;
}

async function invoke(message: InvokeMessage): Promise<void> {
  const module = await loaded;
  currentRequestId = message.requestId;
  process.env['_X_AMZN_TRACE_ID'] = message.traceHeader;
  const init = initDurationMs;
  initDurationMs = null; // reported once, on the first invocation this worker serves
  post({ type: 'start', requestId: message.requestId, initDurationMs: init });
  if ('error' in module) {
    emit('ERROR', `Invoke Error \t${JSON.stringify(module.error)}`);
    post({
      type: 'done',
      requestId: message.requestId,
      durationMs: 0,
      maxMemoryUsedMb: 0,
      error: module.error,
      initFailed: true,
    });
    return;
  }
  const deadline = Date.now() + message.timeoutMs;
  const context: LambdaContext = {
    awsRequestId: message.requestId,
    functionName: setup.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: setup.invokedFunctionArn,
    memoryLimitInMB: String(setup.memoryMb),
    logGroupName: setup.logGroupName,
    logStreamName: setup.logStreamName,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  let peak = memoryMb();
  const sampler = setInterval(() => (peak = Math.max(peak, memoryMb())), 20);
  sampler.unref();
  const started = performance.now();
  const outcome = await callHandler(module.handler, JSON.parse(message.payload), context);
  let result: string | undefined;
  let error = outcome.ok ? undefined : errorPayload(outcome.thrown);
  if (outcome.ok) {
    try {
      // The runtime answers `null` for a handler that returns nothing.
      result = JSON.stringify(outcome.result) ?? 'null';
    } catch (thrown) {
      error = errorPayload(thrown);
    }
  }
  if (error) emit('ERROR', `Invoke Error \t${JSON.stringify(error)}`);
  const durationMs = performance.now() - started;
  clearInterval(sampler);
  peak = Math.max(peak, memoryMb());
  const maxMemoryUsedMb = Math.ceil(peak / (1024 * 1024));
  post({
    type: 'done',
    requestId: message.requestId,
    durationMs,
    maxMemoryUsedMb,
    ...(error ? { error } : { result }),
  });
}

port.on('message', (message: InvokeMessage) => {
  // An invocation never rejects: every failure is reported in its `done` message.
  void invoke(message);
});
