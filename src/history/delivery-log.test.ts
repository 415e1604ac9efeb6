import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Dispatcher } from '../delivery/dispatcher.js';
import { OutboxStore } from '../delivery/outbox-store.js';
import { installOutboxWriter } from '../delivery/outbox-writer.js';
import {
  DEFAULT_DELIVERY_SETTINGS,
  DeliveryError,
  type DeliveryOutcome,
  type DestinationAdapter,
  type OutboxEntry,
  type Settlement,
} from '../delivery/types.js';
import type { NotificationConfiguration } from '../events/index.js';
import { StorageEngine } from '../storage/index.js';
import { installActivityWriter } from './activity-writer.js';
import { createDeliveryLogWriter } from './delivery-log.js';
import { HistoryStore } from './history-store.js';

const HOOK = 'arn:aws:sqs:us-east-1:000000000000:hook';
const LOCAL = 'arn:aws:sqs:us-east-1:000000000000:local';
const KEY = 'photos/a cat ü.jpg';

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('the delivery log', () => {
  let dataDir: string;
  let engine: StorageEngine;
  let store: OutboxStore;
  let history: HistoryStore;
  let dispatcher: Dispatcher | undefined;
  const adapters: Record<string, DestinationAdapter> = {};

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-delivery-log-'));
    engine = await StorageEngine.open({ dataDir, fsync: false });
    engine.createBucket('b', 'us-east-1');
    const config: NotificationConfiguration = {
      eventBridge: false,
      destinations: [HOOK, LOCAL].map((arn, i) => ({
        kind: 'queue',
        id: `c${i}`,
        arn,
        events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
        filterRules: [],
      })),
    };
    engine.putNotificationConfiguration('b', JSON.stringify(config));
    store = new OutboxStore(engine.db);
    history = new HistoryStore(engine.db);
    installActivityWriter(engine);
    engine.db.exec('CREATE TABLE sink (key TEXT) STRICT');
  });
  afterEach(async () => {
    await dispatcher?.stop();
    dispatcher = undefined;
    engine.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  function start(
    settings: Partial<typeof DEFAULT_DELIVERY_SETTINGS> = {},
    onSettled: (entry: OutboxEntry, settlement: Settlement) => void = createDeliveryLogWriter(
      engine.db,
    ),
  ) {
    const d = new Dispatcher({
      store,
      grouped: (fn, options) => engine.grouped(fn, options),
      resolve: (arn) => adapters[arn],
      settings: {
        ...DEFAULT_DELIVERY_SETTINGS,
        backoffBaseMs: 5,
        backoffMaxMs: 20,
        pollIntervalMs: 20,
        ...settings,
      },
      logger: pino({ level: 'silent' }),
      onSettled,
    });
    dispatcher = d;
    installOutboxWriter({
      engine,
      store,
      bucketOwnerId: 'owner',
      region: 'us-east-1',
      onRowsAdded: () => d.wake(),
    });
    d.start();
  }

  const put = async (key: string, body: string) =>
    engine.commitObject(
      'b',
      key,
      await engine.writeBlob('b', Readable.from([Buffer.from(body)])),
      { system: {}, user: {}, tags: [] },
      'put',
      { requestId: 'REQ1', principalId: 'AKIA', sourceIp: '127.0.0.1' },
    );

  const scripted = (script: (seen: number) => DeliveryOutcome): DestinationAdapter => {
    let seen = 0;
    return { kind: 'async', deliver: () => Promise.resolve(script(seen++)) };
  };
  /** Keys handed to the transactional destination (a table: it rolls back with the hand-over). */
  const sink = () => engine.db.prepare('SELECT key FROM sink').pluck().all() as string[];
  const transactional = (refuse?: DeliveryError): DestinationAdapter => ({
    kind: 'transactional',
    deliverInTransaction: (entry) => {
      engine.db.prepare('INSERT INTO sink VALUES (?)').run(entry.key);
      if (refuse) throw refuse;
    },
  });

  it('logs retries and the final delivery of each destination, with the event it carried', async () => {
    adapters[HOOK] = scripted((seen) =>
      seen < 2 ? { ok: false, permanent: false, error: `HTTP 50${seen}` } : { ok: true },
    );
    adapters[LOCAL] = transactional();
    start();
    const object = await put(KEY, 'meow');
    await until(() => store.backlog().every((b) => b.pending === 0));

    const rows = history.deliveries('b', KEY);
    const hook = rows.filter((r) => r.destination === HOOK);
    expect(hook.map((r) => [r.attempt, r.outcome, r.error])).toEqual([
      [1, 'retried', 'HTTP 500'],
      [2, 'retried', 'HTTP 501'],
      [3, 'delivered', null],
    ]);
    const local = rows.filter((r) => r.destination === LOCAL);
    expect(local.map((r) => [r.attempt, r.outcome])).toEqual([[1, 'delivered']]);
    for (const row of rows) {
      expect(row).toMatchObject({
        bucket: 'b',
        key: KEY, // decoded: the event carries photos/a+cat+%C3%BC.jpg
        etag: object.etag,
        eventName: 'ObjectCreated:Put',
      });
      expect(Math.abs(row.eventTime - object.lastModified.getTime())).toBeLessThan(1000);
      expect(row.at).toBeGreaterThanOrEqual(row.eventTime);
    }
    const delivered = rows.filter((r) => r.outcome === 'delivered');
    for (const row of delivered) expect(row.latencyMs).toBe(row.at - row.eventTime);
    expect(rows.filter((r) => r.outcome !== 'delivered').every((r) => r.latencyMs === null)).toBe(
      true,
    );
    expect(new Set(hook.map((r) => r.outboxId)).size).toBe(1);
    expect(sink()).toEqual([KEY]);

    const stats = history.deliveryStats(0);
    expect(stats).toEqual([
      { destination: HOOK, delivered: 1, failed: 2 },
      { destination: LOCAL, delivered: 1, failed: 0 },
    ]);
    expect(history.deliveryStats(Date.now() + 1000)).toEqual([]);
  });

  it('logs dead letters: permanent failures, refused hand-overs and exhausted attempts', async () => {
    adapters[HOOK] = scripted(() => ({ ok: false, permanent: false, error: 'refused' }));
    adapters[LOCAL] = transactional(new DeliveryError('queue is gone', true));
    start({ maxAttempts: 2 });
    await put(KEY, 'meow');
    await engine.deleteObject('b', KEY, {});
    await until(() => store.deadLetters().length === 4);

    const rows = history.deliveries('b', KEY);
    const summary = (arn: string) =>
      rows
        .filter((r) => r.destination === arn)
        .map((r) => [r.eventName, r.attempt, r.outcome, r.error, r.etag === null]);
    expect(summary(LOCAL)).toEqual([
      ['ObjectCreated:Put', 1, 'dead_lettered', 'queue is gone', false],
      ['ObjectRemoved:Delete', 1, 'dead_lettered', 'queue is gone', true],
    ]);
    expect(summary(HOOK)).toEqual([
      ['ObjectCreated:Put', 1, 'retried', 'refused', false],
      ['ObjectCreated:Put', 2, 'dead_lettered', 'refused (gave up after 2 attempts)', false],
      ['ObjectRemoved:Delete', 1, 'retried', 'refused', true],
      ['ObjectRemoved:Delete', 2, 'dead_lettered', 'refused (gave up after 2 attempts)', true],
    ]);
    // The dead letters are still in the outbox, and pendingEvents shows them.
    const pending = history.pendingEvents('b', KEY);
    expect(pending).toHaveLength(4);
    expect(pending.every((p) => p.state === 'dead')).toBe(true);
    expect(history.deliveryStats(0)).toEqual([
      { destination: HOOK, delivered: 0, failed: 4 },
      { destination: LOCAL, delivered: 0, failed: 2 },
    ]);
  });

  it('writes its row in the settle transaction: a failing log leaves the row unsettled', async () => {
    adapters[HOOK] = scripted(() => ({ ok: true }));
    adapters[LOCAL] = transactional();
    start({ leaseMs: 60_000 }, () => {
      throw new Error('disk full');
    });
    await put('k', 'x');
    await until(() => store.backlog().length > 0);
    await new Promise((r) => setTimeout(r, 100));
    // Both rows are still there, claimed once, neither completed nor logged.
    const pending = history.pendingEvents('b', 'k');
    expect(pending.map((p) => [p.destination, p.attempts, p.state])).toEqual([
      [HOOK, 1, 'pending'],
      [LOCAL, 1, 'pending'],
    ]);
    expect(sink()).toEqual([]);
    expect(history.deliveries('b', 'k')).toEqual([]);
  });

  it('shows events waiting in the outbox with their attempts and next attempt', async () => {
    adapters[HOOK] = scripted(() => ({ ok: false, permanent: false, error: 'HTTP 503' }));
    adapters[LOCAL] = transactional();
    start({ backoffBaseMs: 60_000, backoffMaxMs: 60_000 });
    const before = Date.now();
    await put(KEY, 'meow');
    await until(() => history.deliveries('b', KEY).length === 2);
    const [waiting, ...others] = history.pendingEvents('b', KEY);
    expect(others).toEqual([]);
    expect(waiting).toMatchObject({
      destination: HOOK,
      eventName: 'ObjectCreated:Put',
      attempts: 1,
      leaseUntil: null,
      state: 'pending',
      lastError: 'HTTP 503',
    });
    expect(waiting!.nextAttemptAt).toBeGreaterThan(before + 29_000);
    expect(history.pendingEvents('b', 'other')).toEqual([]);
  });
});
