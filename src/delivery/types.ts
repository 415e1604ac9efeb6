/** One event on its way to one destination: a row of the transactional outbox. */
export interface OutboxEntry {
  /** Never reused, even after the outbox empties; local to one data directory. */
  id: number;
  /**
   * A random UUID, unique across restarts and data directories, kept across retries and
   * redrives of this row: what a receiver deduplicates on (`X-Vigil-Event-Id`).
   */
  eventId: string;
  /** The destination's ARN, as written in the bucket's notification configuration. */
  destination: string;
  bucket: string;
  key: string;
  eventName: string;
  /** The message exactly as it will be delivered (JSON text). */
  body: string;
  createdAt: number;
  /** Delivery attempts started so far, including the one in progress. */
  attempts: number;
  nextAttemptAt: number;
  leaseUntil: number | null;
  state: 'pending' | 'dead';
  lastError: string | null;
  deadAt: number | null;
  /** X-Amzn-Trace-Id of the write that caused the event, if it came from a function. */
  traceHeader: string | null;
}

/** What a new outbox row needs; the store fills in the rest. */
export interface NewOutboxEntry {
  destination: string;
  bucket: string;
  key: string;
  eventName: string;
  body: string;
  traceHeader?: string | undefined;
}

/** How one delivery attempt ended. */
export type DeliveryOutcome =
  | { ok: true }
  | {
      ok: false;
      /** Permanent failures (a 4xx from a webhook, a destination that no longer exists) are not retried. */
      permanent: boolean;
      error: string;
    };

/**
 * How the dispatcher settled one delivery attempt: the row deleted (delivered), released
 * until `nextAttemptAt` (retried) or moved to the dead letters. `at` is when it was settled.
 */
export type Settlement =
  | { outcome: 'delivered'; at: number }
  | { outcome: 'retried'; at: number; error: string; nextAttemptAt: number }
  | { outcome: 'dead_lettered'; at: number; error: string };

/**
 * A kind of destination, as the dispatcher sees it. A destination either delivers on its own
 * (`deliver`, e.g. an HTTP POST), or — when it lives in Vigil's own database — inside the
 * transaction that completes the outbox row (`deliverInTransaction`), so the hand-over is
 * exactly once.
 */
export type DestinationAdapter =
  | { kind: 'async'; deliver(entry: OutboxEntry): Promise<DeliveryOutcome> }
  | {
      kind: 'transactional';
      /** Runs inside the transaction that deletes `entry`; throws a DeliveryError to fail it. */
      deliverInTransaction(entry: OutboxEntry): void;
    };

/** A failure a destination reports from `deliverInTransaction`. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** Resolves a destination ARN to what delivers to it, or undefined when it does not exist. */
export type DestinationResolver = (arn: string) => DestinationAdapter | undefined;

export interface DeliverySettings {
  /** Deliveries in flight at once, over all destinations. */
  concurrency: number;
  /** How long a claimed row stays claimed; a delivery still running after it may be repeated. */
  leaseMs: number;
  /** Attempts before a row is dead-lettered. */
  maxAttempts: number;
  /** Age (since the event) after which a failing row is dead-lettered. */
  maxAgeMs: number;
  /** First retry delay; doubles per attempt, with jitter, up to backoffMaxMs. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How often the dispatcher looks for due rows when nothing woke it. */
  pollIntervalMs: number;
}

export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = {
  concurrency: 32,
  leaseMs: 60_000,
  maxAttempts: 100,
  maxAgeMs: 24 * 3600_000,
  backoffBaseMs: 200,
  backoffMaxMs: 300_000,
  pollIntervalMs: 250,
};
