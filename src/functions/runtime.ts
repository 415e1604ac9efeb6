import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { SqliteDatabase } from '../storage/index.js';
import { resolveDefinition, retryDelayMs } from './definition.js';
import { functionArn, type RuntimeScope } from './environment.js';
import { checkSyncPayload, crashed, joinLogs, syncResult } from './attempt-result.js';
import type { AttemptResult } from './function-worker.js';
import { InvocationStore, type Claim } from './invocation-store.js';
import { billedDurationMs } from './log-format.js';
import { OnFailureSender } from './on-failure-sender.js';
import { PoolSet, Slots, type Pool } from './pool-set.js';
import { exceedsRecursionLimit, nextTraceHeader } from './trace.js';
import {
  FunctionRuntimeError,
  type FailureCondition,
  type FunctionDefinition,
  type FunctionObserver,
  type FunctionRuntime,
  type InvocationRecord,
  type InvokeOptions,
  type OnFailureSink,
  type ResolvedFunction,
  type SyncInvocationResult,
} from './types.js';

/** Lambda's limit on an asynchronous invocation's payload (1 MB since 2025). */
export const MAX_ASYNC_PAYLOAD_BYTES = 1024 * 1024;

export { MAX_ATTEMPT_LOG_BYTES, MAX_SYNC_PAYLOAD_BYTES } from './attempt-result.js';

export interface FunctionRuntimeOptions extends RuntimeScope {
  /** The storage engine (or anything with its database and group commit). */
  engine: {
    db: SqliteDatabase;
    grouped: <T>(work: () => T, options?: { durable?: boolean }) => Promise<T>;
  };
  definitions: readonly FunctionDefinition[];
  /** Receives on-failure records; Vigil's `QueueService` fits. */
  onFailure: OnFailureSink;
  logger: Logger;
  /** Clock for queue state (acceptance, retries, event age), epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Default retry schedule of functions that set none. Default Lambda's `[60, 120]`. */
  retryDelaysSeconds?: readonly number[];
  /** How often to look for due work when nothing woke the runtime. Default 1000 ms. */
  pollIntervalMs?: number;
  /** How long `stop()` lets running invocations finish. Default 10 s. */
  drainMs?: number;
  /** Finished invocations kept per function in the invocation log. Default 1000. */
  retainInvocations?: number;
  /** Told about every attempt and every event given up (Vigil's metrics). */
  observer?: FunctionObserver;
}

interface Inflight {
  fn: ResolvedFunction;
  pool: Pool;
  invocation: InvocationRecord;
  claim: Claim;
  interrupted: boolean;
  done: Promise<void>;
}

const STOP_NOTE = 'Vigil stopped before this attempt finished; the event was put back in line.\n';
const CRASH_NOTE = 'Vigil exited before this attempt finished.\n';

/**
 * Creates the function runtime: Lambda's asynchronous invocation model in one process.
 * `invoke` durably queues an event in SQLite and resolves; the runtime then runs it in the
 * function's worker pool, retries failures on the function's schedule within its maximum
 * event age, sends the on-failure record of events it gives up, and logs every attempt.
 *
 * @example
 * const functions = createFunctionRuntime({ engine, definitions: [{ name: 'resize',
 *   module: '/srv/resize.mjs', onFailure: 'resize-failures' }], onFailure: queues,
 *   region: 'us-east-1', accountId: '000000000000', endpointUrl: 'http://127.0.0.1:9000',
 *   credentials, logger });
 * functions.start();
 * await functions.invoke('resize', s3Event, { traceHeader });
 */
export function createFunctionRuntime(options: FunctionRuntimeOptions): FunctionRuntime {
  return new Runtime(options);
}

class Runtime implements FunctionRuntime {
  private readonly functions = new Map<string, ResolvedFunction>();
  private readonly pools: PoolSet;
  private readonly slots = new Slots((name) => this.functions.get(name)?.reservedConcurrency ?? 1);
  private readonly inflight = new Map<number, Inflight>();
  private readonly records: OnFailureSender;
  private readonly stops = new Map<string, number>();
  private readonly settled = new Map<string, number>();
  private readonly store: InvocationStore;
  private readonly now: () => number;
  private readonly logger: Logger;
  private started = false;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private pumping: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: FunctionRuntimeOptions) {
    this.store = new InvocationStore(options.engine.db);
    this.now = options.now ?? Date.now;
    this.logger = options.logger.child({ component: 'functions' });
    this.pools = new PoolSet(options, this.logger);
    const retain = options.retainInvocations ?? 1000;
    if (!Number.isInteger(retain) || retain < 1)
      throw new Error(`retainInvocations: expected a positive integer, got ${retain}`);
    this.records = new OnFailureSender({
      sink: options.onFailure,
      store: this.store,
      grouped: (work, o) => options.engine.grouped(work, o),
      now: this.now,
      logger: this.logger,
      functionArn: (name) => functionArn(options, name),
      onSettled: () => this.wake(),
    });
    for (const definition of options.definitions) {
      const fn = resolveDefinition(definition, options.retryDelaysSeconds);
      if (this.functions.has(fn.name)) throw new Error(`function ${fn.name} is declared twice`);
      this.functions.set(fn.name, fn);
      this.pools.install(fn);
    }
  }

  put(definition: FunctionDefinition): void {
    const fn = resolveDefinition(definition, this.options.retryDelaysSeconds);
    this.functions.set(fn.name, fn);
    this.pools.install(fn);
    this.wake();
  }

  remove(name: string): boolean {
    this.functions.delete(name);
    return this.pools.remove(name);
  }

  async invokeNow(
    name: string,
    payload: string,
    options: { traceHeader?: string } = {},
  ): Promise<SyncInvocationResult> {
    if (this.stopping)
      throw new FunctionRuntimeError('ServiceUnavailable', 'The function runtime is stopping.');
    if (!this.functions.has(name)) {
      const arn = functionArn(this.options, name);
      throw new FunctionRuntimeError('ResourceNotFoundException', `Function not found: ${arn}`);
    }
    checkSyncPayload(payload);
    await this.slots.acquire(name);
    // The function may have been replaced while waiting: run the current one.
    const fn = this.functions.get(name);
    const pool = this.pools.get(name);
    if (!fn || !pool) {
      this.releaseSlot(name);
      throw new FunctionRuntimeError(
        'ResourceNotFoundException',
        `Function not found: ${functionArn(this.options, name)}`,
      );
    }
    const requestId = randomUUID();
    const startedAt = this.now();
    let result: AttemptResult;
    try {
      result = await this.pools.run(pool, {
        requestId,
        payload,
        traceHeader: nextTraceHeader(options.traceHeader, name, { now: startedAt }),
        timeoutSeconds: fn.timeoutSeconds,
      });
    } catch (error) {
      result = crashed(error);
    } finally {
      this.releaseSlot(name);
    }
    this.options.observer?.attemptEnded(name, result.outcome, result.durationMs);
    return syncResult(fn, requestId, result, { startedAt, endedAt: this.now() });
  }

  /** Frees a slot (to a waiting synchronous caller first) and looks for queued work. */
  private releaseSlot(name: string): void {
    this.slots.release(name);
    this.wake();
  }

  has(name: string): boolean {
    return this.functions.has(name);
  }

  functionNames(): string[] {
    return [...this.functions.keys()];
  }

  async invoke(name: string, event: unknown, options: InvokeOptions = {}): Promise<void> {
    if (this.stopping)
      throw new FunctionRuntimeError('ServiceUnavailable', 'The function runtime is stopping.');
    const fn = this.functions.get(name);
    if (!fn) {
      const arn = functionArn(this.options, name);
      throw new FunctionRuntimeError('ResourceNotFoundException', `Function not found: ${arn}`);
    }
    const payload = JSON.stringify(event ?? null);
    const size = Buffer.byteLength(payload);
    if (size > MAX_ASYNC_PAYLOAD_BYTES) {
      throw new FunctionRuntimeError(
        'RequestEntityTooLargeException',
        `The event is ${size} bytes; an asynchronous invocation takes at most ${MAX_ASYNC_PAYLOAD_BYTES}.`,
      );
    }
    const dropped =
      fn.recursiveLoop === 'Terminate' && exceedsRecursionLimit(options.traceHeader, name);
    const now = this.now();
    const requestId = randomUUID();
    const traceHeader = nextTraceHeader(options.traceHeader, name, { now });
    await this.options.engine.grouped(
      () => {
        const id = this.store.insert({
          requestId,
          functionName: name,
          payload,
          traceHeader,
          acceptedAt: now,
        });
        if (dropped)
          this.store.fail({ id, attempts: 0 }, now, 'RecursiveInvocationDropped', fn.onFailure);
      },
      { durable: options.durable ?? true },
    );
    if (dropped) {
      this.stops.set(name, (this.stops.get(name) ?? 0) + 1);
      this.options.observer?.eventFailed(name, 'RecursiveInvocationDropped');
      this.logger.warn(
        { function: name, requestId, traceHeader: options.traceHeader },
        'recursive invocation dropped: the chain already invoked this function 16 times',
      );
    }
    this.wake();
  }

  start(): void {
    if (this.started || this.stopping) return;
    this.started = true;
    const db = this.options.engine.db;
    const recovered = db.transaction(() => this.store.recoverRunning(this.now(), CRASH_NOTE))();
    if (recovered > 0)
      this.logger.warn({ recovered }, 'invocations left running by a previous process requeued');
    this.wake();
  }

  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.pumping;
    const drain = [...this.inflight.values()].map((i) => i.done);
    if (drain.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((r) => (timer = setTimeout(r, this.options.drainMs ?? 10_000)));
      await Promise.race([Promise.all(drain), timeout]);
      clearTimeout(timer);
    }
    const remaining = [...this.inflight.values()];
    for (const i of remaining) i.interrupted = true;
    if (remaining.length > 0) {
      const now = this.now();
      await this.options.engine.grouped(() => {
        for (const i of remaining) this.store.release(i.claim, now, STOP_NOTE);
      });
    }
    await this.pools.closeAll();
    await Promise.all([...remaining.map((i) => i.done), this.records.settled()]);
  }

  recentInvocations(name: string, limit = 20): InvocationRecord[] {
    return this.store.recent(name, Math.max(1, Math.min(limit, 1000)));
  }

  describe(name: string): ResolvedFunction | undefined {
    return this.functions.get(name);
  }

  recursionStops(name?: string): number {
    if (name !== undefined) return this.stops.get(name) ?? 0;
    return [...this.stops.values()].reduce((a, b) => a + b, 0);
  }

  // ---- scheduling ----------------------------------------------------------------------

  private wake(): void {
    if (!this.started || this.stopping) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      this.schedule();
    });
  }

  private async pump(): Promise<void> {
    do {
      this.again = false;
      const now = this.now();
      try {
        const { runs, records, expired } = await this.options.engine.grouped(
          () => this.claim(now),
          { durable: false },
        );
        if (this.stopping) {
          await this.options.engine.grouped(() => {
            for (const run of runs) this.store.release(run.claim, this.now(), STOP_NOTE);
          });
          return;
        }
        for (const run of runs) this.execute(run);
        for (const record of records) this.records.send(record);
        if (expired) this.again = true;
      } catch (error) {
        this.logger.error({ err: error }, 'could not claim function invocations');
        return;
      }
    } while (this.again && !this.stopping);
  }

  /** Inside one transaction: starts due attempts up to each pool's free slots. */
  private claim(now: number) {
    const runs: Omit<Inflight, 'done' | 'interrupted'>[] = [];
    let expired = false;
    for (const fn of this.functions.values()) {
      const pool = this.pools.get(fn.name)!;
      const free = this.slots.free(fn.name);
      for (const invocation of this.store.due(fn.name, now, free)) {
        const claim = { id: invocation.id, attempts: invocation.attempts };
        if (now - invocation.acceptedAt > fn.maximumEventAgeSeconds * 1000) {
          this.store.fail(claim, now, 'EventAgeExceeded', fn.onFailure);
          expired = true;
        } else if (this.store.startAttempt(claim, now, fn.memoryMb)) {
          runs.push({
            fn,
            pool,
            invocation,
            claim: { id: claim.id, attempts: claim.attempts + 1 },
          });
        }
      }
    }
    const records = this.store.onFailureDue(now, 32).filter((r) => !this.records.isSending(r.id));
    return { runs, records, expired };
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.stopping) return;
    const poll = this.options.pollIntervalMs ?? 1000;
    const now = this.now();
    const next = this.store.nextDueAt(this.functionNames());
    // Work already due but not claimed is waiting for a free worker; a finishing one wakes us.
    const delay = next !== undefined && next > now ? Math.min(next - now, poll) : poll;
    this.timer = setTimeout(() => this.wake(), delay);
    this.timer.unref();
  }

  // ---- running -------------------------------------------------------------------------

  private execute(run: Omit<Inflight, 'done' | 'interrupted'>): void {
    const name = run.fn.name;
    this.slots.take(name);
    const inflight: Inflight = { ...run, interrupted: false, done: Promise.resolve() };
    inflight.done = this.attempt(inflight)
      .catch((error: unknown) =>
        this.logger.error({ err: error, function: name }, 'could not record a function attempt'),
      )
      .finally(() => {
        this.inflight.delete(run.claim.id);
        this.releaseSlot(name);
      });
    this.inflight.set(run.claim.id, inflight);
  }

  private async attempt(inflight: Inflight): Promise<void> {
    const { fn, invocation, claim } = inflight;
    const result = await this.run(inflight);
    if (inflight.interrupted) return;
    const now = this.now();
    const error = result.error ?? null;
    let failed: FailureCondition | undefined;
    await this.options.engine.grouped(
      () => {
        this.store.endAttempt(claim, {
          endedAt: now,
          outcome: result.outcome,
          durationMs: result.durationMs,
          billedDurationMs: billedDurationMs(result.durationMs),
          initDurationMs: result.initDurationMs,
          maxMemoryUsedMb: result.maxMemoryUsedMb,
          error,
          logs: joinLogs(result.logs),
        });
        if (!error) this.store.succeed(claim, now);
        else if (claim.attempts > fn.maximumRetryAttempts) {
          if (this.store.fail(claim, now, 'RetriesExhausted', fn.onFailure, error))
            failed = 'RetriesExhausted';
        } else {
          const at = now + retryDelayMs(fn, claim.attempts);
          // The retry would come after the event's maximum age: it ages out now, not later.
          if (at - invocation.acceptedAt > fn.maximumEventAgeSeconds * 1000) {
            if (this.store.fail(claim, now, 'EventAgeExceeded', fn.onFailure, error))
              failed = 'EventAgeExceeded';
          } else this.store.retryAt(claim, at, error);
        }
        // Prune the log now and then: every 50 settles, or sooner when little is kept.
        const retain = this.options.retainInvocations ?? 1000;
        const settled = (this.settled.get(fn.name) ?? 0) + 1;
        this.settled.set(fn.name, settled);
        if (settled % Math.min(50, retain) === 0) this.store.prune(fn.name, retain);
      },
      { durable: false },
    );
    this.options.observer?.attemptEnded(fn.name, result.outcome, result.durationMs);
    if (failed) this.options.observer?.eventFailed(fn.name, failed);
    const log = { function: fn.name, requestId: invocation.requestId, attempt: claim.attempts };
    if (error) this.logger.warn({ ...log, error }, 'function invocation failed');
    else this.logger.debug({ ...log, durationMs: result.durationMs }, 'function invoked');
  }

  private async run(inflight: Inflight): Promise<AttemptResult> {
    const { fn, invocation } = inflight;
    try {
      return await this.pools.run(inflight.pool, {
        requestId: invocation.requestId,
        payload: invocation.payload,
        traceHeader: invocation.traceHeader,
        timeoutSeconds: fn.timeoutSeconds,
      });
    } catch (error) {
      return crashed(error);
    }
  }
}
