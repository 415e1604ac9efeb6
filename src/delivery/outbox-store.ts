import { randomUUID } from 'node:crypto';
import type { SqliteDatabase } from '../storage/index.js';
import type { NewOutboxEntry, OutboxEntry } from './types.js';

interface Row {
  id: number;
  event_id: string;
  destination: string;
  bucket: string;
  key: string;
  event_name: string;
  body: string;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  state: 'pending' | 'dead';
  last_error: string | null;
  dead_at: number | null;
  trace_header: string | null;
}

function toEntry(row: Row): OutboxEntry {
  return {
    id: row.id,
    eventId: row.event_id,
    destination: row.destination,
    bucket: row.bucket,
    key: row.key,
    eventName: row.event_name,
    body: row.body,
    createdAt: row.created_at,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    leaseUntil: row.lease_until,
    state: row.state,
    lastError: row.last_error,
    deadAt: row.dead_at,
    traceHeader: row.trace_header,
  };
}

export interface DestinationBacklog {
  destination: string;
  pending: number;
  dead: number;
  /** Creation time of the oldest pending row, for the "how far behind" gauge. */
  oldestPendingAt: number | null;
}

export interface DeadLetterFilter {
  ids?: readonly number[];
  destination?: string;
}

/**
 * The outbox table. Every method is synchronous and runs in the caller's transaction: the
 * outbox writer inserts inside an object change's transaction, the dispatcher claims and
 * settles rows through group commit.
 */
export class OutboxStore {
  private readonly statements;

  constructor(private readonly db: SqliteDatabase) {
    this.statements = {
      insert: db.prepare(
        `INSERT INTO outbox (event_id, destination, bucket, key, event_name, body, created_at,
                             next_attempt_at, trace_header)
         VALUES (@eventId, @destination, @bucket, @key, @eventName, @body, @createdAt, @now,
                 @traceHeader)`,
      ),
      // Only the oldest pending row of each (destination, bucket, key) may be delivered, so
      // one destination sees one key's events in order; different keys interleave freely.
      // No ORDER BY: the search walks outbox_due (longest-due first) and stops at the limit,
      // where sorting every due row would make each claim cost O(backlog).
      due: db.prepare(
        `SELECT o.* FROM outbox o
          WHERE o.state = 'pending' AND o.next_attempt_at <= @now
            AND (o.lease_until IS NULL OR o.lease_until <= @now)
            AND NOT EXISTS (
              SELECT 1 FROM outbox p
               WHERE p.destination = o.destination AND p.bucket = o.bucket AND p.key = o.key
                 AND p.id < o.id AND p.state = 'pending')
          LIMIT @limit`,
      ),
      lease: db.prepare(
        'UPDATE outbox SET lease_until = @until, attempts = attempts + 1 WHERE id = @id',
      ),
      complete: db.prepare('DELETE FROM outbox WHERE id = @id AND attempts = @attempts'),
      retry: db.prepare(
        `UPDATE outbox SET lease_until = NULL, next_attempt_at = @at, last_error = @error
          WHERE id = @id AND attempts = @attempts AND state = 'pending'`,
      ),
      kill: db.prepare(
        `UPDATE outbox SET lease_until = NULL, state = 'dead', dead_at = @now, last_error = @error
          WHERE id = @id AND attempts = @attempts AND state = 'pending'`,
      ),
      nextWake: db.prepare(
        `SELECT MIN(MAX(next_attempt_at, COALESCE(lease_until, 0))) AS at
           FROM outbox WHERE state = 'pending'`,
      ),
      backlog: db.prepare(
        `SELECT destination,
                SUM(state = 'pending') AS pending,
                SUM(state = 'dead') AS dead,
                MIN(CASE WHEN state = 'pending' THEN created_at END) AS oldest
           FROM outbox GROUP BY destination ORDER BY destination`,
      ),
      byId: db.prepare('SELECT * FROM outbox WHERE id = ?'),
    };
  }

  /**
   * Forgets every claim. Only for start-up in embedded mode, where the one dispatcher that
   * could hold claims is the process that just died: its deliveries start again at once
   * instead of after their leases run out.
   */
  releaseAllLeases(): number {
    return this.db
      .prepare('UPDATE outbox SET lease_until = NULL WHERE lease_until IS NOT NULL')
      .run().changes;
  }

  /** Adds a row due now; `createdAt` (default now) is when its event happened. */
  insert(entry: NewOutboxEntry, now: number, createdAt = now): number {
    return Number(
      this.statements.insert.run({
        ...entry,
        eventId: randomUUID(),
        traceHeader: entry.traceHeader ?? null,
        now,
        createdAt,
      }).lastInsertRowid,
    );
  }

  /** Claims up to `limit` due rows for `leaseMs`; each claim counts as an attempt. */
  claim(now: number, limit: number, leaseMs: number): OutboxEntry[] {
    const rows = this.statements.due.all({ now, limit }) as Row[];
    for (const row of rows) {
      this.statements.lease.run({ id: row.id, until: now + leaseMs });
      row.attempts += 1;
      row.lease_until = now + leaseMs;
    }
    return rows.map(toEntry);
  }

  /**
   * Removes a delivered row. `attempts` identifies the claim: a claim that lost its lease to a
   * newer one cannot settle the row. Returns false when the claim was stale.
   */
  complete(entry: Pick<OutboxEntry, 'id' | 'attempts'>): boolean {
    return this.statements.complete.run({ id: entry.id, attempts: entry.attempts }).changes > 0;
  }

  /** Releases a failed row until `at`. */
  retryAt(entry: Pick<OutboxEntry, 'id' | 'attempts'>, at: number, error: string): boolean {
    return this.statements.retry.run({ ...pick(entry), at, error }).changes > 0;
  }

  /** Moves a row to the dead-letter state. */
  deadLetter(entry: Pick<OutboxEntry, 'id' | 'attempts'>, now: number, error: string): boolean {
    return this.statements.kill.run({ ...pick(entry), now, error }).changes > 0;
  }

  /** When the next pending row becomes due (ms), or undefined when nothing is pending. */
  nextDueAt(): number | undefined {
    const row = this.statements.nextWake.get() as { at: number | null };
    return row.at ?? undefined;
  }

  backlog(): DestinationBacklog[] {
    return (
      this.statements.backlog.all() as {
        destination: string;
        pending: number;
        dead: number;
        oldest: number | null;
      }[]
    ).map((r) => ({
      destination: r.destination,
      pending: r.pending,
      dead: r.dead,
      oldestPendingAt: r.oldest,
    }));
  }

  get(id: number): OutboxEntry | undefined {
    const row = this.statements.byId.get(id) as Row | undefined;
    return row ? toEntry(row) : undefined;
  }

  /** Dead letters, oldest first. */
  deadLetters(filter: DeadLetterFilter = {}, limit = 1000): OutboxEntry[] {
    const { where, params } = deadWhere(filter);
    return (
      this.db
        .prepare(`SELECT * FROM outbox WHERE ${where} ORDER BY id LIMIT ?`)
        .all(...params, limit) as Row[]
    ).map(toEntry);
  }

  /**
   * Puts dead letters back in line as new: attempts and age start again. Returns how many
   * rows were redriven.
   */
  redrive(filter: DeadLetterFilter, now: number): number {
    const { where, params } = deadWhere(filter);
    return this.db
      .prepare(
        `UPDATE outbox SET state = 'pending', attempts = 0, created_at = ?, next_attempt_at = ?,
                lease_until = NULL, dead_at = NULL
          WHERE ${where}`,
      )
      .run(now, now, ...params).changes;
  }
}

function pick(entry: Pick<OutboxEntry, 'id' | 'attempts'>) {
  return { id: entry.id, attempts: entry.attempts };
}

function deadWhere(filter: DeadLetterFilter): { where: string; params: (string | number)[] } {
  const clauses = ["state = 'dead'"];
  const params: (string | number)[] = [];
  if (filter.ids) {
    clauses.push(`id IN (${filter.ids.map(() => '?').join(',') || 'NULL'})`);
    params.push(...filter.ids);
  }
  if (filter.destination !== undefined) {
    clauses.push('destination = ?');
    params.push(filter.destination);
  }
  return { where: clauses.join(' AND '), params };
}
