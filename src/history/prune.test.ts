import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../storage/index.js';
import { pruneHistory } from './prune.js';

describe('pruneHistory', () => {
  let db: SqliteDatabase;
  beforeEach(() => {
    db = openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-prune-')), 'vigil.db'));
  });
  afterEach(() => db.close());

  function addActivity(at: number) {
    db.prepare(
      `INSERT INTO object_activity (at, bucket, key, kind, via) VALUES (?, 'b', 'k', 'created', 'put')`,
    ).run(at);
  }
  function addDelivery(at: number) {
    db.prepare(
      `INSERT INTO delivery_log (at, outbox_id, destination, event_name, bucket, key, event_time,
                                 attempt, outcome)
       VALUES (?, 1, 'arn', 'ObjectCreated:Put', 'b', 'k', ?, 1, 'delivered')`,
    ).run(at, at);
  }
  const ats = (table: string) =>
    db.prepare(`SELECT at FROM ${table} ORDER BY id`).pluck().all() as number[];

  it.each([1, 3, 1000])(
    'deletes the rows older than the cutoff, in batches of %i',
    async (batchSize) => {
      for (let at = 0; at < 25; at++) addActivity(at);
      for (let at = 0; at < 10; at++) addDelivery(at * 10);
      const result = await pruneHistory(db, 20, { batchSize });
      expect(result).toEqual({ activity: 20, deliveries: 2 });
      expect(ats('object_activity')).toEqual([20, 21, 22, 23, 24]);
      expect(ats('delivery_log')).toEqual([20, 30, 40, 50, 60, 70, 80, 90]);
      expect(await pruneHistory(db, 20, { batchSize })).toEqual({ activity: 0, deliveries: 0 });
    },
  );

  it('gets past a row written while the clock stood ahead', async () => {
    for (const at of [1, 2, 500, 3, 4, 5, 600, 700]) addActivity(at);
    expect(await pruneHistory(db, 100, { batchSize: 2 })).toEqual({ activity: 5, deliveries: 0 });
    expect(ats('object_activity')).toEqual([500, 600, 700]);
  });

  it('stops at the first batch with nothing to delete, leaving newer rows unread', async () => {
    for (let at = 0; at < 10; at++) addActivity(1000 + at);
    expect(await pruneHistory(db, 1000, { batchSize: 4 })).toEqual({ activity: 0, deliveries: 0 });
    expect(ats('object_activity')).toHaveLength(10);
  });

  it('does nothing on empty tables', async () => {
    expect(await pruneHistory(db, Date.now())).toEqual({ activity: 0, deliveries: 0 });
  });
});
