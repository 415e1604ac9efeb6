/**
 * Numbered schema migrations for the embedded metadata database. Never edit a migration
 * that has shipped: add the next number instead. Each runs in its own transaction and
 * bumps `PRAGMA user_version`.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'buckets, objects, multipart uploads and parts',
    sql: `
      CREATE TABLE buckets (
        name        TEXT PRIMARY KEY,
        region      TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        -- The bucket's notification configuration as JSON (see src/events), NULL when none.
        notification_configuration TEXT
      ) STRICT;

      -- TEXT compares with the BINARY collation (memcmp of UTF-8), which is exactly S3's
      -- UTF-8 binary key order, so listings are index range scans.
      CREATE TABLE objects (
        bucket        TEXT NOT NULL REFERENCES buckets(name),
        key           TEXT NOT NULL,
        size          INTEGER NOT NULL,
        etag          TEXT NOT NULL,
        last_modified INTEGER NOT NULL,
        system_metadata TEXT NOT NULL,
        user_metadata TEXT NOT NULL,
        tags          TEXT NOT NULL,
        checksum_algorithm TEXT,
        checksum_value TEXT,
        parts_count   INTEGER,
        segments      TEXT NOT NULL,
        -- Bytes of small objects, stored in the row instead of a blob file.
        inline_data   BLOB,
        sequence      INTEGER NOT NULL,
        PRIMARY KEY (bucket, key)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE multipart_uploads (
        upload_id   TEXT PRIMARY KEY,
        bucket      TEXT NOT NULL REFERENCES buckets(name),
        key         TEXT NOT NULL,
        initiated   INTEGER NOT NULL,
        attributes  TEXT NOT NULL
      ) STRICT;
      CREATE INDEX multipart_uploads_by_key ON multipart_uploads (bucket, key, initiated);

      CREATE TABLE multipart_parts (
        upload_id   TEXT NOT NULL REFERENCES multipart_uploads(upload_id) ON DELETE CASCADE,
        part_number INTEGER NOT NULL,
        blob_id     TEXT NOT NULL,
        size        INTEGER NOT NULL,
        etag        TEXT NOT NULL,
        last_modified INTEGER NOT NULL,
        checksum_algorithm TEXT,
        checksum_value TEXT,
        PRIMARY KEY (upload_id, part_number)
      ) STRICT;

      -- One row: the last sequence number handed out. Sequences order every change.
      CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
      INSERT INTO counters (name, value) VALUES ('sequence', 0);
    `,
  },
  {
    version: 2,
    name: 'event outbox and notification destinations',
    sql: `
      -- The transactional outbox: one row per (event, destination), inserted by the same
      -- transaction as the object change that caused it. Delivered rows are deleted.
      CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY,
        destination     TEXT NOT NULL,
        -- Events for the same bucket and key reach one destination in this table's id order.
        bucket          TEXT NOT NULL,
        key             TEXT NOT NULL,
        event_name      TEXT NOT NULL,
        body            TEXT NOT NULL,
        created_at      INTEGER NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        lease_until     INTEGER,
        state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'dead')),
        last_error      TEXT,
        dead_at         INTEGER
      ) STRICT;
      CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
      CREATE INDEX outbox_per_key ON outbox (destination, bucket, key, id);

      -- Topics and webhooks (queues live in the queue tables); settings as JSON.
      CREATE TABLE destinations (
        kind        TEXT NOT NULL CHECK (kind IN ('topic', 'webhook')),
        name        TEXT NOT NULL,
        settings    TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        PRIMARY KEY (kind, name)
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: 'built-in queues and their messages',
    sql: `
      -- Standard SQS queues; settings in SQS's units (seconds, bytes), times in epoch ms.
      CREATE TABLE queues (
        name                    TEXT PRIMARY KEY,
        visibility_timeout      INTEGER NOT NULL,
        message_retention_period INTEGER NOT NULL,
        maximum_message_size    INTEGER NOT NULL,
        delay_seconds           INTEGER NOT NULL,
        receive_wait_time_seconds INTEGER NOT NULL,
        -- RedrivePolicy: both set or both NULL.
        dead_letter_target_arn  TEXT,
        max_receive_count       INTEGER,
        created_at              INTEGER NOT NULL,
        last_modified_at        INTEGER NOT NULL,
        last_purged_at          INTEGER
      ) STRICT;

      -- One row per message; the queue's state lives in columns. seq is the send order
      -- (AUTOINCREMENT: never reused, so a stale receipt handle never names a newer message).
      -- visible_at > now means delayed (never received, receipt_token NULL) or in flight.
      -- A message moved to a dead-letter queue keeps its seq, sent_at and receive_count.
      CREATE TABLE queue_messages (
        seq               INTEGER PRIMARY KEY AUTOINCREMENT,
        queue             TEXT NOT NULL REFERENCES queues(name) ON DELETE CASCADE,
        message_id        TEXT NOT NULL,
        body              TEXT NOT NULL,
        -- Message attributes as JSON (binary values in base64), NULL when none.
        message_attributes TEXT,
        trace_header      TEXT,
        message_group_id  TEXT,
        sender_id         TEXT NOT NULL,
        sent_at           INTEGER NOT NULL,
        visible_at        INTEGER NOT NULL,
        receive_count     INTEGER NOT NULL DEFAULT 0,
        first_received_at INTEGER,
        received_at       INTEGER,
        receipt_token     TEXT,
        dead_letter_source_arn TEXT
      ) STRICT;
      CREATE INDEX queue_messages_in_order ON queue_messages (queue, seq);
      CREATE INDEX queue_messages_by_visibility ON queue_messages (queue, visible_at);
      CREATE INDEX queue_messages_by_age ON queue_messages (queue, sent_at);
    `,
  },
];
