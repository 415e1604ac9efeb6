/**
 * Numbered schema migrations of the reporting database (`<data-dir>/reports.db`), separate
 * from Vigil's metadata database so the reporting side can move to PostgreSQL on its own.
 * Never edit a migration that has shipped: add the next number instead.
 */
export interface ReportMigration {
  version: number;
  name: string;
  sql: string;
}

export const REPORT_MIGRATIONS: readonly ReportMigration[] = [
  {
    version: 1,
    name: 'tracking records and review items',
    sql: `
      -- One row per object version judged: the upsert key is (bucket, key, etag), so a
      -- redelivered event finds its row and changes nothing but the delivery count.
      CREATE TABLE tracking_records (
        bucket           TEXT NOT NULL,
        key              TEXT NOT NULL,
        etag             TEXT NOT NULL,
        size             INTEGER,
        content_type     TEXT,
        -- JSON array of {Name, ParentName, TaxonomyLevel, Confidence}, as the moderator answered.
        labels           TEXT NOT NULL,
        decision         TEXT NOT NULL
                         CHECK (decision IN ('blocked', 'review', 'clean', 'failed', 'skipped')),
        reason           TEXT NOT NULL,
        model_version    TEXT,
        -- The S3 event's eventTime, verbatim (ISO 8601).
        event_time       TEXT NOT NULL,
        -- Epoch milliseconds.
        processing_start INTEGER NOT NULL,
        processing_end   INTEGER NOT NULL,
        -- Deliveries of the event that reached this table: 1, plus one per redelivery.
        attempt          INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (bucket, key, etag)
      ) STRICT;
      CREATE INDEX tracking_records_by_decision ON tracking_records (decision, processing_end);

      -- One review item per object version whose decision is blocked, review or failed;
      -- what it is about is its tracking record's. message_sent_at is NULL while the
      -- review-queue message is owed: the item is the recorded intent, the send follows,
      -- then the mark, and a later delivery resends what is still owed.
      CREATE TABLE review_items (
        id               INTEGER PRIMARY KEY,
        bucket           TEXT NOT NULL,
        key              TEXT NOT NULL,
        etag             TEXT NOT NULL,
        status           TEXT NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'approved', 'rejected')),
        created_at       INTEGER NOT NULL,
        message_sent_at  INTEGER,
        -- While owed: when a delivery took the send on (the creator, at creation). Another
        -- delivery takes it over only once this is older than its lease, so two deliveries
        -- running at once do not both send, and a crashed sender is replaced.
        send_claimed_at  INTEGER,
        send_failures    INTEGER NOT NULL DEFAULT 0,
        last_send_error  TEXT,
        UNIQUE (bucket, key, etag),
        FOREIGN KEY (bucket, key, etag) REFERENCES tracking_records (bucket, key, etag)
      ) STRICT;
      CREATE INDEX review_items_unsent ON review_items (created_at, id)
        WHERE message_sent_at IS NULL;
      CREATE INDEX review_items_by_status ON review_items (status, created_at);
    `,
  },
  {
    version: 2,
    name: 'review decisions, claims and the audit log',
    sql: `
      -- A reviewer's hold on an item (a lease) and the decision, once made. Keep blocked and
      -- delete both end as status 'rejected'; decision_action tells them apart.
      ALTER TABLE review_items ADD COLUMN claimed_by TEXT;
      ALTER TABLE review_items ADD COLUMN claim_expires_at INTEGER;
      ALTER TABLE review_items ADD COLUMN decided_by TEXT;
      ALTER TABLE review_items ADD COLUMN decided_at INTEGER;
      ALTER TABLE review_items ADD COLUMN decision_action TEXT
        CHECK (decision_action IN ('approve', 'keep-blocked', 'delete'));
      ALTER TABLE review_items ADD COLUMN decision_note TEXT;
      CREATE INDEX review_items_by_decision ON review_items (decided_at)
        WHERE decided_at IS NOT NULL;
      CREATE INDEX tracking_records_by_end ON tracking_records (processing_end);

      -- Append-only: the triggers refuse every UPDATE and DELETE.
      CREATE TABLE audit_log (
        id             INTEGER PRIMARY KEY,
        at             INTEGER NOT NULL,
        actor          TEXT NOT NULL,
        action         TEXT NOT NULL,
        bucket         TEXT,
        key            TEXT,
        etag           TEXT,
        review_item_id INTEGER,
        note           TEXT,
        -- JSON arrays of {Key, Value}.
        tags_before    TEXT,
        tags_after     TEXT
      ) STRICT;
      CREATE INDEX audit_log_by_time ON audit_log (at);
      CREATE INDEX audit_log_by_key ON audit_log (bucket, key, at);
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    `,
  },
];
