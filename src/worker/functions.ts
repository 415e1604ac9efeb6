/**
 * Users' own functions in `vigil worker`: Lambda-style handlers (the `functions` entries of
 * the config that `worker.functions` names), each in its own pool of worker threads, invoked
 * with every S3 event message the worker takes — as S3 invokes a Lambda function, with the
 * `{ Records: [...] }` event in AWS's shape whatever the store's shape was.
 *
 * Retries belong to the broker, not to this runtime: a failed invocation (error, timeout,
 * crash) fails the message, which the broker redelivers after the worker's back-off and
 * dead-letters after its attempts. So a function runs at least once per event, as on AWS;
 * moderate-image, run first on the same message, is idempotent and judges a write once.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { RuntimeScope } from '../functions/environment.js';
import { nextTraceHeader, resolveDefinition } from '../functions/index.js';
import { FunctionPool } from '../functions/pool.js';
import type { FunctionDefinition, FunctionErrorPayload } from '../functions/types.js';

/** An invocation that did not succeed: the message is retried, then dead-lettered. */
export class FunctionFailedError extends Error {
  constructor(
    readonly functionName: string,
    readonly outcome: 'error' | 'timeout' | 'crash',
    readonly payload: FunctionErrorPayload | undefined,
  ) {
    super(
      `function ${functionName} ${outcome === 'error' ? 'failed' : outcome === 'timeout' ? 'timed out' : 'crashed'}` +
        (payload ? `: ${payload.errorType}: ${payload.errorMessage}` : ''),
    );
    this.name = 'FunctionFailedError';
  }
}

/** What one invocation did, for the worker's log and the invocation log. */
export interface FunctionInvocation {
  functionName: string;
  requestId: string;
  outcome: 'success' | 'error' | 'timeout' | 'crash';
  /** Epoch ms. */
  startedAt: number;
  endedAt: number;
  durationMs: number;
  initDurationMs: number | null;
  memoryMb: number;
  maxMemoryUsedMb: number | null;
  error: FunctionErrorPayload | null;
  logs: string[];
}

export class WorkerFunctions {
  private constructor(
    private readonly pools: { pool: FunctionPool; gate: Gate }[],
    private readonly logger: Logger,
  ) {}

  /**
   * Pools for the named functions.
   *
   * @throws Error naming the first name that is not a declared function.
   */
  static create(
    names: readonly string[],
    declared: readonly FunctionDefinition[],
    scope: RuntimeScope,
    logger: Logger,
  ): WorkerFunctions {
    const pools = names.map((name) => {
      const definition = declared.find((f) => f.name === name);
      if (!definition) throw new Error(name);
      const fn = resolveDefinition(definition);
      return { pool: new FunctionPool(fn, scope, logger), gate: new Gate(fn.reservedConcurrency) };
    });
    return new WorkerFunctions(pools, logger);
  }

  get names(): string[] {
    return this.pools.map((p) => p.pool.fn.name);
  }

  /**
   * Invokes every function with `event`, one after another, each when its pool has a free
   * thread; resolves with what each did.
   *
   * @throws FunctionFailedError for the first invocation that does not succeed (the later
   *   functions are not run: the whole message is tried again).
   */
  async invokeAll(
    event: unknown,
    onInvocation: (invocation: FunctionInvocation) => void = () => {},
  ): Promise<FunctionInvocation[]> {
    const payload = JSON.stringify(event);
    const done: FunctionInvocation[] = [];
    for (const { pool, gate } of this.pools) {
      const fn = pool.fn;
      const requestId = randomUUID();
      const startedAt = Date.now();
      const result = await gate.run(() =>
        pool.run({
          requestId,
          payload,
          traceHeader: nextTraceHeader(undefined, fn.name),
          timeoutSeconds: fn.timeoutSeconds,
        }),
      );
      const invocation: FunctionInvocation = {
        functionName: fn.name,
        requestId,
        outcome: result.outcome,
        startedAt,
        endedAt: Date.now(),
        durationMs: result.durationMs,
        initDurationMs: result.initDurationMs,
        memoryMb: fn.memoryMb,
        maxMemoryUsedMb: result.maxMemoryUsedMb,
        error: result.error ?? null,
        logs: result.logs,
      };
      onInvocation(invocation);
      this.logger.info(
        {
          function: fn.name,
          requestId,
          outcome: result.outcome,
          durationMs: Math.round(result.durationMs * 100) / 100,
          ...(result.initDurationMs !== null ? { initDurationMs: result.initDurationMs } : {}),
          logs: result.logs,
        },
        `function ${fn.name} ${result.outcome}`,
      );
      if (result.outcome !== 'success')
        throw new FunctionFailedError(fn.name, result.outcome, result.error);
      done.push(invocation);
    }
    return done;
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.map(({ pool }) => pool.close()));
  }
}

/** At most `limit` tasks at once; the others wait their turn, first come first served. */
class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    // A slot is handed straight to the next in line when a task ends, so a newcomer cannot
    // take it between the two.
    if (this.running < this.limit) this.running += 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
