import type { Logger } from 'pino';
import { retryDelay } from './backoff.js';
import type { OutboxStore } from './outbox-store.js';
import {
  DeliveryError,
  type DeliveryOutcome,
  type DeliverySettings,
  type DestinationResolver,
  type OutboxEntry,
  type Settlement,
} from './types.js';

/** What the dispatcher reports, for metrics. */
export interface DeliveryObserver {
  delivered(destination: string, eventAgeMs: number): void;
  retried(destination: string): void;
  deadLettered(destination: string): void;
}

export interface DispatcherDependencies {
  store: OutboxStore;
  /**
   * Runs a write in the storage engine's group commit. The dispatcher's own bookkeeping
   * (claims, settles) asks for `durable: false`: losing it in a power cut only means an event
   * is delivered again, which at-least-once allows, and it spares a fsync per event.
   */
  grouped: <T>(fn: () => T, options?: { durable?: boolean }) => Promise<T>;
  /**
   * The group commit's progress (the storage engine's `committed` and `durableThrough`).
   * Claimed rows are delivered only once the commits before the claim are durable: a
   * write's event must not leave the process before the write is on disk. Without it,
   * commits are taken to be durable when they resolve.
   */
  durability?: { readonly committed: number; durableThrough(commit: number): Promise<void> };
  resolve: DestinationResolver;
  settings: DeliverySettings;
  logger: Logger;
  observer?: DeliveryObserver;
  /**
   * Runs inside the transaction that settles an attempt, only when the settle changed the row
   * (a stale claim settles nothing): a record written here commits with the settle.
   */
  onSettled?: (entry: OutboxEntry, settlement: Settlement) => void;
  now?: () => number;
  random?: () => number;
}

/**
 * Delivers outbox rows: claims due rows with a lease, hands each to its destination, then
 * deletes it (delivered), schedules a retry with capped exponential backoff and jitter, or
 * dead-letters it (permanent failure, too many attempts, too old). Nothing is held only in
 * memory: a row leaves the table only once its destination has it.
 */
export class Dispatcher {
  private readonly now: () => number;
  private inFlight = 0;
  private readonly deliveries = new Set<Promise<void>>();
  private ticking = false;
  private again = false;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: DispatcherDependencies) {
    this.now = deps.now ?? Date.now;
  }

  /** A write of the dispatcher's own, committed without waiting for fsync (see `grouped`). */
  private bookkeeping<T>(fn: () => T): Promise<T> {
    return this.deps.grouped(fn, { durable: false });
  }

  start(): void {
    this.stopped = false;
    this.wake();
  }

  /** Looks for due rows now (called after a commit added rows, or a delivery finished). */
  wake(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    void this.tick();
  }

  /** Stops claiming and waits for deliveries in flight (their rows stay claimed if cut off). */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const settled = Promise.allSettled([...this.deliveries]);
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      settled,
      new Promise((resolve) => (timeout = setTimeout(resolve, timeoutMs).unref())),
    ]);
    clearTimeout(timeout);
  }

  get deliveriesInFlight(): number {
    return this.inFlight;
  }

  private async tick(): Promise<void> {
    this.ticking = true;
    clearTimeout(this.timer);
    try {
      do {
        this.again = false;
        const capacity = this.deps.settings.concurrency - this.inFlight;
        if (capacity <= 0) break;
        const { entries, before } = await this.bookkeeping(() => ({
          entries: this.deps.store.claim(this.now(), capacity, this.deps.settings.leaseMs),
          // The rows it finds were committed by earlier batches: these.
          before: this.deps.durability?.committed ?? 0,
        }));
        if (entries.length > 0) await this.deps.durability?.durableThrough(before);
        for (const entry of entries) this.track(this.deliver(entry));
        if (entries.length === capacity) this.again = true;
      } while (this.again && !this.stopped);
    } catch (error) {
      this.deps.logger.error({ err: error }, 'outbox dispatcher could not claim rows');
    } finally {
      this.ticking = false;
      this.schedule();
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    let delay = this.deps.settings.pollIntervalMs;
    try {
      const due = this.deps.store.nextDueAt();
      if (due !== undefined) delay = Math.max(0, Math.min(delay, due - this.now()));
    } catch (error) {
      this.deps.logger.error({ err: error }, 'outbox dispatcher could not read the next due time');
    }
    this.timer = setTimeout(() => this.wake(), delay);
    this.timer.unref();
  }

  private track(delivery: Promise<void>): void {
    this.deliveries.add(delivery);
    void delivery.finally(() => {
      this.deliveries.delete(delivery);
      this.wake();
    });
  }

  private async deliver(entry: OutboxEntry): Promise<void> {
    this.inFlight++;
    try {
      const outcome = await this.attempt(entry);
      await this.settle(entry, outcome);
    } catch (error) {
      // Settling failed (the database is unwell): the row keeps its lease and is retried
      // when the lease ends.
      this.deps.logger.error({ err: error, outboxId: entry.id }, 'could not settle a delivery');
    } finally {
      this.inFlight--;
    }
  }

  private async attempt(entry: OutboxEntry): Promise<DeliveryOutcome | 'done'> {
    const adapter = this.deps.resolve(entry.destination);
    if (!adapter) return { ok: false, permanent: true, error: 'The destination does not exist' };
    if (adapter.kind === 'async') {
      // A destination that never answers must not hold a delivery slot forever: past the
      // lease the row may be claimed again anyway, so this attempt counts as failed.
      let timer: NodeJS.Timeout | undefined;
      const overdue = new Promise<DeliveryOutcome>((resolve) => {
        timer = setTimeout(
          () =>
            resolve({
              ok: false,
              permanent: false,
              error: `delivery did not finish within its ${this.deps.settings.leaseMs} ms lease`,
            }),
          this.deps.settings.leaseMs,
        );
      });
      try {
        return await Promise.race([adapter.deliver(entry), overdue]);
      } catch (error) {
        return { ok: false, permanent: false, error: String(error) };
      } finally {
        clearTimeout(timer);
      }
    }
    try {
      // Hand-over and completion in one transaction: exactly once into Vigil's own stores.
      const current = await this.bookkeeping(() => {
        if (!this.deps.store.complete(entry)) return false; // a newer claim owns the row
        adapter.deliverInTransaction(entry);
        return this.settled(true, entry, { outcome: 'delivered', at: this.now() });
      });
      if (current) this.deps.observer?.delivered(entry.destination, this.now() - entry.createdAt);
      return 'done';
    } catch (error) {
      if (error instanceof DeliveryError)
        return { ok: false, permanent: error.permanent, error: error.message };
      return { ok: false, permanent: false, error: String(error) };
    }
  }

  private async settle(entry: OutboxEntry, outcome: DeliveryOutcome | 'done'): Promise<void> {
    if (outcome === 'done') return;
    const { store, settings, observer, logger } = this.deps;
    const now = this.now();
    if (outcome.ok) {
      await this.bookkeeping(() =>
        this.settled(store.complete(entry), entry, { outcome: 'delivered', at: now }),
      );
      observer?.delivered(entry.destination, now - entry.createdAt);
      return;
    }
    const exhausted =
      outcome.permanent ||
      entry.attempts >= settings.maxAttempts ||
      now - entry.createdAt >= settings.maxAgeMs;
    if (exhausted) {
      const reason = outcome.permanent
        ? outcome.error
        : `${outcome.error} (gave up after ${entry.attempts} attempts)`;
      const moved = await this.bookkeeping(() =>
        this.settled(store.deadLetter(entry, now, reason), entry, {
          outcome: 'dead_lettered',
          at: now,
          error: reason,
        }),
      );
      if (moved) {
        observer?.deadLettered(entry.destination);
        logger.warn(
          { outboxId: entry.id, destination: entry.destination, error: reason },
          'event dead-lettered',
        );
      }
      return;
    }
    const delay = retryDelay(
      entry.attempts,
      settings.backoffBaseMs,
      settings.backoffMaxMs,
      this.deps.random,
    );
    const released = await this.bookkeeping(() =>
      this.settled(store.retryAt(entry, now + delay, outcome.error), entry, {
        outcome: 'retried',
        at: now,
        error: outcome.error,
        nextAttemptAt: now + delay,
      }),
    );
    if (released) observer?.retried(entry.destination);
    logger.debug(
      { outboxId: entry.id, destination: entry.destination, error: outcome.error, delay },
      'delivery failed; will retry',
    );
  }

  /** Inside a settle's transaction: passes a settle that changed the row to `onSettled`. */
  private settled(changed: boolean, entry: OutboxEntry, settlement: Settlement): boolean {
    if (changed) this.deps.onSettled?.(entry, settlement);
    return changed;
  }
}
