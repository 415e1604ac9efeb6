import type { OutboxEntry, Settlement } from '../delivery/types.js';
import type { SqliteDatabase } from '../storage/index.js';
import { eventFacts } from './event-body.js';

/**
 * The dispatcher's `onSettled` hook that keeps `delivery_log`: one row per settled attempt,
 * inserted in the settle's own (non-durable, group-committed) transaction. The outbox row
 * holds the message; its eTag and event time are read from it, its key from the row (the
 * key as stored, not the event's form-URL-encoded one).
 *
 * @example
 * const dispatcher = new Dispatcher({ …, onSettled: createDeliveryLogWriter(engine.db) });
 */
export function createDeliveryLogWriter(
  db: SqliteDatabase,
): (entry: OutboxEntry, settlement: Settlement) => void {
  // Positional binding: this runs for every delivery attempt (see installActivityWriter).
  const insert = db.prepare(
    `INSERT INTO delivery_log (at, outbox_id, destination, event_name, bucket, key, etag,
                               event_time, attempt, outcome, error, latency_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return (entry, settlement) => {
    const facts = eventFacts(entry.body);
    const at = Math.round(settlement.at);
    // A redriven row's created_at is the redrive; the message keeps the event's own time.
    const eventTime = Math.round(facts.eventTime ?? entry.createdAt);
    const delivered = settlement.outcome === 'delivered';
    insert.run(
      at,
      entry.id,
      entry.destination,
      entry.eventName,
      entry.bucket,
      entry.key,
      facts.etag,
      eventTime,
      entry.attempts,
      settlement.outcome,
      delivered ? null : settlement.error,
      delivered ? at - eventTime : null,
    );
  };
}
