import type pg from 'pg';
import {
  CARRIES_VERDICT,
  RECALLED_COLUMNS,
  memoryValues,
  nearestFirst,
  recallProbes,
  rememberedImage,
  type MemoryRow,
  type RecalledRow,
} from './image-memory.js';
import { REPORT_MIGRATIONS } from './migrations.js';
import { migratePostgres } from './postgres-migrate.js';
import {
  createPool,
  rows,
  transaction,
  type PostgresPoolOptions,
  type Queryable,
} from './postgres-pool.js';
import {
  toAuditEntry,
  toReviewItem,
  toTrackingRecord,
  type AuditRow,
  type JoinedRow,
  type ReviewRow,
  type TrackingRow,
} from './sqlite-rows.js';
import {
  REVIEW_DECISIONS,
  type AuditEntry,
  type Decision,
  type ImageRecall,
  type NewAuditEntry,
  type NewTrackingRecord,
  type PendingReview,
  type RecalledImage,
  type RecordKey,
  type RecordOptions,
  type Recorded,
  type RememberedImage,
  type ReportStore,
  type ReviewClaim,
  type ReviewDecided,
  type ReviewerDecision,
  type ReviewItem,
  type TimeRange,
  type TrackingRecord,
} from './types.js';

export type PostgresReportStoreOptions = PostgresPoolOptions;

const KEY = 'bucket = $1 AND key = $2 AND write_id = $3';
/** The review item's columns next to its record's, in a join (the id renamed). */
const JOINED = `SELECT t.*, r.id AS review_id, r.status, r.created_at, r.message_sent_at,
    r.send_claimed_at, r.send_failures, r.last_send_error, r.claimed_by, r.claim_expires_at,
    r.decided_by, r.decided_at, r.decision_action, r.decision_note
  FROM review_items r JOIN tracking_records t USING (bucket, key, write_id)`;

const SQL = {
  insertRecord: `INSERT INTO tracking_records (bucket, key, write_id, etag, size, content_type,
      labels, decision, reason, model_version, event_time, processing_start, processing_end,
      attempt)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1)
    ON CONFLICT (bucket, key, write_id) DO NOTHING
    RETURNING *`,
  countDelivery: `UPDATE tracking_records SET attempt = attempt + 1 WHERE ${KEY} RETURNING *`,
  selectRecord: `SELECT * FROM tracking_records WHERE ${KEY}`,
  insertReview: `INSERT INTO review_items (bucket, key, write_id, etag, created_at,
      send_claimed_at)
    VALUES ($1, $2, $3, $4, $5, $5)
    ON CONFLICT (bucket, key, write_id) DO NOTHING`,
  selectReview: `SELECT * FROM review_items WHERE ${KEY}`,
  selectUnsent: `${JOINED} WHERE r.message_sent_at IS NULL ORDER BY r.created_at, r.id LIMIT $1`,
  selectQueue: `${JOINED} WHERE r.status = 'pending' ORDER BY r.created_at, r.id LIMIT $1`,
  countPending: `SELECT count(*) AS n FROM review_items WHERE status = 'pending'`,
  selectReviewById: `${JOINED} WHERE r.id = $1`,
  claimReview: `UPDATE review_items SET claimed_by = $2, claim_expires_at = $4
    WHERE id = $1 AND status = 'pending'
      AND (claimed_by IS NULL OR claimed_by = $2 OR claim_expires_at <= $3)
    RETURNING *`,
  releaseReview: `UPDATE review_items SET claimed_by = NULL, claim_expires_at = NULL
    WHERE id = $1 AND claimed_by = $2`,
  decideReview: `UPDATE review_items SET status = $3, decided_by = $2, decided_at = $4,
      decision_action = $5, decision_note = $6, claimed_by = NULL, claim_expires_at = NULL
    WHERE id = $1 AND status = 'pending'
      AND (claimed_by IS NULL OR claimed_by = $2 OR claim_expires_at <= $4)
    RETURNING *`,
  selectReviewRow: `SELECT * FROM review_items WHERE id = $1`,
  noteReviewOnRecord: `UPDATE tracking_records SET review_action = $4, reviewed_by = $5,
      reviewed_at = $6
    WHERE ${KEY}`,
  insertAudit: `INSERT INTO audit_log (at, actor, action, bucket, key, etag, review_item_id,
      note, tags_before, tags_after)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
    RETURNING *`,
  selectAuditRange: `SELECT * FROM audit_log WHERE at >= $1 AND at < $2 ORDER BY at, id LIMIT $3`,
  selectAuditFor: `SELECT * FROM audit_log WHERE bucket = $1 AND key = $2 ORDER BY at, id`,
  // Records have no id: ties in processing_end go by write, not insertion order.
  selectRecordsRange: `SELECT * FROM tracking_records
    WHERE processing_end >= $1 AND processing_end < $2
    ORDER BY processing_end, bucket, key, write_id LIMIT $3`,
  selectRecordsFor: `SELECT * FROM tracking_records WHERE bucket = $1 AND key = $2
    ORDER BY processing_end, write_id`,
  selectDecided: `SELECT * FROM review_items WHERE decided_at >= $1 AND decided_at < $2
    ORDER BY decided_at, id`,
  claimSend: `UPDATE review_items SET send_claimed_at = $2
    WHERE id = $1 AND message_sent_at IS NULL
      AND (send_claimed_at IS NULL OR send_claimed_at <= $3)`,
  markSent: `UPDATE review_items SET message_sent_at = $2, send_claimed_at = NULL
    WHERE id = $1 AND message_sent_at IS NULL`,
  markFailed: `UPDATE review_items SET send_failures = send_failures + 1, last_send_error = $2,
      send_claimed_at = NULL
    WHERE id = $1`,
  insertMemory: `INSERT INTO image_memory (bucket, key, write_id, algorithm, hash, band0, band1,
      band2, band3, precedent_bucket, precedent_key, precedent_write_id)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
    ON CONFLICT (bucket, key, write_id) DO NOTHING`,
  selectMemory: `SELECT * FROM image_memory WHERE ${KEY}`,
  // One index scan per band, OR-ed in a bitmap.
  recall: `SELECT ${RECALLED_COLUMNS}
    FROM image_memory m JOIN tracking_records t USING (bucket, key, write_id)
    WHERE m.algorithm = $1
      AND (m.band0 = ANY($2::integer[]) OR m.band1 = ANY($3::integer[])
        OR m.band2 = ANY($4::integer[]) OR m.band3 = ANY($5::integer[]))
      AND ${CARRIES_VERDICT}`,
} as const;

/**
 * The `ReportStore` on PostgreSQL (`reporting.url: postgres://…`): the same tables, numbered
 * migrations and semantics as the SQLite store, for several Vigil processes sharing one
 * reporting database. Writes that must hold together run in one transaction; concurrent
 * deliveries of one event meet at the primary key (`INSERT … ON CONFLICT DO NOTHING`).
 *
 * @example
 * const store = await PostgresReportStore.open('postgres://vigil@db.internal/vigil');
 * const { created } = await store.record(entry);
 */
export class PostgresReportStore implements ReportStore {
  private constructor(private readonly pool: pg.Pool) {}

  /** Connects, creates `schema` when given and missing, and applies pending migrations. */
  static async open(
    url: string,
    options: PostgresReportStoreOptions = {},
  ): Promise<PostgresReportStore> {
    const pool = createPool(url, options);
    try {
      await migratePostgres(pool, options.schema, REPORT_MIGRATIONS);
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresReportStore(pool);
  }

  /** PostgreSQL's commit is durable when answered: `durable: false` changes nothing. */
  record(entry: NewTrackingRecord, _options?: RecordOptions): Promise<Recorded> {
    return transaction(this.pool, async (client): Promise<Recorded> => {
      const [inserted] = await rows<TrackingRow>(client, SQL.insertRecord, [
        ...keyValues(entry),
        entry.etag,
        entry.size,
        entry.contentType,
        JSON.stringify(entry.labels),
        entry.decision,
        entry.reason,
        entry.modelVersion,
        entry.eventTime,
        entry.processingStart,
        entry.processingEnd,
      ]);
      // A concurrent delivery's insert is waited for, then found here, committed.
      const row =
        inserted ?? (await rows<TrackingRow>(client, SQL.countDelivery, keyValues(entry)))[0];
      if (!row) throw new Error(`tracking record ${entry.bucket}/${entry.key} vanished`);
      const record = toTrackingRecord(row);
      // Only the delivery that wrote the record decides what goes with it.
      const created = inserted !== undefined;
      if (created && entry.image)
        await client.query(SQL.insertMemory, [...keyValues(entry), ...memoryValues(entry.image)]);
      if (created && needsReview(record.decision) && entry.askReviewer !== false)
        await client.query(SQL.insertReview, [
          ...keyValues(record),
          record.etag,
          record.processingEnd,
        ]);
      return { record, created, reviewItem: await reviewRow(client, record) };
    });
  }

  redelivered(key: RecordKey): Promise<Recorded | undefined> {
    return transaction(this.pool, async (client): Promise<Recorded | undefined> => {
      const [row] = await rows<TrackingRow>(client, SQL.countDelivery, keyValues(key));
      if (!row) return undefined;
      return {
        record: toTrackingRecord(row),
        created: false,
        reviewItem: await reviewRow(client, key),
      };
    });
  }

  async findRecord(key: RecordKey): Promise<TrackingRecord | undefined> {
    const [row] = await rows<TrackingRow>(this.pool, SQL.selectRecord, keyValues(key));
    return row && toTrackingRecord(row);
  }

  findReviewItem(key: RecordKey): Promise<ReviewItem | undefined> {
    return reviewRow(this.pool, key);
  }

  async unsentReviewItems(limit = 100): Promise<PendingReview[]> {
    return (await rows<JoinedRow>(this.pool, SQL.selectUnsent, [limit])).map(joined);
  }

  async claimReviewSend(id: number, now: number, leaseMs: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(SQL.claimSend, [id, now, now - leaseMs]);
    return rowCount === 1;
  }

  async markReviewSent(id: number, at: number): Promise<void> {
    await this.pool.query(SQL.markSent, [id, at]);
  }

  async markReviewSendFailed(id: number, error: string): Promise<void> {
    await this.pool.query(SQL.markFailed, [id, error]);
  }

  async recallImages(query: ImageRecall): Promise<RecalledImage[]> {
    const probes = recallProbes(query);
    const candidates = await rows<RecalledRow>(this.pool, SQL.recall, [query.algorithm, ...probes]);
    return nearestFirst(candidates, query);
  }

  async findRememberedImage(key: RecordKey): Promise<RememberedImage | undefined> {
    const [row] = await rows<MemoryRow>(this.pool, SQL.selectMemory, keyValues(key));
    return row && rememberedImage(row);
  }

  async reviewQueue(limit = 100): Promise<PendingReview[]> {
    return (await rows<JoinedRow>(this.pool, SQL.selectQueue, [limit])).map(joined);
  }

  async countPendingReviews(): Promise<number> {
    const [row] = await rows<{ n: number }>(this.pool, SQL.countPending);
    return row?.n ?? 0;
  }

  async getReview(id: number): Promise<PendingReview | undefined> {
    const [row] = await rows<JoinedRow>(this.pool, SQL.selectReviewById, [id]);
    return row && joined(row);
  }

  /**
   * One conditional UPDATE decides the claim; a refused one reads the item to say why
   * (as of that read: under READ COMMITTED a transaction around both would add nothing).
   */
  async claimReview(
    id: number,
    reviewer: string,
    now: number,
    leaseMs: number,
  ): Promise<ReviewClaim> {
    const [claimed] = await rows<ReviewRow>(this.pool, SQL.claimReview, [
      id,
      reviewer,
      now,
      now + leaseMs,
    ]);
    if (claimed) return { claimed: true, item: toReviewItem(claimed) };
    const item = await reviewById(this.pool, id);
    if (!item) return { claimed: false, reason: 'missing' };
    return { claimed: false, reason: item.status === 'pending' ? 'held' : 'decided', item };
  }

  async releaseReview(id: number, reviewer: string): Promise<void> {
    await this.pool.query(SQL.releaseReview, [id, reviewer]);
  }

  decideReview(decision: ReviewerDecision): Promise<ReviewDecided> {
    return transaction(this.pool, async (client): Promise<ReviewDecided> => {
      const [decided] = await rows<ReviewRow>(client, SQL.decideReview, [
        decision.id,
        decision.reviewer,
        decision.action === 'approve' ? 'approved' : 'rejected',
        decision.at,
        decision.action,
        decision.note,
      ]);
      if (!decided) {
        const item = await reviewById(client, decision.id);
        if (!item) return { decided: false, reason: 'missing' };
        return { decided: false, reason: item.status === 'pending' ? 'held' : 'decided', item };
      }
      const item = toReviewItem(decided);
      await client.query(SQL.noteReviewOnRecord, [
        ...keyValues(item),
        decision.action,
        decision.reviewer,
        decision.at,
      ]);
      const audit = await insertAudit(client, {
        at: decision.at,
        actor: decision.reviewer,
        action: `review.${decision.action}`,
        bucket: item.bucket,
        key: item.key,
        etag: item.etag,
        reviewItemId: item.id,
        note: decision.note,
        tagsBefore: decision.tagsBefore,
        tagsAfter: decision.tagsAfter,
      });
      return { decided: true, item, audit };
    });
  }

  appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    return insertAudit(this.pool, entry);
  }

  async auditLog(range: TimeRange, limit = 100_000): Promise<AuditEntry[]> {
    return (
      await rows<AuditRow>(this.pool, SQL.selectAuditRange, [range.from, range.to, limit])
    ).map(toAuditEntry);
  }

  async auditFor(bucket: string, key: string): Promise<AuditEntry[]> {
    return (await rows<AuditRow>(this.pool, SQL.selectAuditFor, [bucket, key])).map(toAuditEntry);
  }

  async recordsBetween(range: TimeRange, limit = 100_000): Promise<TrackingRecord[]> {
    return (
      await rows<TrackingRow>(this.pool, SQL.selectRecordsRange, [range.from, range.to, limit])
    ).map(toTrackingRecord);
  }

  async recordsFor(bucket: string, key: string): Promise<TrackingRecord[]> {
    return (await rows<TrackingRow>(this.pool, SQL.selectRecordsFor, [bucket, key])).map(
      toTrackingRecord,
    );
  }

  async decidedBetween(range: TimeRange): Promise<ReviewItem[]> {
    return (await rows<ReviewRow>(this.pool, SQL.selectDecided, [range.from, range.to])).map(
      toReviewItem,
    );
  }

  /** Every answered commit is durable already (PostgreSQL's own WAL). */
  flush(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}

async function reviewRow(db: Queryable, key: RecordKey): Promise<ReviewItem | undefined> {
  const [row] = await rows<ReviewRow>(db, SQL.selectReview, keyValues(key));
  return row && toReviewItem(row);
}

async function reviewById(db: Queryable, id: number): Promise<ReviewItem | undefined> {
  const [row] = await rows<ReviewRow>(db, SQL.selectReviewRow, [id]);
  return row && toReviewItem(row);
}

async function insertAudit(db: Queryable, entry: NewAuditEntry): Promise<AuditEntry> {
  const tags = (t: NewAuditEntry['tagsBefore']) => (t === null ? null : JSON.stringify(t));
  const [row] = await rows<AuditRow>(db, SQL.insertAudit, [
    entry.at,
    entry.actor,
    entry.action,
    entry.bucket,
    entry.key,
    entry.etag,
    entry.reviewItemId,
    entry.note,
    tags(entry.tagsBefore),
    tags(entry.tagsAfter),
  ]);
  if (!row) throw new Error('the audit entry was not written');
  return toAuditEntry(row);
}

function joined(row: JoinedRow): PendingReview {
  return { record: toTrackingRecord(row), reviewItem: toReviewItem({ ...row, id: row.review_id }) };
}

function keyValues({ bucket, key, writeId }: RecordKey): [string, string, string] {
  return [bucket, key, writeId];
}

function needsReview(decision: Decision): boolean {
  return (REVIEW_DECISIONS as readonly Decision[]).includes(decision);
}
