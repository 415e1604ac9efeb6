import Database from 'better-sqlite3';
import { join } from 'node:path';
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
import { GroupCommit } from '../storage/group-commit.js';
import { WalFile } from '../storage/wal-file.js';
import { REPORT_MIGRATIONS, type ReportMigration } from './migrations.js';
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

/** The reporting database's file in a data directory. */
export function reportsDatabasePath(dataDir: string): string {
  return join(dataDir, 'reports.db');
}

export interface SqliteReportStoreOptions {
  /** `full` (default) fsyncs every commit; `normal` survives a process crash only. */
  synchronous?: 'full' | 'normal';
}

const KEY = 'bucket = @bucket AND key = @key AND write_id = @writeId';
/** The review item's columns next to its record's, in a join (the id renamed). */
const REVIEW_COLUMNS = `r.id AS review_id, r.status, r.created_at, r.message_sent_at,
  r.send_claimed_at, r.send_failures, r.last_send_error, r.claimed_by, r.claim_expires_at,
  r.decided_by, r.decided_at, r.decision_action, r.decision_note`;

/**
 * The embedded `ReportStore`: one SQLite file in WAL mode. Several connections may hold it
 * at once (Vigil's main thread and each function worker thread): writes are short
 * transactions and migrations take the write lock before reading the schema version.
 *
 * @example
 * const store = SqliteReportStore.open(reportsDatabasePath('./data'));
 * const { created } = await store.record(entry);
 */
export class SqliteReportStore implements ReportStore {
  private readonly statements;
  /** The pipeline's writes, group-committed and fsynced off the event loop (ADR 17). */
  private readonly group: GroupCommit;

  private constructor(
    private readonly db: Database.Database,
    private readonly wal: WalFile | undefined,
  ) {
    this.group = new GroupCommit(db, wal);
    this.statements = {
      insertRecord: db.prepare(
        `INSERT INTO tracking_records (bucket, key, write_id, etag, size, content_type, labels,
           decision, reason, model_version, event_time, processing_start, processing_end, attempt)
         VALUES (@bucket, @key, @writeId, @etag, @size, @contentType, @labels, @decision, @reason,
           @modelVersion, @eventTime, @processingStart, @processingEnd, 1)
         ON CONFLICT (bucket, key, write_id) DO NOTHING`,
      ),
      countDelivery: db.prepare(
        `UPDATE tracking_records SET attempt = attempt + 1 WHERE ${KEY} RETURNING *`,
      ),
      selectRecord: db.prepare(`SELECT * FROM tracking_records WHERE ${KEY}`),
      insertReview: db.prepare(
        `INSERT INTO review_items (bucket, key, write_id, etag, created_at, send_claimed_at)
         VALUES (@bucket, @key, @writeId, @etag, @createdAt, @createdAt)
         ON CONFLICT (bucket, key, write_id) DO NOTHING`,
      ),
      selectReview: db.prepare(`SELECT * FROM review_items WHERE ${KEY}`),
      selectUnsent: db.prepare(
        `SELECT t.*, ${REVIEW_COLUMNS}
         FROM review_items r JOIN tracking_records t USING (bucket, key, write_id)
         WHERE r.message_sent_at IS NULL ORDER BY r.created_at, r.id LIMIT ?`,
      ),
      selectQueue: db.prepare(
        `SELECT t.*, ${REVIEW_COLUMNS}
         FROM review_items r JOIN tracking_records t USING (bucket, key, write_id)
         WHERE r.status = 'pending' ORDER BY r.created_at, r.id LIMIT ?`,
      ),
      countPending: db.prepare(`SELECT count(*) AS n FROM review_items WHERE status = 'pending'`),
      selectReviewById: db.prepare(
        `SELECT t.*, ${REVIEW_COLUMNS}
         FROM review_items r JOIN tracking_records t USING (bucket, key, write_id)
         WHERE r.id = ?`,
      ),
      claimReview: db.prepare(
        `UPDATE review_items SET claimed_by = @reviewer, claim_expires_at = @until
         WHERE id = @id AND status = 'pending'
           AND (claimed_by IS NULL OR claimed_by = @reviewer OR claim_expires_at <= @now)`,
      ),
      releaseReview: db.prepare(
        `UPDATE review_items SET claimed_by = NULL, claim_expires_at = NULL
         WHERE id = @id AND claimed_by = @reviewer`,
      ),
      decideReview: db.prepare(
        `UPDATE review_items SET status = @status, decided_by = @reviewer, decided_at = @at,
           decision_action = @action, decision_note = @note,
           claimed_by = NULL, claim_expires_at = NULL
         WHERE id = @id AND status = 'pending'
           AND (claimed_by IS NULL OR claimed_by = @reviewer OR claim_expires_at <= @at)`,
      ),
      selectReviewRow: db.prepare(`SELECT * FROM review_items WHERE id = ?`),
      noteReviewOnRecord: db.prepare(
        `UPDATE tracking_records SET review_action = @action, reviewed_by = @reviewer,
           reviewed_at = @at
         WHERE ${KEY}`,
      ),
      insertAudit: db.prepare(
        `INSERT INTO audit_log (at, actor, action, bucket, key, etag, review_item_id, note,
           tags_before, tags_after)
         VALUES (@at, @actor, @action, @bucket, @key, @etag, @reviewItemId, @note,
           @tagsBefore, @tagsAfter)
         RETURNING *`,
      ),
      selectAuditRange: db.prepare(
        `SELECT * FROM audit_log WHERE at >= ? AND at < ? ORDER BY at, id LIMIT ?`,
      ),
      selectAuditFor: db.prepare(
        `SELECT * FROM audit_log WHERE bucket = ? AND key = ? ORDER BY at, id`,
      ),
      selectRecordsRange: db.prepare(
        `SELECT * FROM tracking_records WHERE processing_end >= ? AND processing_end < ?
         ORDER BY processing_end LIMIT ?`,
      ),
      selectRecordsFor: db.prepare(
        `SELECT * FROM tracking_records WHERE bucket = ? AND key = ? ORDER BY processing_end`,
      ),
      selectDecided: db.prepare(
        `SELECT * FROM review_items WHERE decided_at >= ? AND decided_at < ?
         ORDER BY decided_at, id`,
      ),
      claimSend: db.prepare(
        `UPDATE review_items SET send_claimed_at = @now
         WHERE id = @id AND message_sent_at IS NULL
           AND (send_claimed_at IS NULL OR send_claimed_at <= @now - @leaseMs)`,
      ),
      markSent: db.prepare(
        `UPDATE review_items SET message_sent_at = ?, send_claimed_at = NULL
         WHERE id = ? AND message_sent_at IS NULL`,
      ),
      markFailed: db.prepare(
        `UPDATE review_items SET send_failures = send_failures + 1, last_send_error = ?,
           send_claimed_at = NULL
         WHERE id = ?`,
      ),
      insertMemory: db.prepare(
        `INSERT INTO image_memory (bucket, key, write_id, algorithm, hash, band0, band1, band2,
           band3, precedent_bucket, precedent_key, precedent_write_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (bucket, key, write_id) DO NOTHING`,
      ),
      selectMemory: db.prepare(`SELECT * FROM image_memory WHERE ${KEY}`),
      // Each band's probe values come as one JSON array: one statement for any distance.
      recall: db.prepare(
        `SELECT ${RECALLED_COLUMNS}
         FROM image_memory m JOIN tracking_records t USING (bucket, key, write_id)
         WHERE m.algorithm = @algorithm
           AND (m.band0 IN (SELECT value FROM json_each(@band0))
             OR m.band1 IN (SELECT value FROM json_each(@band1))
             OR m.band2 IN (SELECT value FROM json_each(@band2))
             OR m.band3 IN (SELECT value FROM json_each(@band3)))
           AND ${CARRIES_VERDICT}`,
      ),
    };
  }

  /** Opens (creating if needed) the reporting database and applies pending migrations. */
  static open(file: string, options: SqliteReportStoreOptions = {}): SqliteReportStore {
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
      db.pragma('busy_timeout = 5000');
      // Off while migrating: SQLite rebuilds a table to change its key, and a rebuild drops
      // tables that others reference. migrate() checks every reference before committing.
      db.pragma('foreign_keys = OFF');
      migrate(db, REPORT_MIGRATIONS);
      db.pragma('foreign_keys = ON');
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteReportStore(
      db,
      options.synchronous === 'normal' ? undefined : new WalFile(file),
    );
  }

  record(entry: NewTrackingRecord, options: RecordOptions = {}): Promise<Recorded> {
    return this.group.run((): Recorded => {
      const { changes } = this.statements.insertRecord.run({
        ...entry,
        labels: JSON.stringify(entry.labels),
      });
      const created = changes === 1;
      const row = created
        ? (this.statements.selectRecord.get(keyOf(entry)) as TrackingRow)
        : (this.statements.countDelivery.get(keyOf(entry)) as TrackingRow);
      const record = toTrackingRecord(row);
      // Only the delivery that wrote the record decides what goes with it.
      if (created && entry.image)
        this.statements.insertMemory.run(...keyValues(entry), ...memoryValues(entry.image));
      if (created && needsReview(record.decision) && entry.askReviewer !== false)
        this.statements.insertReview.run({
          ...keyOf(record),
          etag: record.etag,
          createdAt: record.processingEnd,
        });
      return { record, created, reviewItem: this.reviewRow(record) };
    }, options);
  }

  redelivered(key: RecordKey): Promise<Recorded | undefined> {
    return this.attempt(() =>
      this.db
        .transaction((): Recorded | undefined => {
          const row = this.statements.countDelivery.get(keyOf(key)) as TrackingRow | undefined;
          if (!row) return undefined;
          return { record: toTrackingRecord(row), created: false, reviewItem: this.reviewRow(key) };
        })
        .immediate(),
    );
  }

  findRecord(key: RecordKey): Promise<TrackingRecord | undefined> {
    return this.attempt(() => {
      const row = this.statements.selectRecord.get(keyOf(key)) as TrackingRow | undefined;
      return row && toTrackingRecord(row);
    });
  }

  findReviewItem(key: RecordKey): Promise<ReviewItem | undefined> {
    return this.attempt(() => this.reviewRow(key));
  }

  unsentReviewItems(limit = 100): Promise<PendingReview[]> {
    return this.attempt(() => (this.statements.selectUnsent.all(limit) as JoinedRow[]).map(joined));
  }

  // The send's own bookkeeping is committed without waiting for the disk: losing it in a
  // power cut only means the message is sent once more (at least once, as SQS delivers).
  claimReviewSend(id: number, now: number, leaseMs: number): Promise<boolean> {
    return this.group.run(() => this.statements.claimSend.run({ id, now, leaseMs }).changes === 1, {
      durable: false,
    });
  }

  markReviewSent(id: number, at: number): Promise<void> {
    return this.group.run(
      () => {
        this.statements.markSent.run(at, id);
      },
      { durable: false },
    );
  }

  markReviewSendFailed(id: number, error: string): Promise<void> {
    return this.group.run(
      () => {
        this.statements.markFailed.run(error, id);
      },
      { durable: false },
    );
  }

  recallImages(query: ImageRecall): Promise<RecalledImage[]> {
    return this.attempt(() => {
      const [band0, band1, band2, band3] = recallProbes(query).map((values) =>
        JSON.stringify(values),
      );
      const rows = this.statements.recall.all({
        algorithm: query.algorithm,
        band0,
        band1,
        band2,
        band3,
      }) as RecalledRow[];
      return nearestFirst(rows, query);
    });
  }

  findRememberedImage(key: RecordKey): Promise<RememberedImage | undefined> {
    return this.attempt(() => {
      const row = this.statements.selectMemory.get(keyOf(key)) as MemoryRow | undefined;
      return row && rememberedImage(row);
    });
  }

  reviewQueue(limit = 100): Promise<PendingReview[]> {
    return this.attempt(() => (this.statements.selectQueue.all(limit) as JoinedRow[]).map(joined));
  }

  countPendingReviews(): Promise<number> {
    return this.attempt(() => (this.statements.countPending.get() as { n: number }).n);
  }

  getReview(id: number): Promise<PendingReview | undefined> {
    return this.attempt(() => {
      const row = this.statements.selectReviewById.get(id) as JoinedRow | undefined;
      return row && joined(row);
    });
  }

  claimReview(id: number, reviewer: string, now: number, leaseMs: number): Promise<ReviewClaim> {
    return this.attempt(() =>
      this.db
        .transaction((): ReviewClaim => {
          const { changes } = this.statements.claimReview.run({
            id,
            reviewer,
            now,
            until: now + leaseMs,
          });
          const item = this.reviewById(id);
          if (!item) return { claimed: false, reason: 'missing' };
          if (changes === 1) return { claimed: true, item };
          return { claimed: false, reason: item.status === 'pending' ? 'held' : 'decided', item };
        })
        .immediate(),
    );
  }

  releaseReview(id: number, reviewer: string): Promise<void> {
    return this.attempt(() => {
      this.statements.releaseReview.run({ id, reviewer });
    });
  }

  decideReview(decision: ReviewerDecision): Promise<ReviewDecided> {
    return this.attempt(() =>
      this.db
        .transaction((): ReviewDecided => {
          const { changes } = this.statements.decideReview.run({
            id: decision.id,
            reviewer: decision.reviewer,
            at: decision.at,
            action: decision.action,
            note: decision.note,
            status: decision.action === 'approve' ? 'approved' : 'rejected',
          });
          const item = this.reviewById(decision.id);
          if (!item) return { decided: false, reason: 'missing' };
          if (changes === 0)
            return { decided: false, reason: item.status === 'pending' ? 'held' : 'decided', item };
          this.statements.noteReviewOnRecord.run({
            ...keyOf(item),
            action: decision.action,
            reviewer: decision.reviewer,
            at: decision.at,
          });
          const audit = this.insertAudit({
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
        })
        .immediate(),
    );
  }

  appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    return this.attempt(() => this.insertAudit(entry));
  }

  auditLog(range: TimeRange, limit = 100_000): Promise<AuditEntry[]> {
    return this.attempt(() =>
      (this.statements.selectAuditRange.all(range.from, range.to, limit) as AuditRow[]).map(
        toAuditEntry,
      ),
    );
  }

  auditFor(bucket: string, key: string): Promise<AuditEntry[]> {
    return this.attempt(() =>
      (this.statements.selectAuditFor.all(bucket, key) as AuditRow[]).map(toAuditEntry),
    );
  }

  recordsBetween(range: TimeRange, limit = 100_000): Promise<TrackingRecord[]> {
    return this.attempt(() =>
      (this.statements.selectRecordsRange.all(range.from, range.to, limit) as TrackingRow[]).map(
        toTrackingRecord,
      ),
    );
  }

  recordsFor(bucket: string, key: string): Promise<TrackingRecord[]> {
    return this.attempt(() =>
      (this.statements.selectRecordsFor.all(bucket, key) as TrackingRow[]).map(toTrackingRecord),
    );
  }

  decidedBetween(range: TimeRange): Promise<ReviewItem[]> {
    return this.attempt(() =>
      (this.statements.selectDecided.all(range.from, range.to) as ReviewRow[]).map(toReviewItem),
    );
  }

  flush(): Promise<void> {
    return this.group.durableThrough(this.group.committed);
  }

  /** fdatasyncs of the WAL made so far (for the `vigil_wal_fsyncs_total` metric). */
  get walSyncs(): number {
    return this.wal?.syncs ?? 0;
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    this.wal?.close();
    return Promise.resolve();
  }

  private reviewById(id: number): ReviewItem | undefined {
    const row = this.statements.selectReviewRow.get(id) as ReviewRow | undefined;
    return row && toReviewItem(row);
  }

  private insertAudit(entry: NewAuditEntry): AuditEntry {
    const tags = (t: NewAuditEntry['tagsBefore']) => (t === null ? null : JSON.stringify(t));
    const row = this.statements.insertAudit.get({
      ...entry,
      tagsBefore: tags(entry.tagsBefore),
      tagsAfter: tags(entry.tagsAfter),
    }) as AuditRow;
    return toAuditEntry(row);
  }

  private reviewRow(key: RecordKey): ReviewItem | undefined {
    const row = this.statements.selectReview.get(keyOf(key)) as ReviewRow | undefined;
    return row && toReviewItem(row);
  }

  /** Runs synchronous SQLite work behind the port's promises, errors as rejections. */
  private attempt<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

function joined(row: JoinedRow): PendingReview {
  return { record: toTrackingRecord(row), reviewItem: toReviewItem({ ...row, id: row.review_id }) };
}

function keyOf({ bucket, key, writeId }: RecordKey): RecordKey {
  return { bucket, key, writeId };
}

function keyValues({ bucket, key, writeId }: RecordKey): [string, string, string] {
  return [bucket, key, writeId];
}

function needsReview(decision: Decision): boolean {
  return (REVIEW_DECISIONS as readonly Decision[]).includes(decision);
}

/**
 * Applies pending migrations in one write transaction: taking the write lock before reading
 * `user_version` means two connections opening a fresh file cannot both migrate it.
 */
function migrate(db: Database.Database, migrations: readonly ReportMigration[]): void {
  const latest = migrations.at(-1)?.version ?? 0;
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > latest)
      throw new Error(
        `The reporting database is at schema version ${current}, newer than this Vigil (${latest}). Upgrade Vigil or use another --data-dir.`,
      );
    for (const migration of migrations) {
      if (migration.version > current) db.exec(migration.sqlite);
    }
    const broken = db.pragma('foreign_key_check') as unknown[];
    if (broken.length > 0)
      throw new Error(
        `Migrating the reporting database left ${broken.length} broken references; nothing was changed.`,
      );
    if (current < latest) db.pragma(`user_version = ${latest}`);
  }).immediate();
}
