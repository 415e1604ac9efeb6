/**
 * The PostgreSQL store against a real server (`VIGIL_TEST_POSTGRES_URL`, default
 * 127.0.0.1:5432/test): each store gets a fresh schema, dropped after the file.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { TestSchemas, postgresUrl, probePostgres } from '../../test/support/postgres.js';
import { reportStoreContract, trackingEntry } from './contract.js';
import { REPORT_MIGRATIONS } from './migrations.js';
import { migratePostgres } from './postgres-migrate.js';
import { createPool } from './postgres-pool.js';
import { PostgresReportStore } from './postgres.js';

const postgres = await probePostgres();
const schemas = new TestSchemas();
const url = postgresUrl();
const latest = REPORT_MIGRATIONS.at(-1)?.version;

afterAll(() => schemas.dropAll());

if (!postgres.reachable && postgres.required)
  it('reaches PostgreSQL', () => {
    throw new Error(postgres.message);
  });

describe.skipIf(!postgres.reachable)('PostgresReportStore', () => {
  reportStoreContract(() => PostgresReportStore.open(url, { schema: schemas.fresh() }));
});

describe.skipIf(!postgres.reachable)('PostgresReportStore schemas', () => {
  it('keeps records across a reopen, at the latest schema version', async () => {
    const schema = schemas.fresh();
    const first = await PostgresReportStore.open(url, { schema });
    await first.record(trackingEntry());
    await first.close();
    const second = await PostgresReportStore.open(url, { schema });
    expect((await second.findRecord(trackingEntry()))?.attempt).toBe(1);
    expect((await second.unsentReviewItems()).length).toBe(1);
    await second.close();
    const { rows } = await schemas.sql(
      schema,
      'SELECT version FROM vigil_report_schema ORDER BY version',
    );
    expect(rows.map((r: { version: number }) => r.version)).toEqual(
      REPORT_MIGRATIONS.map((m) => m.version),
    );
  });

  it('migrates records keyed by ETag to write ids, keeping review items and decisions', async () => {
    const schema = schemas.fresh();
    const pool = createPool(url, { schema });
    await migratePostgres(
      pool,
      schema,
      REPORT_MIGRATIONS.filter((m) => m.version <= 3),
    );
    await pool.query(
      `INSERT INTO tracking_records (bucket, key, etag, labels, decision, reason, event_time,
         processing_start, processing_end, review_action, reviewed_by, reviewed_at)
       VALUES ('uploads', 'a.jpg', 'e1', '[]', 'blocked', 'r', 't', 1, 2, 'approve', 'ann', 3)`,
    );
    await pool.query(
      `INSERT INTO review_items (id, bucket, key, etag, status, created_at, decided_by,
         decided_at, decision_action)
       VALUES (7, 'uploads', 'a.jpg', 'e1', 'approved', 2, 'ann', 3, 'approve')`,
    );
    await pool.end();

    const store = await PostgresReportStore.open(url, { schema });
    const [record] = await store.recordsFor('uploads', 'a.jpg');
    expect(record).toMatchObject({ writeId: 'etag:e1', etag: 'e1', review: { action: 'approve' } });
    const legacy = { bucket: 'uploads', key: 'a.jpg', writeId: 'etag:e1' };
    expect(await store.findReviewItem(legacy)).toMatchObject({ id: 7, status: 'approved' });
    const next = await store.record(
      trackingEntry({ key: 'a.jpg', etag: 'e1', writeId: '0000000000000000A9' }),
    );
    expect(next.created).toBe(true);
    expect(next.reviewItem?.id).not.toBe(7);
    await store.close();
  });

  it('lets two stores share one schema', async () => {
    const schema = schemas.fresh();
    const a = await PostgresReportStore.open(url, { schema });
    const b = await PostgresReportStore.open(url, { schema });
    const first = await a.record(trackingEntry());
    const second = await b.record(trackingEntry());
    expect([first.created, second.created]).toEqual([true, false]);
    expect(second.reviewItem?.id).toBe(first.reviewItem?.id);
    await a.close();
    await b.close();
  });

  it('writes one record and one review item when two pools record an event at once', async () => {
    const schema = schemas.fresh();
    const a = await PostgresReportStore.open(url, { schema });
    const b = await PostgresReportStore.open(url, { schema });
    const results = await Promise.all(
      [a, b, a, b, a, b].map((store) => store.record(trackingEntry())),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.reviewItem?.id)).size).toBe(1);
    expect((await a.findRecord(trackingEntry()))?.attempt).toBe(6);
    expect(await b.unsentReviewItems()).toHaveLength(1);
    await a.close();
    await b.close();
  });

  it('keeps the audit log append-only, even against SQL written by hand', async () => {
    const schema = schemas.fresh();
    const store = await PostgresReportStore.open(url, { schema });
    await store.appendAudit({
      at: 1,
      actor: 'ann',
      action: 'review.reveal',
      bucket: 'b',
      key: 'k',
      etag: 'e',
      reviewItemId: null,
      note: null,
      tagsBefore: null,
      tagsAfter: null,
    });
    await store.close();
    for (const statement of [
      `UPDATE audit_log SET actor = 'mallory'`,
      'DELETE FROM audit_log',
      'TRUNCATE audit_log',
    ])
      await expect(schemas.sql(schema, statement), statement).rejects.toThrow(
        'the audit log is append-only',
      );
  });

  it('refuses a schema from a newer Vigil', async () => {
    const schema = schemas.fresh();
    await (await PostgresReportStore.open(url, { schema })).close();
    await schemas.sql(schema, `INSERT INTO vigil_report_schema (version, name) VALUES (999, 'x')`);
    await expect(PostgresReportStore.open(url, { schema })).rejects.toThrow(
      /schema version 999, newer than this Vigil/,
    );
  });

  it('migrates a fresh schema once when several stores open it at the same moment', async () => {
    const schema = schemas.fresh();
    const stores = await Promise.all(
      [1, 2, 3, 4].map(() => PostgresReportStore.open(url, { schema, poolSize: 2 })),
    );
    const { rows } = await schemas.sql(schema, 'SELECT version FROM vigil_report_schema');
    expect(rows).toHaveLength(REPORT_MIGRATIONS.length);
    expect(Math.max(...rows.map((r: { version: number }) => r.version))).toBe(latest);
    expect((await stores[3]!.record(trackingEntry())).created).toBe(true);
    await Promise.all(stores.map((store) => store.close()));
  });

  it('refuses a schema name it would have to quote', async () => {
    await expect(PostgresReportStore.open(url, { schema: 'Robert"; DROP' })).rejects.toThrow(
      /expected lower-case letters/,
    );
  });

  it('rejects, not throws, once closed', async () => {
    const store = await PostgresReportStore.open(url, { schema: schemas.fresh() });
    await store.close();
    await store.close();
    await expect(store.findRecord(trackingEntry())).rejects.toThrow(/after calling end/);
  });
});
