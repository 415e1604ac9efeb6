import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { WorkerSpawn } from './environment.js';
import { errorPayload } from './error-payload.js';
import { exitError, taskTimedOut, timeoutError } from './log-format.js';
import type { InvokeMessage, WorkerMessage } from './protocol.js';
import type { FunctionErrorPayload } from './types.js';

/** Lambda's limit on a function's init phase (loading the module). */
export const INIT_TIMEOUT_MS = 10_000;

export interface AttemptRequest {
  requestId: string;
  payload: string;
  traceHeader: string;
  timeoutSeconds: number;
}

export interface AttemptResult {
  outcome: 'success' | 'error' | 'timeout' | 'crash';
  error?: FunctionErrorPayload;
  /** The handler's result as JSON, on success (absent from inline functions). */
  result?: string;
  durationMs: number;
  initDurationMs: number | null;
  maxMemoryUsedMb: number | null;
  /** Output lines, in order. */
  logs: string[];
}

interface Running {
  request: AttemptRequest;
  logs: string[];
  dispatchedAt: number;
  startedAt?: number;
  initDurationMs: number | null;
  timer: NodeJS.Timeout;
  resolve: (result: AttemptResult) => void;
}

/**
 * One worker thread of a function: runs one invocation at a time. A timeout terminates the
 * thread; a thread that exits, throws outside the handler or cannot load its module is
 * unusable afterwards and is replaced by its pool. Nothing here blocks the main thread.
 */
export class FunctionWorker {
  private readonly worker: Worker;
  private running: Running | undefined;
  private broken = false;

  constructor(
    spawn: WorkerSpawn,
    private readonly logger: Logger,
  ) {
    this.worker = new Worker(spawn.filename, spawn.options);
    this.worker.on('message', (message: WorkerMessage) => this.onMessage(message));
    this.worker.on('error', (error) => this.onError(error));
    this.worker.on('exit', (code) => this.onExit(code));
    this.worker.stdout.on('data', (chunk: Buffer) => this.output(chunk));
    this.worker.stderr.on('data', (chunk: Buffer) => this.output(chunk));
  }

  /** Whether the thread can take another invocation. */
  get usable(): boolean {
    return !this.broken;
  }

  invoke(request: AttemptRequest): Promise<AttemptResult> {
    if (this.running || this.broken) throw new Error('function worker is busy or broken');
    return new Promise((resolve) => {
      this.running = {
        request,
        logs: [],
        dispatchedAt: performance.now(),
        initDurationMs: null,
        // Until the handler starts, the module's init phase has Lambda's init limit.
        timer: setTimeout(() => this.onTimeout(true), INIT_TIMEOUT_MS),
        resolve,
      };
      const message: InvokeMessage = {
        type: 'invoke',
        requestId: request.requestId,
        payload: request.payload,
        traceHeader: request.traceHeader,
        timeoutMs: request.timeoutSeconds * 1000,
      };
      this.worker.postMessage(message);
    });
  }

  async terminate(): Promise<void> {
    this.broken = true;
    await this.worker.terminate();
  }

  private onMessage(message: WorkerMessage): void {
    const run = this.running;
    if (message.type === 'log') {
      if (run) run.logs.push(message.line);
      else this.logger.debug({ line: message.line }, 'function output between invocations');
      return;
    }
    if (!run || message.requestId !== run.request.requestId) return;
    if (message.type === 'start') {
      clearTimeout(run.timer);
      run.startedAt = performance.now();
      run.initDurationMs = message.initDurationMs;
      run.timer = setTimeout(() => this.onTimeout(false), run.request.timeoutSeconds * 1000);
      return;
    }
    if (message.initFailed) this.broken = true;
    this.finish({
      outcome: message.error ? 'error' : 'success',
      ...(message.error ? { error: message.error } : {}),
      ...(message.result !== undefined ? { result: message.result } : {}),
      durationMs: message.durationMs,
      maxMemoryUsedMb: message.maxMemoryUsedMb,
    });
  }

  /** An exception thrown outside the handler's promise (a timer, an event emitter). */
  private onError(error: Error): void {
    this.broken = true;
    const run = this.running;
    if (!run) {
      this.logger.warn({ err: error }, 'function worker failed between invocations');
      return;
    }
    const payload = errorPayload(error);
    run.logs.push(line(run, 'ERROR', `Uncaught Exception \t${JSON.stringify(payload)}`));
    this.finish({ outcome: 'error', error: payload, durationMs: elapsed(run) });
  }

  private onExit(code: number): void {
    this.broken = true;
    const run = this.running;
    if (!run) return;
    const error = exitError(run.request.requestId, code);
    run.logs.push(`${error.errorMessage}\n${error.errorType}`);
    this.finish({ outcome: 'crash', error, durationMs: elapsed(run) });
  }

  private onTimeout(duringInit: boolean): void {
    const run = this.running;
    if (!run) return;
    this.broken = true;
    const seconds = duringInit ? INIT_TIMEOUT_MS / 1000 : run.request.timeoutSeconds;
    // Timers may fire a fraction of a millisecond early: the handler had its whole timeout.
    const durationMs = Math.max(elapsed(run), seconds * 1000);
    const error = duringInit
      ? {
          errorType: 'Sandbox.Timedout',
          errorMessage: `RequestId: ${run.request.requestId} Error: Init phase timed out after ${seconds.toFixed(2)} seconds`,
        }
      : timeoutError(run.request.requestId, seconds);
    run.logs.push(
      `${new Date().toISOString()} ${run.request.requestId} ${taskTimedOut(durationMs / 1000)}`,
    );
    this.finish({ outcome: 'timeout', error, durationMs });
    this.worker.terminate().catch((err: unknown) => {
      this.logger.warn({ err }, 'could not terminate a timed-out function worker');
    });
  }

  private output(chunk: Buffer): void {
    const text = chunk.toString('utf8').replace(/\n$/, '');
    if (this.running) this.running.logs.push(text);
    else this.logger.debug({ output: text }, 'function output between invocations');
  }

  private finish(
    result: Omit<AttemptResult, 'logs' | 'initDurationMs' | 'maxMemoryUsedMb'> & {
      maxMemoryUsedMb?: number;
    },
  ): void {
    const run = this.running;
    if (!run) return;
    this.running = undefined;
    clearTimeout(run.timer);
    run.resolve({
      ...result,
      maxMemoryUsedMb: result.maxMemoryUsedMb ?? null,
      initDurationMs: run.initDurationMs,
      logs: run.logs,
    });
  }
}

function elapsed(run: Running): number {
  return performance.now() - (run.startedAt ?? run.dispatchedAt);
}

function line(run: Running, level: string, message: string): string {
  return `${new Date().toISOString()}\t${run.request.requestId}\t${level}\t${message}`;
}
