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
];
