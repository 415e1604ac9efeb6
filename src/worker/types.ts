/**
 * The contract between `vigil worker` and a message broker: a source hands out deliveries of
 * event messages; the worker settles each one exactly once.
 */

/** One delivery of one broker message. */
export interface Delivery {
  /** The broker's id for the message (stream sequence, SQS message id). */
  readonly id: string;
  readonly body: Uint8Array;
  /** 1 for the first delivery, 2 for the first redelivery, … */
  readonly attempt: number;
  /** Done: the broker forgets the message. */
  ack(): Promise<void>;
  /** Failed for now: deliver it again after `delayMs`. */
  retry(delayMs: number): Promise<void>;
  /** Failed for good: move it to the dead letters with `reason`, then forget it. */
  deadLetter(reason: string): Promise<void>;
  /** Still working on it: keep it from being delivered to someone else for another while. */
  extend(): Promise<void>;
}

export interface EventSource {
  /** A name for logs and metrics, e.g. `jetstream:vigil-events/workers`. */
  readonly name: string;
  /** How many attempts a message gets before it is dead-lettered. */
  readonly maxAttempts: number;
  /** How long a delivery stays with this worker without `extend` (ms). */
  readonly leaseMs: number;
  /**
   * Up to `max` deliveries, waiting at most `waitMs` for the first; fewer (or none) when the
   * wait ends or `signal` aborts.
   */
  receive(max: number, waitMs: number, signal: AbortSignal): Promise<Delivery[]>;
  /** Stops receiving; deliveries handed out stay valid until settled or their lease ends. */
  close(): Promise<void>;
}

/** A message a worker gave up on, as its dead-letter store keeps it. */
export interface WorkerDeadLetter {
  /** The dead-letter store's id for it (a `<stream>_DLQ` sequence, an SQS message id). */
  id: string;
  /** Why the worker gave up, as it said. */
  reason: string;
  /** Deliveries before it gave up; null when the store does not know. */
  attempts: number | null;
  /** When it was dead-lettered (epoch ms); null when the store does not know. */
  deadAt: number | null;
  /** The broker message, as it arrived. */
  body: string;
}

/** The dead letters of an event source: listed for people, and put back in line. */
export interface DeadLetterStore {
  /** A name for people, e.g. `jetstream:vigil-events_DLQ`. */
  readonly name: string;
  /** Up to `limit` dead letters, oldest first. */
  list(limit: number): Promise<WorkerDeadLetter[]>;
  /**
   * Sends the dead letters with these ids (all of them for `'all'`) back to the source,
   * each once, and forgets them; resolves with how many went back.
   */
  redrive(ids: readonly string[] | 'all'): Promise<number>;
  close(): Promise<void>;
}
