import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportStoreContract, trackingEntry } from './contract.js';
import { REPORT_MIGRATIONS } from './migrations.js';
import { SqliteReportStore, reportsDatabasePath } from './sqlite.js';

let dir: string;
let files = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-reports-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A fresh database file for each test. */
function freshFile(): string {
  files++;
  return join(dir, `reports-${files}.db`);
}

describe('SqliteReportStore', () => {
  reportStoreContract(() => Promise.resolve(SqliteReportStore.open(freshFile())));
});

describe('SqliteReportStore durability', () => {
  it('fsyncs a record answered durable; one flush covers those that were not', async () => {
    const store = SqliteReportStore.open(freshFile());
    try {
      await store.record(trackingEntry({ writeId: 'w1' }));
      expect(store.walSyncs).toBe(1);
      await store.record(trackingEntry({ writeId: 'w2' }), { durable: false });
      await store.record(trackingEntry({ writeId: 'w3' }), { durable: false });
      expect(store.walSyncs).toBe(1);
      await store.flush();
      expect(store.walSyncs).toBe(2);
      await store.flush();
      expect(store.walSyncs).toBe(2);
    } finally {
      await store.close();
    }
  });
});

describe('SqliteReportStore files', () => {
  it('lives in <data-dir>/reports.db', () => {
    expect(reportsDatabasePath('/srv/vigil')).toBe('/srv/vigil/reports.db');
  });

  it('keeps records across a reopen, at the latest schema version', async () => {
    const file = freshFile();
    const first = SqliteReportStore.open(file);
    await first.record(trackingEntry());
    await first.close();
    const second = SqliteReportStore.open(file);
    expect((await second.findRecord(trackingEntry()))?.attempt).toBe(1);
    expect((await second.unsentReviewItems()).length).toBe(1);
    await second.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(REPORT_MIGRATIONS.at(-1)?.version);
    db.close();
  });

  it('migrates records keyed by ETag to write ids, keeping review items and decisions', async () => {
    const file = freshFile();
    const old = new Database(file);
    for (const m of REPORT_MIGRATIONS.filter((m) => m.version <= 3)) old.exec(m.sqlite);
    old.pragma('user_version = 3');
    old
      .prepare(
        `INSERT INTO tracking_records (bucket, key, etag, labels, decision, reason, event_time,
           processing_start, processing_end, review_action, reviewed_by, reviewed_at)
         VALUES ('uploads', 'a.jpg', 'e1', '[]', 'blocked', 'r', 't', 1, 2, 'approve', 'ann', 3)`,
      )
      .run();
    old
      .prepare(
        `INSERT INTO review_items (id, bucket, key, etag, status, created_at, decided_by,
           decided_at, decision_action)
         VALUES (7, 'uploads', 'a.jpg', 'e1', 'approved', 2, 'ann', 3, 'approve')`,
      )
      .run();
    old.close();

    const store = SqliteReportStore.open(file);
    const [record] = await store.recordsFor('uploads', 'a.jpg');
    expect(record).toMatchObject({ writeId: 'etag:e1', etag: 'e1', review: { action: 'approve' } });
    const legacy = { bucket: 'uploads', key: 'a.jpg', writeId: 'etag:e1' };
    expect(await store.findReviewItem(legacy)).toMatchObject({ id: 7, status: 'approved' });
    // A write of the same bytes made after the upgrade is judged on its own.
    const next = await store.record(
      trackingEntry({ key: 'a.jpg', etag: 'e1', writeId: '0000000000000000A9' }),
    );
    expect(next.created).toBe(true);
    expect(next.reviewItem?.id).not.toBe(7);
    await store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('foreign_key_check')).toEqual([]);
    db.close();
  });

  it('lets two connections share one file', async () => {
    const file = freshFile();
    const [a, b] = [SqliteReportStore.open(file), SqliteReportStore.open(file)];
    const first = await a.record(trackingEntry());
    const second = await b.record(trackingEntry());
    expect([first.created, second.created]).toEqual([true, false]);
    expect(second.reviewItem?.id).toBe(first.reviewItem?.id);
    await a.close();
    await b.close();
  });

  it('keeps the audit log append-only, even against SQL written by hand', async () => {
    const file = freshFile();
    const store = SqliteReportStore.open(file);
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
    const db = new Database(file);
    expect(() => db.prepare(`UPDATE audit_log SET actor = 'mallory'`).run()).toThrow(
      'the audit log is append-only',
    );
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow('the audit log is append-only');
    db.close();
  });

  it('refuses a file from a newer Vigil', () => {
    const file = freshFile();
    const db = new Database(file);
    db.pragma('user_version = 999');
    db.close();
    expect(() => SqliteReportStore.open(file)).toThrow(/schema version 999, newer than this Vigil/);
  });

  it('rejects, not throws, when the database is closed', async () => {
    const store = SqliteReportStore.open(freshFile());
    await store.close();
    await expect(store.findRecord(trackingEntry())).rejects.toThrow(/not open/);
  });
});
