import { DeliveryError, type DestinationAdapter, type OutboxEntry } from '../delivery/types.js';

/** What delivery needs from Vigil's built-in queues. */
export interface QueueSink {
  exists(name: string): boolean;
  /** Inserts a message within the caller's transaction. */
  sendInTransaction(name: string, body: string): void;
}

/**
 * Queues receive the raw S3 event message as the message body, as SQS does. The message is
 * inserted in the same transaction that deletes the outbox row: handed over exactly once.
 */
export function queueAdapter(queues: QueueSink, name: string): DestinationAdapter {
  return {
    kind: 'transactional',
    deliverInTransaction(entry: OutboxEntry): void {
      if (!queues.exists(name)) throw new DeliveryError(`queue ${name} does not exist`, true);
      try {
        queues.sendInTransaction(name, entry.body);
      } catch (error) {
        // The queue refused this body (too large for its MaximumMessageSize, …): retrying
        // the same body cannot help.
        throw new DeliveryError(
          `queue ${name} refused the message: ${(error as Error).message}`,
          true,
        );
      }
    },
  };
}
