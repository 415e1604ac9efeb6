import { Counter, Gauge, Histogram, collectDefaultMetrics, Registry } from 'prom-client';
import type { DeliveryObserver } from '../delivery/dispatcher.js';
import type { OutboxStore } from '../delivery/outbox-store.js';
import type { AttemptOutcome, FailureCondition, FunctionObserver } from '../functions/types.js';

/**
 * Vigil's Prometheus metrics. One registry per running Vigil (tests run several in one
 * process), served at `/_vigil/metrics`.
 */
export class VigilMetrics implements DeliveryObserver, FunctionObserver {
  readonly registry = new Registry();
  private readonly emittedCounter;
  private readonly deliveries;
  private readonly latency;
  private readonly attempts;
  private readonly attemptDuration;
  private readonly failedEvents;

  constructor(outbox: OutboxStore) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'vigil_' });
    this.emittedCounter = new Counter({
      name: 'vigil_events_emitted_total',
      help: 'S3 events written to the outbox, per destination ARN',
      labelNames: ['destination'],
      registers,
    });
    this.deliveries = new Counter({
      name: 'vigil_event_deliveries_total',
      help: 'Delivery attempts by outcome (delivered, retried, dead_lettered), per destination ARN',
      labelNames: ['destination', 'outcome'],
      registers,
    });
    this.latency = new Histogram({
      name: 'vigil_event_delivery_latency_seconds',
      help: 'Time from the event (the commit of the S3 write) to its delivery',
      labelNames: ['destination'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120, 600, 3600],
      registers,
    });
    this.attempts = new Counter({
      name: 'vigil_function_attempts_total',
      help: 'Handler runs by outcome (success, error, timeout, crash), per function',
      labelNames: ['function', 'outcome'],
      registers,
    });
    this.attemptDuration = new Histogram({
      name: 'vigil_function_duration_seconds',
      help: 'Handler run time (what Lambda reports as Duration), per function',
      labelNames: ['function'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 900],
      registers,
    });
    this.failedEvents = new Counter({
      name: 'vigil_function_failed_events_total',
      help:
        'Events given up, by condition (RetriesExhausted, EventAgeExceeded, ' +
        'RecursiveInvocationDropped: the recursion guard stopped a loop), per function',
      labelNames: ['function', 'condition'],
      registers,
    });
    new Gauge({
      name: 'vigil_outbox_backlog',
      help: 'Outbox rows waiting (state=pending) or dead-lettered (state=dead), per destination',
      labelNames: ['destination', 'state'],
      registers,
      collect() {
        this.reset();
        for (const row of outbox.backlog()) {
          this.set({ destination: row.destination, state: 'pending' }, row.pending);
          this.set({ destination: row.destination, state: 'dead' }, row.dead);
        }
      },
    });
    new Gauge({
      name: 'vigil_outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest event still waiting for delivery, per destination',
      labelNames: ['destination'],
      registers,
      collect() {
        this.reset();
        const now = Date.now();
        for (const row of outbox.backlog()) {
          if (row.oldestPendingAt !== null)
            this.set({ destination: row.destination }, (now - row.oldestPendingAt) / 1000);
        }
      },
    });
  }

  /**
   * Counts the fdatasyncs of a database's WAL (`vigil_wal_fsyncs_total{database}`), read from
   * the store when scraped: what one image costs the disk (ADR 17, ADR 19).
   */
  countWalSyncs(syncs: Record<string, () => number>): void {
    new Counter({
      name: 'vigil_wal_fsyncs_total',
      help: 'fdatasyncs of a SQLite write-ahead log (vigil.db, reports.db) since start',
      labelNames: ['database'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [database, read] of Object.entries(syncs)) this.inc({ database }, read());
      },
    });
  }

  emitted(destination: string): void {
    this.emittedCounter.inc({ destination });
  }

  delivered(destination: string, eventAgeMs: number): void {
    this.deliveries.inc({ destination, outcome: 'delivered' });
    this.latency.observe({ destination }, eventAgeMs / 1000);
  }

  retried(destination: string): void {
    this.deliveries.inc({ destination, outcome: 'retried' });
  }

  deadLettered(destination: string): void {
    this.deliveries.inc({ destination, outcome: 'dead_lettered' });
  }

  attemptEnded(functionName: string, outcome: AttemptOutcome, durationMs: number): void {
    this.attempts.inc({ function: functionName, outcome });
    this.attemptDuration.observe({ function: functionName }, durationMs / 1000);
  }

  eventFailed(functionName: string, condition: FailureCondition): void {
    this.failedEvents.inc({ function: functionName, condition });
  }
}
