/**
 * The pools of the runtime's functions, one per function, and the concurrency slots they
 * share between queued events and synchronous invocations. A function replaced or removed
 * while running keeps its old pool until the invocations running on it end, then closes it.
 */
import type { Logger } from 'pino';
import type { RuntimeScope } from './environment.js';
import type { AttemptRequest, AttemptResult } from './function-worker.js';
import { InlinePool } from './inline-pool.js';
import { FunctionPool } from './pool.js';
import type { ResolvedFunction } from './types.js';

export type Pool = FunctionPool | InlinePool;

export class PoolSet {
  private readonly pools = new Map<string, Pool>();
  /** Invocations running per pool, and pools replaced or removed, closed once idle. */
  private readonly uses = new Map<Pool, number>();
  private readonly retired = new Set<Pool>();

  constructor(
    private readonly scope: RuntimeScope,
    private readonly logger: Logger,
  ) {}

  get(name: string): Pool | undefined {
    return this.pools.get(name);
  }

  /** A fresh pool for `fn`; the one it replaces is retired. */
  install(fn: ResolvedFunction): void {
    const old = this.pools.get(fn.name);
    this.pools.set(
      fn.name,
      fn.inline
        ? new InlinePool({ ...fn, inline: fn.inline }, this.scope)
        : new FunctionPool(fn, this.scope, this.logger),
    );
    if (old) this.retire(old);
  }

  remove(name: string): boolean {
    const pool = this.pools.get(name);
    if (!pool) return false;
    this.pools.delete(name);
    this.retire(pool);
    return true;
  }

  async run(pool: Pool, request: AttemptRequest): Promise<AttemptResult> {
    this.uses.set(pool, (this.uses.get(pool) ?? 0) + 1);
    try {
      return await pool.run(request);
    } finally {
      const left = (this.uses.get(pool) ?? 1) - 1;
      this.uses.set(pool, left);
      if (left === 0 && this.retired.has(pool)) this.close(pool);
    }
  }

  /** Terminates every pool, retired ones included. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.pools.values(), ...this.retired].map((p) => p.close()));
  }

  private retire(pool: Pool): void {
    if ((this.uses.get(pool) ?? 0) === 0) this.close(pool);
    else this.retired.add(pool);
  }

  private close(pool: Pool): void {
    this.retired.delete(pool);
    this.uses.delete(pool);
    pool.close().catch((error: unknown) => {
      this.logger.warn({ err: error, function: pool.fn.name }, 'could not close a function pool');
    });
  }
}

/**
 * Each function's running invocations against its `reservedConcurrency`. Synchronous
 * callers wait in line for a slot and go before queued events, which only take what is free.
 */
export class Slots {
  private readonly active = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(private readonly limit: (name: string) => number) {}

  /** Slots queued events may claim now. */
  free(name: string): number {
    return this.limit(name) - this.count(name) - (this.waiting.get(name)?.length ?? 0);
  }

  /** Takes a slot a `free` count promised. */
  take(name: string): void {
    this.active.set(name, this.count(name) + 1);
  }

  /** Takes a slot, waiting behind earlier callers when none is free. */
  acquire(name: string): Promise<void> {
    const queue = this.waiting.get(name) ?? [];
    if (queue.length === 0 && this.count(name) < this.limit(name)) {
      this.take(name);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      queue.push(resolve);
      this.waiting.set(name, queue);
    });
  }

  /** Gives a slot back: to the next waiting caller, else to queued events. */
  release(name: string): void {
    this.active.set(name, Math.max(0, this.count(name) - 1));
    const queue = this.waiting.get(name);
    while (queue && queue.length > 0 && this.count(name) < this.limit(name)) {
      this.take(name);
      queue.shift()!();
    }
    if (queue?.length === 0) this.waiting.delete(name);
  }

  private count(name: string): number {
    return this.active.get(name) ?? 0;
  }
}
