import { encodeEventKey } from '../events/index.js';
import { InvocationStore, renderAttempt, type InvocationRecord } from '../functions/index.js';
import type { SqliteDatabase, Tag } from '../storage/index.js';
import { eventFacts } from './event-body.js';
import type {
  DeliveryRecord,
  DeliveryStats,
  InvocationHistory,
  ObjectActivity,
  ObjectHistory,
  PendingEvent,
} from './types.js';

/**
 * The distinct destinations of a table with an index led by `destination`, one index seek
 * each (SQLite has no skip scan without ANALYZE statistics; a plain DISTINCT reads it all).
 */
const destinationsOf = (table: string) => `
  WITH RECURSIVE destinations(name) AS (
    SELECT MIN(destination) FROM ${table}
    UNION ALL
    SELECT (SELECT MIN(destination) FROM ${table} WHERE destination > name)
      FROM destinations WHERE name IS NOT NULL)`;

/**
 * Reads one object's history out of the main database: its committed changes, its settled
 * deliveries, its events still in the outbox and the function invocations of its events.
 * Read-only; every query is an index lookup.
 *
 * @example
 * const history = new HistoryStore(engine.db);
 * const steps = buildTimeline({ ...history.objectHistory('photos', 'cat.jpg'), verdicts, reviews });
 */
export class HistoryStore {
  private readonly statements;
  private readonly invocationStore: InvocationStore;

  constructor(db: SqliteDatabase) {
    this.invocationStore = new InvocationStore(db);
    this.statements = {
      activity: db.prepare(
        'SELECT * FROM object_activity WHERE bucket = ? AND key = ? ORDER BY at, id',
      ),
      deliveries: db.prepare(
        'SELECT * FROM delivery_log WHERE bucket = ? AND key = ? ORDER BY at, id',
      ),
      // outbox_per_key is (destination, bucket, key, id): one seek per destination.
      pending: db.prepare(
        `${destinationsOf('outbox')}
         SELECT o.* FROM destinations d
           JOIN outbox o ON o.destination = d.name AND o.bucket = ? AND o.key = ?
          ORDER BY o.id`,
      ),
      // The expressions of the index function_invocations_by_object (migration 6), verbatim.
      invocations: db
        .prepare(
          `SELECT request_id FROM function_invocations
            WHERE json_extract(payload, '$.Records[0].s3.bucket.name') = ?
              AND json_extract(payload, '$.Records[0].s3.object.key') = ?
            ORDER BY id DESC LIMIT ?`,
        )
        .pluck(),
      stats: db.prepare(
        `${destinationsOf('delivery_log')}
         SELECT d.name AS destination,
                SUM(l.outcome = 'delivered') AS delivered,
                SUM(l.outcome <> 'delivered') AS failed
           FROM destinations d
           JOIN delivery_log l ON l.destination = d.name AND l.at >= ?
          GROUP BY d.name ORDER BY d.name`,
      ),
    };
  }

  /** The object's committed changes, oldest first. */
  activity(bucket: string, key: string): ObjectActivity[] {
    return (this.statements.activity.all(bucket, key) as ActivityRow[]).map(toActivity);
  }

  /** Settled delivery attempts of the object's events, oldest first. */
  deliveries(bucket: string, key: string): DeliveryRecord[] {
    return (this.statements.deliveries.all(bucket, key) as DeliveryRow[]).map(toDelivery);
  }

  /** The object's events still in the outbox (waiting, in flight or dead), in event order. */
  pendingEvents(bucket: string, key: string): PendingEvent[] {
    return (this.statements.pending.all(bucket, key) as OutboxRow[]).map(toPending);
  }

  /**
   * The newest `limit` function invocations whose S3 event names this bucket and key,
   * oldest first, each attempt with its rendered Lambda log.
   */
  invocations(bucket: string, key: string, limit = 50): InvocationHistory[] {
    const ids = this.statements.invocations.all(bucket, encodeEventKey(key), limit) as string[];
    return ids
      .reverse()
      .map((id) => this.invocationStore.get(id))
      .filter((record) => record !== undefined)
      .map(toInvocation);
  }

  /** Per destination, deliveries and failures (retries + dead letters) settled since `sinceMs`. */
  deliveryStats(sinceMs: number): DeliveryStats[] {
    return this.statements.stats.all(sinceMs) as DeliveryStats[];
  }

  /** All of the above for one object: what buildTimeline takes, less the moderation data. */
  objectHistory(bucket: string, key: string, invocationLimit = 50): ObjectHistory {
    return {
      activity: this.activity(bucket, key),
      deliveries: this.deliveries(bucket, key),
      pending: this.pendingEvents(bucket, key),
      invocations: this.invocations(bucket, key, invocationLimit),
    };
  }
}

interface ActivityRow {
  id: number;
  at: number;
  bucket: string;
  key: string;
  kind: ObjectActivity['kind'];
  via: ObjectActivity['via'];
  etag: string | null;
  size: number | null;
  request_id: string | null;
  source_ip: string | null;
  principal: string | null;
  tags: string | null;
  trace_header: string | null;
}

function toActivity(row: ActivityRow): ObjectActivity {
  return {
    id: row.id,
    at: row.at,
    bucket: row.bucket,
    key: row.key,
    kind: row.kind,
    via: row.via,
    etag: row.etag,
    size: row.size,
    requestId: row.request_id,
    sourceIp: row.source_ip,
    principal: row.principal,
    tags: row.tags === null ? null : (JSON.parse(row.tags) as Tag[]),
    traceHeader: row.trace_header,
  };
}

interface DeliveryRow {
  id: number;
  at: number;
  outbox_id: number;
  destination: string;
  event_name: string;
  bucket: string;
  key: string;
  etag: string | null;
  event_time: number;
  attempt: number;
  outcome: DeliveryRecord['outcome'];
  error: string | null;
  latency_ms: number | null;
}

function toDelivery(row: DeliveryRow): DeliveryRecord {
  return {
    id: row.id,
    at: row.at,
    outboxId: row.outbox_id,
    destination: row.destination,
    eventName: row.event_name,
    bucket: row.bucket,
    key: row.key,
    etag: row.etag,
    eventTime: row.event_time,
    attempt: row.attempt,
    outcome: row.outcome,
    error: row.error,
    latencyMs: row.latency_ms,
  };
}

interface OutboxRow {
  id: number;
  destination: string;
  event_name: string;
  body: string;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  state: 'pending' | 'dead';
  last_error: string | null;
}

function toPending(row: OutboxRow): PendingEvent {
  return {
    outboxId: row.id,
    destination: row.destination,
    eventName: row.event_name,
    etag: eventFacts(row.body).etag,
    createdAt: row.created_at,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    leaseUntil: row.lease_until,
    state: row.state,
    lastError: row.last_error,
  };
}

function toInvocation(record: InvocationRecord): InvocationHistory {
  const event = invokingEvent(record.payload);
  return {
    requestId: record.requestId,
    functionName: record.functionName,
    state: record.state,
    acceptedAt: record.acceptedAt,
    finishedAt: record.finishedAt,
    eventName: event.eventName,
    etag: event.etag,
    attempts: record.attemptLog.map((a) => ({
      attempt: a.attempt,
      startedAt: a.startedAt,
      endedAt: a.endedAt,
      durationMs: a.durationMs,
      outcome: a.outcome,
      error: a.error,
    })),
    log: record.attemptLog.map((a) => renderAttempt(record.requestId, a)).join(''),
  };
}

interface InvokingEvent {
  Records?: { eventName?: string; s3?: { object?: { eTag?: string } } }[];
}

function invokingEvent(payload: string): { eventName: string | null; etag: string | null } {
  // The payload is the S3 event (the index matched it), stored as JSON by the runtime.
  const record = (JSON.parse(payload) as InvokingEvent | null)?.Records?.[0];
  return { eventName: record?.eventName ?? null, etag: record?.s3?.object?.eTag ?? null };
}
