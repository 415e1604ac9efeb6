import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../storage/index.js';
import { migrate } from '../storage/database.js';
import { MIGRATIONS } from '../storage/migrations/index.js';
import Database from 'better-sqlite3';
import { OutboxStore } from './outbox-store.js';

const opened: SqliteDatabase[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

function open(file: string): OutboxStore {
  const db = openDatabase(file);
  opened.push(db);
  return new OutboxStore(db);
}

const event = {
  destination: 'd',
  bucket: 'b',
  key: 'k',
  eventName: 'ObjectCreated:Put',
  body: '{}',
};

/** Inserts one row, delivers it (the outbox empties) and returns what it was. */
function deliverOne(store: OutboxStore) {
  const id = store.insert(event, Date.now());
  const [claimed] = store.claim(Date.now(), 10, 60_000);
  expect(claimed?.id).toBe(id);
  expect(store.complete(claimed!)).toBe(true);
  expect(store.get(id)).toBeUndefined();
  return claimed!;
}

describe('OutboxStore ids', () => {
  it('never hands out a row id or event id twice, even after the outbox empties and reopens', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vigil-outbox-')), 'vigil.db');
    let store = open(file);
    const seen = [deliverOne(store), deliverOne(store), deliverOne(store)];
    opened.pop()!.close();
    store = open(file);
    seen.push(deliverOne(store));

    const ids = seen.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(4);
    expect(new Set(seen.map((e) => e.eventId)).size).toBe(4);
    for (const e of seen)
      expect(e.eventId).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
  });

  it('keeps the event id across retries of one row', () => {
    const store = open(join(mkdtempSync(join(tmpdir(), 'vigil-outbox-')), 'vigil.db'));
    const id = store.insert(event, Date.now());
    const [first] = store.claim(Date.now(), 10, 60_000);
    store.retryAt(first!, 0, 'down');
    const [second] = store.claim(Date.now(), 10, 60_000);
    expect(second?.id).toBe(id);
    expect(second?.attempts).toBe(2);
    expect(second?.eventId).toBe(first?.eventId);
  });
});

describe('migration 7', () => {
  it('keeps waiting rows, gives them event ids, and starts new ids past the delivery log', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vigil-outbox-')), 'vigil.db');
    const old = new Database(file);
    migrate(
      old,
      MIGRATIONS.filter((m) => m.version < 7),
    );
    old
      .prepare(
        `INSERT INTO outbox (id, destination, bucket, key, event_name, body, created_at, next_attempt_at)
         VALUES (5, 'd', 'b', 'k', 'ObjectCreated:Put', '{}', 1, 1)`,
      )
      .run();
    old
      .prepare(
        `INSERT INTO delivery_log (at, outbox_id, destination, event_name, bucket, key, event_time, attempt, outcome)
         VALUES (1, 9, 'd', 'ObjectCreated:Put', 'b', 'k', 1, 1, 'delivered')`,
      )
      .run();
    old.close();

    const store = open(file);
    const waiting = store.get(5);
    expect(waiting?.eventId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(store.insert(event, Date.now())).toBe(10);
  });
});
