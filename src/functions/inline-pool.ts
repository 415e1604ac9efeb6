/**
 * Functions Vigil itself provides, run on its own thread instead of a worker: the same
 * invocation queue, retries, logs and limits as any function, without a thread, an AWS SDK
 * or HTTP round trips to Vigil's own port per call. Only for handlers that do their CPU work
 * elsewhere (moderate-image hands decoding and inference to the moderation worker pool).
 * A timeout fails the attempt; the handler's promise cannot be killed and is left to finish.
 */
import { performance } from 'node:perf_hooks';
import { functionArn, logStreamName, type RuntimeScope } from './environment.js';
import { errorPayload } from './error-payload.js';
import type { AttemptRequest, AttemptResult } from './function-worker.js';
import { FUNCTION_VERSION, formatLogLine, timeoutError, type LogLevel } from './log-format.js';
import type { InlineHandler, LambdaContext, ResolvedFunction } from './types.js';

export class InlinePool {
  private active = 0;
  private readonly stream = logStreamName();

  constructor(
    readonly fn: ResolvedFunction & { inline: InlineHandler },
    private readonly scope: RuntimeScope,
  ) {}

  get available(): number {
    return this.fn.reservedConcurrency - this.active;
  }

  async run(request: AttemptRequest): Promise<AttemptResult> {
    if (this.available <= 0) throw new Error(`function ${this.fn.name} has no free slot`);
    this.active += 1;
    const logs: string[] = [];
    const started = performance.now();
    const deadline = Date.now() + request.timeoutSeconds * 1000;
    const log = (message: string, level: LogLevel = 'INFO') =>
      logs.push(formatLogLine(new Date(), request.requestId, level, message));
    const context: LambdaContext = {
      awsRequestId: request.requestId,
      functionName: this.fn.name,
      functionVersion: FUNCTION_VERSION,
      invokedFunctionArn: functionArn(this.scope, this.fn.name),
      memoryLimitInMB: String(this.fn.memoryMb),
      logGroupName: `/aws/lambda/${this.fn.name}`,
      logStreamName: this.stream,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      const event = JSON.parse(request.payload) as unknown;
      const run = this.fn.inline(event, context, { log, traceHeader: request.traceHeader });
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), request.timeoutSeconds * 1000);
      });
      let value: unknown;
      const result = await Promise.race([
        run.then((returned) => ((value = returned), 'done' as const)),
        timedOut,
      ]);
      const durationMs = performance.now() - started;
      if (result === 'timeout') {
        run.catch(() => undefined); // it may still fail later; the attempt is over
        const error = timeoutError(request.requestId, request.timeoutSeconds);
        log(error.errorMessage, 'ERROR');
        return { outcome: 'timeout', error, durationMs, ...NO_MEMORY, logs };
      }
      return {
        outcome: 'success',
        result: JSON.stringify(value) ?? 'null',
        durationMs,
        ...NO_MEMORY,
        logs,
      };
    } catch (thrown) {
      const error = errorPayload(thrown);
      log(`Invoke Error \t${JSON.stringify(error)}`, 'ERROR');
      return {
        outcome: 'error',
        error,
        durationMs: performance.now() - started,
        ...NO_MEMORY,
        logs,
      };
    } finally {
      clearTimeout(timer);
      this.active -= 1;
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** No init (nothing to load) and no memory figure of its own (it shares Vigil's heap). */
const NO_MEMORY = { initDurationMs: null, maxMemoryUsedMb: null } as const;
