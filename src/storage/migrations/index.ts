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
  {
    version: 4,
    name: 'function invocations (asynchronous invoke queue and invocation log)',
    sql: `
      -- One row per accepted asynchronous invocation: Lambda's event queue, with its state in
      -- columns. Attempts are counted when an attempt starts, so a crash still counts one.
      CREATE TABLE function_invocations (
        id              INTEGER PRIMARY KEY,
        request_id      TEXT NOT NULL UNIQUE,
        function_name   TEXT NOT NULL,
        payload         TEXT NOT NULL,
        -- The X-Ray header the handler runs with (_X_AMZN_TRACE_ID): the event's causal chain.
        trace_header    TEXT NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('pending', 'running', 'succeeded', 'failed')),
        accepted_at     INTEGER NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        -- When pending: the next attempt; when failed with a record to send: its next try.
        next_attempt_at INTEGER NOT NULL,
        finished_at     INTEGER,
        condition       TEXT CHECK (condition IN ('RetriesExhausted', 'EventAgeExceeded', 'RecursiveInvocationDropped')),
        -- The last attempt's error as JSON: { errorType, errorMessage, trace }.
        last_error      TEXT,
        -- The on-failure destination (a Vigil queue) and the delivery of the record to it.
        on_failure      TEXT,
        on_failure_state TEXT CHECK (on_failure_state IN ('pending', 'sent')),
        on_failure_attempts INTEGER NOT NULL DEFAULT 0,
        on_failure_error TEXT
      ) STRICT;
      CREATE INDEX function_invocations_due ON function_invocations (state, next_attempt_at);
      CREATE INDEX function_invocations_by_function ON function_invocations (function_name, id);
      CREATE INDEX function_invocations_on_failure ON function_invocations (on_failure_state, next_attempt_at);

      -- The invocation log: one row per attempt, with Lambda's REPORT figures and the output.
      CREATE TABLE function_attempts (
        id              INTEGER PRIMARY KEY,
        invocation_id   INTEGER NOT NULL REFERENCES function_invocations(id) ON DELETE CASCADE,
        attempt         INTEGER NOT NULL,
        started_at      INTEGER NOT NULL,
        ended_at        INTEGER,
        outcome         TEXT CHECK (outcome IN ('success', 'error', 'timeout', 'crash', 'interrupted')),
        duration_ms     REAL,
        billed_duration_ms INTEGER,
        init_duration_ms REAL,
        memory_size_mb  INTEGER NOT NULL,
        max_memory_used_mb INTEGER,
        error           TEXT,
        logs            TEXT NOT NULL DEFAULT ''
      ) STRICT;
      CREATE INDEX function_attempts_by_invocation ON function_attempts (invocation_id, id);
    `,
  },
  {
    version: 5,
    name: 'causal chain of outbox events',
    sql: `
      -- The X-Amzn-Trace-Id of the write that caused the event: a function invoked by it
      -- continues the chain, and the runtime stops chains that loop (recursion guard).
      ALTER TABLE outbox ADD COLUMN trace_header TEXT;
    `,
  },
  {
    version: 6,
    name: 'object history: activity and delivery log',
    sql: `
      -- One row per committed object change, written by a change hook in the change's own
      -- transaction (src/history). Times in epoch ms; pruned by age.
      CREATE TABLE object_activity (
        id          INTEGER PRIMARY KEY,
        at          INTEGER NOT NULL,
        bucket      TEXT NOT NULL,
        key         TEXT NOT NULL,
        kind        TEXT NOT NULL
                    CHECK (kind IN ('created', 'removed', 'tagging-put', 'tagging-deleted')),
        via         TEXT CHECK (via IN ('put', 'copy', 'post', 'complete-multipart')),
        -- Of the object after the change; of the removed object for 'removed' (NULL if none).
        etag        TEXT,
        size        INTEGER,
        request_id  TEXT,
        source_ip   TEXT,
        principal   TEXT,
        -- The tag set after the change (JSON [{Key, Value}]), for 'created' and tagging kinds.
        tags        TEXT,
        trace_header TEXT
      ) STRICT;
      CREATE INDEX object_activity_by_key ON object_activity (bucket, key, at);

      -- One row per settled delivery attempt of an outbox row (the outbox forgets delivered
      -- rows), written in the dispatcher's settle transaction.
      CREATE TABLE delivery_log (
        id          INTEGER PRIMARY KEY,
        at          INTEGER NOT NULL,
        outbox_id   INTEGER NOT NULL,
        destination TEXT NOT NULL,
        event_name  TEXT NOT NULL,
        bucket      TEXT NOT NULL,
        key         TEXT NOT NULL,
        etag        TEXT,
        -- The message's eventTime, epoch ms.
        event_time  INTEGER NOT NULL,
        attempt     INTEGER NOT NULL,
        outcome     TEXT NOT NULL CHECK (outcome IN ('delivered', 'retried', 'dead_lettered')),
        error       TEXT,
        -- Event to delivery, for 'delivered'.
        latency_ms  INTEGER
      ) STRICT;
      CREATE INDEX delivery_log_by_key ON delivery_log (bucket, key, at);
      -- outcome included so per-destination counts over a time range read the index only.
      CREATE INDEX delivery_log_by_destination ON delivery_log (destination, at, outcome);

      -- Finds the invocations whose S3 event concerns one object (the key as the event
      -- encodes it); the expressions must match the history queries' exactly.
      CREATE INDEX function_invocations_by_object ON function_invocations (
        json_extract(payload, '$.Records[0].s3.bucket.name'),
        json_extract(payload, '$.Records[0].s3.object.key'));
    `,
  },
  {
    version: 7,
    name: 'event ids unique forever',
    sql: `
      -- Row ids were reused once the outbox emptied (a plain INTEGER PRIMARY KEY takes
      -- max(id) + 1), so X-Vigil-Event-Id repeated and delivery_log rows pointed at two
      -- events. AUTOINCREMENT never hands out an id twice; event_id is a random UUID,
      -- unique across data directories too, and is what receivers deduplicate on.
      CREATE TABLE outbox_next (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id        TEXT NOT NULL UNIQUE,
        destination     TEXT NOT NULL,
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
        dead_at         INTEGER,
        trace_header    TEXT
      ) STRICT;
      -- Rows already waiting get a random version-4 UUID, as new ones do.
      INSERT INTO outbox_next (id, event_id, destination, bucket, key, event_name, body,
          created_at, attempts, next_attempt_at, lease_until, state, last_error, dead_at,
          trace_header)
        SELECT id,
               lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4'
                 || substr(lower(hex(randomblob(2))), 2) || '-'
                 || substr('89ab', 1 + abs(random() % 4), 1)
                 || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))),
               destination, bucket, key, event_name, body, created_at, attempts,
               next_attempt_at, lease_until, state, last_error, dead_at, trace_header
          FROM outbox;
      DROP TABLE outbox;
      ALTER TABLE outbox_next RENAME TO outbox;
      CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
      CREATE INDEX outbox_per_key ON outbox (destination, bucket, key, id);
      -- New ids start past every id the delivery log has seen, not only the ones still here.
      DELETE FROM sqlite_sequence WHERE name = 'outbox';
      INSERT INTO sqlite_sequence (name, seq)
        SELECT 'outbox', max(coalesce((SELECT max(id) FROM outbox), 0),
                             coalesce((SELECT max(outbox_id) FROM delivery_log), 0));
    `,
  },
  {
    version: 8,
    name: 'moderation outcome journal',
    sql: `
      -- The moderate-image function's outcomes, committed with the tags they put on the object
      -- (one transaction, one fsync: ADR 19) and relayed from here to the reporting store and
      -- the review queue. A row goes once the reporting store holds its record durably.
      CREATE TABLE pipeline_outcomes (
        id              INTEGER PRIMARY KEY,
        bucket          TEXT NOT NULL,
        key             TEXT NOT NULL,
        write_id        TEXT NOT NULL,
        -- The tracking record as the pipeline handed it in (NewTrackingRecord, JSON).
        entry           TEXT NOT NULL,
        created_at      INTEGER NOT NULL,
        -- When the record reached the reporting store (committed, not yet known durable).
        relayed_at      INTEGER,
        -- The review message: sent to a Vigil queue in the same transaction as this is set.
        review_item_id  INTEGER,
        message_sent_at INTEGER,
        UNIQUE (bucket, key, write_id)
      ) STRICT;
      CREATE INDEX pipeline_outcomes_relayed ON pipeline_outcomes (relayed_at);
    `,
  },
  {
    version: 9,
    name: 'completed multipart uploads',
    sql: `
      -- What CompleteMultipartUpload answered, kept a day: S3 answers a retry of a completed
      -- upload (same parts) with the same result instead of NoSuchUpload.
      CREATE TABLE completed_uploads (
        upload_id     TEXT PRIMARY KEY,
        bucket        TEXT NOT NULL,
        key           TEXT NOT NULL,
        etag          TEXT NOT NULL,
        -- The version it wrote ('null' in an unversioned or suspended bucket).
        version_id    TEXT NOT NULL,
        -- The requested parts as JSON [[partNumber, etag], …], ETags without quotes.
        parts         TEXT NOT NULL,
        completed_at  INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX completed_uploads_by_age ON completed_uploads (completed_at);
    `,
  },
  {
    version: 10,
    name: 'versioning: version ids, noncurrent versions and delete markers',
    sql: `
      -- NULL: never versioned; 'Enabled' or 'Suspended' once PutBucketVersioning set it.
      ALTER TABLE buckets ADD COLUMN versioning TEXT
        CHECK (versioning IS NULL OR versioning IN ('Enabled', 'Suspended'));
      -- The current version's id: 'null' for writes to unversioned or suspended buckets.
      ALTER TABLE objects ADD COLUMN version_id TEXT NOT NULL DEFAULT 'null';

      -- Every version of a key that is not its current object: noncurrent versions, and
      -- delete markers (current or not). A key whose newest version is a delete marker has
      -- no row in objects. An objects row is always newer than the key's rows here.
      CREATE TABLE object_versions (
        bucket          TEXT NOT NULL REFERENCES buckets(name),
        key             TEXT NOT NULL,
        version_id      TEXT NOT NULL,
        -- The change that wrote the version (or the marker): orders a key's versions.
        sequence        INTEGER NOT NULL,
        is_delete_marker INTEGER NOT NULL CHECK (is_delete_marker IN (0, 1)),
        last_modified   INTEGER NOT NULL,
        -- The object's columns, as in objects; for a delete marker size 0, etag '' and '[]'/'{}'.
        size            INTEGER NOT NULL,
        etag            TEXT NOT NULL,
        system_metadata TEXT NOT NULL,
        user_metadata   TEXT NOT NULL,
        tags            TEXT NOT NULL,
        checksum_algorithm TEXT,
        checksum_value  TEXT,
        parts_count     INTEGER,
        segments        TEXT NOT NULL,
        inline_data     BLOB,
        PRIMARY KEY (bucket, key, version_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX object_versions_newest_first ON object_versions (bucket, key, sequence DESC);
    `,
  },
  {
    version: 11,
    name: 'bucket CORS configuration',
    sql: `
      -- The bucket's CORS rules as JSON (src/s3/cors.ts), NULL when none.
      ALTER TABLE buckets ADD COLUMN cors_configuration TEXT;
    `,
  },
  {
    version: 12,
    name: 'encryption at rest (SSE-S3)',
    sql: `
      -- 'AES256' when the version's bytes are stored encrypted (blob files ending in .aes,
      -- inline bytes sealed); NULL for bytes written before encryption at rest.
      ALTER TABLE objects ADD COLUMN sse TEXT;
      ALTER TABLE object_versions ADD COLUMN sse TEXT;
      -- Facts about this data directory, e.g. a check value of its SSE key.
      CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
    `,
  },
  {
    version: 13,
    name: 'storage classes and restores of archived objects',
    sql: `
      -- NULL: STANDARD. GLACIER and DEEP_ARCHIVE versions must be restored to be read.
      ALTER TABLE objects ADD COLUMN storage_class TEXT;
      ALTER TABLE object_versions ADD COLUMN storage_class TEXT;
      -- The restore's state as JSON (src/storage/types.ts RestoreState), NULL when none, and
      -- when it next changes (completion, then expiry of the copy): the scheduler's index.
      ALTER TABLE objects ADD COLUMN restore TEXT;
      ALTER TABLE objects ADD COLUMN restore_due_at INTEGER;
      ALTER TABLE object_versions ADD COLUMN restore TEXT;
      ALTER TABLE object_versions ADD COLUMN restore_due_at INTEGER;
      CREATE INDEX objects_restore_due ON objects (restore_due_at)
        WHERE restore_due_at IS NOT NULL;
      CREATE INDEX object_versions_restore_due ON object_versions (restore_due_at)
        WHERE restore_due_at IS NOT NULL;
    `,
  },
  {
    version: 14,
    name: 'bucket lifecycle configuration',
    sql: `
      -- The bucket's lifecycle rules as JSON (src/s3/lifecycle.ts), NULL when none.
      ALTER TABLE buckets ADD COLUMN lifecycle_configuration TEXT;
    `,
  },
  {
    version: 15,
    name: 'EventBridge rules and targets of the default bus',
    sql: `
      -- Rules of the default event bus (src/eventbridge/rule-store.ts). Names are unique on
      -- the bus, as in EventBridge.
      CREATE TABLE eventbridge_rules (
        name          TEXT PRIMARY KEY,
        -- The pattern's JSON text as given, validated when stored.
        event_pattern TEXT NOT NULL,
        state         TEXT NOT NULL CHECK (state IN ('ENABLED', 'DISABLED')),
        description   TEXT,
        created_at    INTEGER NOT NULL
      ) STRICT;

      -- Each rule's targets (at most five); rowid keeps the order they were first added.
      CREATE TABLE eventbridge_targets (
        rule        TEXT NOT NULL REFERENCES eventbridge_rules(name) ON DELETE CASCADE,
        id          TEXT NOT NULL,
        arn         TEXT NOT NULL,
        -- Constant JSON text sent instead of the event, or a JSONPath selecting part of it.
        input       TEXT,
        input_path  TEXT,
        UNIQUE (rule, id)
      ) STRICT;
    `,
  },
  {
    version: 16,
    name: 'identities: users, access keys, roles, policies; bucket policies',
    sql: `
      -- IAM users (src/iam/identity-store.ts). IAM tells names apart without case.
      CREATE TABLE iam_users (
        name        TEXT PRIMARY KEY COLLATE NOCASE,
        user_id     TEXT NOT NULL UNIQUE,
        path        TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        -- 'config': declared in the config file, which alone may change it.
        source      TEXT NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'config'))
      ) STRICT;

      -- Access keys. SigV4 needs the secret itself, so it is sealed (AES-256-GCM under a key
      -- derived from keys/sse-s3.key), never stored in the clear.
      CREATE TABLE iam_access_keys (
        access_key_id TEXT PRIMARY KEY,
        user_name     TEXT NOT NULL REFERENCES iam_users(name) ON DELETE CASCADE,
        secret_sealed BLOB NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('Active', 'Inactive')),
        created_at    INTEGER NOT NULL,
        last_used_at  INTEGER,
        last_used_service TEXT
      ) STRICT;
      CREATE INDEX iam_access_keys_by_user ON iam_access_keys (user_name);

      CREATE TABLE iam_roles (
        name          TEXT PRIMARY KEY COLLATE NOCASE,
        role_id       TEXT NOT NULL UNIQUE,
        path          TEXT NOT NULL,
        trust_policy  TEXT NOT NULL,
        description   TEXT,
        max_session_duration INTEGER NOT NULL,
        created_at    INTEGER NOT NULL,
        source        TEXT NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'config'))
      ) STRICT;

      -- Customer managed policies (one version each: v1, replaced by CreatePolicyVersion).
      CREATE TABLE iam_policies (
        arn           TEXT PRIMARY KEY,
        name          TEXT NOT NULL COLLATE NOCASE,
        policy_id     TEXT NOT NULL UNIQUE,
        path          TEXT NOT NULL,
        document      TEXT NOT NULL,
        description   TEXT,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL
      ) STRICT;

      -- Inline policies of users and roles.
      CREATE TABLE iam_inline_policies (
        owner_kind  TEXT NOT NULL CHECK (owner_kind IN ('user', 'role')),
        owner_name  TEXT NOT NULL COLLATE NOCASE,
        policy_name TEXT NOT NULL,
        document    TEXT NOT NULL,
        PRIMARY KEY (owner_kind, owner_name, policy_name)
      ) STRICT;

      -- Managed policies (customer or AWS-managed ARNs) attached to users and roles.
      CREATE TABLE iam_attachments (
        owner_kind  TEXT NOT NULL CHECK (owner_kind IN ('user', 'role')),
        owner_name  TEXT NOT NULL COLLATE NOCASE,
        policy_arn  TEXT NOT NULL,
        PRIMARY KEY (owner_kind, owner_name, policy_arn)
      ) STRICT;

      -- The bucket policy as its JSON text, NULL when none.
      ALTER TABLE buckets ADD COLUMN policy TEXT;
    `,
  },
  {
    version: 17,
    name: 'functions deployed through the Lambda API, and function policies',
    sql: `
      -- Functions created with Lambda's CreateFunction (src/lambda/function-store.ts). The
      -- code package lives under <data>/lambda/code/<code_id>/, named by its SHA-256.
      CREATE TABLE lambda_functions (
        name          TEXT PRIMARY KEY,
        -- Runtime, role, handler, description, timeout, memory, environment (JSON).
        settings      TEXT NOT NULL,
        code_id       TEXT NOT NULL,
        code_sha256   TEXT NOT NULL,
        code_size     INTEGER NOT NULL,
        revision_id   TEXT NOT NULL,
        last_modified INTEGER NOT NULL,
        -- Lambda's FunctionEventInvokeConfig (JSON), NULL when none was put.
        event_invoke_config TEXT
      ) STRICT;

      -- Resource policies of functions (AddPermission), deployed or from the config file.
      CREATE TABLE lambda_policies (
        function_name TEXT PRIMARY KEY,
        policy        TEXT NOT NULL,
        revision_id   TEXT NOT NULL
      ) STRICT;
    `,
  },
];
