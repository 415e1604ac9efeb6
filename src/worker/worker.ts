/**
 * The loop of `vigil worker`: take deliveries from an event source, up to `concurrency` at a
 * time; keep each one's lease alive while it is processed; settle it exactly once — acked
 * when done, retried after a capped exponential back-off when it failed, dead-lettered when
 * it cannot succeed (an unreadable message) or has failed `maxAttempts` times. Stopping
 * drains: nothing new is taken, work in hand finishes (or, after `drainMs`, is released for
 * another worker).
 */
import type { Delivery, EventSource } from './types.js';

/** What processing a message decided; a thrown error means "failed, try again". */
export type Settlement = { done: true } | { deadLetter: string };

export interface WorkerObserver {
  settled?(outcome: 'acked' | 'retried' | 'dead-lettered' | 'released', ms: number): void;
  error?(error: unknown, delivery: Pick<Delivery, 'id' | 'attempt'>): void;
}

export interface WorkerOptions {
  source: EventSource;
  process(body: Uint8Array, delivery: Pick<Delivery, 'id' | 'attempt'>): Promise<Settlement>;
  concurrency: number;
  /** First retry delay and its cap (ms). */
  backoff?: { baseMs: number; maxMs: number };
  /** How long `stop` waits for work in hand before releasing it (ms). */
  drainMs?: number;
  observer?: WorkerObserver;
}

export class Worker {
  private readonly inFlight = new Map<Delivery, Promise<void>>();
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private slotFreed: (() => void) | undefined;
  private stopping = false;
  private released = new Set<Delivery>();

  constructor(private readonly options: WorkerOptions) {}

  /** Work in hand right now. */
  get busy(): number {
    return this.inFlight.size;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Stops taking work, waits up to `drainMs` for work in hand, releases what is left (the
   * broker gives it to another worker at once) and closes the source.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    this.slotFreed?.();
    await this.loop;
    const drained = Promise.all(this.inFlight.values()).then(() => true);
    const timeout = new Promise<false>((resolve) =>
      setTimeout(() => resolve(false), this.options.drainMs ?? 30_000).unref(),
    );
    if (!(await Promise.race([drained, timeout]))) {
      for (const delivery of this.inFlight.keys()) {
        this.released.add(delivery);
        await delivery.retry(0).catch(() => undefined);
        this.options.observer?.settled?.('released', 0);
      }
    }
    await this.options.source.close();
  }

  private async run(): Promise<void> {
    const { source, concurrency } = this.options;
    while (!this.stopping) {
      const free = concurrency - this.inFlight.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        continue;
      }
      let deliveries: Delivery[];
      try {
        deliveries = await source.receive(free, 5_000, this.abort.signal);
      } catch (error) {
        if (this.stopping) break;
        this.options.observer?.error?.(error, { id: '(receive)', attempt: 0 });
        await sleep(1_000);
        continue;
      }
      for (const delivery of deliveries) {
        const work = this.handle(delivery)
          // The broker did not take the settlement (connection lost, say): the message stays
          // with it and comes back after its lease; this worker goes on.
          .catch((error: unknown) => this.options.observer?.error?.(error, delivery))
          .finally(() => {
            this.inFlight.delete(delivery);
            this.slotFreed?.();
            this.slotFreed = undefined;
          });
        this.inFlight.set(delivery, work);
      }
    }
  }

  private async handle(delivery: Delivery): Promise<void> {
    const { source, observer } = this.options;
    const started = Date.now();
    const settled = (outcome: 'acked' | 'retried' | 'dead-lettered') => {
      if (!this.released.has(delivery)) observer?.settled?.(outcome, Date.now() - started);
    };
    if (delivery.attempt > source.maxAttempts) {
      await delivery.deadLetter(`delivered ${delivery.attempt - 1} times without success`);
      settled('dead-lettered');
      return;
    }
    // A sign of life at half the lease, so a slow image is not given to a second worker.
    const keepAlive = setInterval(
      () => void delivery.extend().catch(() => undefined),
      Math.max(100, source.leaseMs / 2),
    );
    try {
      let settlement: Settlement;
      try {
        settlement = await this.options.process(delivery.body, delivery);
      } catch (error) {
        observer?.error?.(error, delivery);
        if (this.released.has(delivery)) return;
        if (delivery.attempt >= source.maxAttempts) {
          await delivery.deadLetter(
            `failed ${delivery.attempt} times; last: ${error instanceof Error ? error.message : String(error)}`,
          );
          settled('dead-lettered');
        } else {
          await delivery.retry(Math.max(this.delayFor(delivery.attempt), retryAfterOf(error)));
          settled('retried');
        }
        return;
      }
      if (this.released.has(delivery)) return;
      if ('deadLetter' in settlement) {
        await delivery.deadLetter(settlement.deadLetter);
        settled('dead-lettered');
      } else {
        await delivery.ack();
        settled('acked');
      }
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** Capped exponential back-off with full jitter. */
  private delayFor(attempt: number): number {
    const { baseMs, maxMs } = this.options.backoff ?? { baseMs: 1_000, maxMs: 60_000 };
    const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }
}

/**
 * How long an error asks to wait before the next attempt (`retryAfterMs`, e.g. until another
 * delivery's hold on a review send runs out), so waiting on a dead peer costs no attempts.
 */
function retryAfterOf(error: unknown): number {
  if (error instanceof AggregateError) return Math.max(0, ...error.errors.map(retryAfterOf));
  const hint = (error as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return typeof hint === 'number' && Number.isFinite(hint) && hint > 0 ? hint : 0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
