import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../storage/group-commit.js';
import { openDatabase, type SqliteDatabase } from '../storage/index.js';
import { Dispatcher } from './dispatcher.js';
import { OutboxStore } from './outbox-store.js';
import {
  DEFAULT_DELIVERY_SETTINGS,
  DeliveryError,
  type DeliveryOutcome,
  type DestinationAdapter,
  type OutboxEntry,
} from './types.js';

const open: { db: SqliteDatabase; dispatcher?: Dispatcher }[] = [];

afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.dispatcher?.stop();
    o.db.close();
  }
});

function setup(
  adapters: Record<string, DestinationAdapter>,
  settings = {},
  durableThrough?: (commit: number) => Promise<void>,
) {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-dispatch-')), 'vigil.db'));
  const store = new OutboxStore(db);
  const group = new GroupCommit(db);
  const observed: string[] = [];
  const dispatcher = new Dispatcher({
    store,
    grouped: (fn) => group.run(fn),
    ...(durableThrough ? { durability: { committed: 0, durableThrough } } : {}),
    resolve: (arn) => adapters[arn],
    settings: {
      ...DEFAULT_DELIVERY_SETTINGS,
      backoffBaseMs: 5,
      backoffMaxMs: 20,
      pollIntervalMs: 20,
      ...settings,
    },
    logger: pino({ level: 'silent' }),
    observer: {
      delivered: (d) => observed.push(`delivered ${d}`),
      retried: (d) => observed.push(`retried ${d}`),
      deadLettered: (d) => observed.push(`dead ${d}`),
    },
  });
  open.push({ db, dispatcher });
  const add = (destination: string, key: string, body: string) =>
    store.insert(
      { destination, bucket: 'b', key, eventName: 'ObjectCreated:Put', body },
      Date.now(),
    );
  return { db, store, dispatcher, observed, add };
}

/** An async destination that records bodies and answers from a script (default ok). */
function recorder(
  script: (entry: OutboxEntry, seen: number) => DeliveryOutcome = () => ({ ok: true }),
) {
  const bodies: string[] = [];
  let seen = 0;
  const adapter: DestinationAdapter = {
    kind: 'async',
    deliver: (entry) => {
      const outcome = script(entry, seen++);
      if (outcome.ok) bodies.push(entry.body);
      return Promise.resolve(outcome);
    },
  };
  return { adapter, bodies };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Dispatcher', () => {
  it('hands claimed rows to their destination only once the commits before are on disk', async () => {
    const hook = recorder();
    let release!: () => void;
    let syncs = 0;
    const durableThrough = () => {
      syncs++;
      return new Promise<void>((resolve) => (release = resolve));
    };
    const { dispatcher, add } = setup({ hook: hook.adapter }, {}, durableThrough);
    add('hook', 'a', '1');
    dispatcher.start();
    await until(() => syncs === 1);
    await new Promise((r) => setTimeout(r, 30));
    expect(hook.bodies).toEqual([]); // committed, claimed, not yet durable: not sent
    release();
    await until(() => hook.bodies.length === 1);
  });

  it('delivers rows and removes them from the outbox', async () => {
    const hook = recorder();
    const { store, dispatcher, add, observed } = setup({ hook: hook.adapter });
    add('hook', 'a', '1');
    add('hook', 'b', '2');
    dispatcher.start();
    await until(() => hook.bodies.length === 2);
    await until(() => store.backlog().length === 0);
    expect(hook.bodies.sort()).toEqual(['1', '2']);
    expect(observed).toEqual(['delivered hook', 'delivered hook']);
  });

  it('retries transient failures with backoff until they succeed', async () => {
    const hook = recorder((_e, seen) =>
      seen < 3 ? { ok: false, permanent: false, error: 'HTTP 500' } : { ok: true },
    );
    const { store, dispatcher, add, observed } = setup({ hook: hook.adapter });
    add('hook', 'a', 'x');
    dispatcher.start();
    await until(() => hook.bodies.length === 1);
    await until(() => store.backlog().length === 0);
    expect(observed).toEqual(['retried hook', 'retried hook', 'retried hook', 'delivered hook']);
  });

  it('dead-letters permanent failures at once, and delivers them after a redrive', async () => {
    let fixed = false;
    const hook = recorder(() =>
      fixed ? { ok: true } : { ok: false, permanent: true, error: 'HTTP 400 Bad Request' },
    );
    const { store, dispatcher, add, observed } = setup({ hook: hook.adapter });
    const id = add('hook', 'a', 'x');
    dispatcher.start();
    await until(() => store.deadLetters().length === 1);
    const [dead] = store.deadLetters();
    expect(dead).toMatchObject({
      id,
      state: 'dead',
      attempts: 1,
      lastError: 'HTTP 400 Bad Request',
    });
    expect(observed).toEqual(['dead hook']);

    fixed = true;
    expect(store.redrive({ ids: [id] }, Date.now())).toBe(1);
    dispatcher.wake();
    await until(() => hook.bodies.length === 1);
    await until(() => store.backlog().length === 0);
  });

  it('dead-letters a row that runs out of attempts', async () => {
    const hook = recorder(() => ({ ok: false, permanent: false, error: 'connection refused' }));
    const { store, dispatcher, add } = setup({ hook: hook.adapter }, { maxAttempts: 3 });
    add('hook', 'a', 'x');
    dispatcher.start();
    await until(() => store.deadLetters().length === 1);
    expect(store.deadLetters()[0]).toMatchObject({
      attempts: 3,
      lastError: 'connection refused (gave up after 3 attempts)',
    });
  });

  it('dead-letters a row for a destination that does not exist', async () => {
    const { store, dispatcher, add } = setup({});
    add('arn:aws:sqs:us-east-1:000000000000:gone', 'a', 'x');
    dispatcher.start();
    await until(() => store.deadLetters().length === 1);
    expect(store.deadLetters()[0]!.lastError).toBe('The destination does not exist');
  });

  it("keeps one key's events in order while other keys go past a failing one", async () => {
    let failuresLeft = 3;
    const order: string[] = [];
    const adapter: DestinationAdapter = {
      kind: 'async',
      deliver: (entry) => {
        if (entry.body === 'a1' && failuresLeft-- > 0)
          return Promise.resolve({ ok: false, permanent: false, error: 'busy' });
        order.push(entry.body);
        return Promise.resolve({ ok: true });
      },
    };
    const { store, dispatcher, add } = setup({ hook: adapter });
    for (const body of ['a1', 'b1', 'a2', 'b2', 'a3']) add('hook', body[0]!, body);
    dispatcher.start();
    await until(() => order.length === 5);
    expect(order.filter((b) => b.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(order.filter((b) => b.startsWith('b'))).toEqual(['b1', 'b2']);
    // b's events did not wait for a1's retries.
    expect(order.indexOf('b2')).toBeLessThan(order.indexOf('a1'));
    await until(() => store.backlog().length === 0); // the last completion commits just after
  });

  it('hands rows to a transactional destination in the same transaction as their removal', async () => {
    const { db, store, dispatcher, add } = setup({
      local: {
        kind: 'transactional',
        deliverInTransaction: (entry) => {
          db.prepare('INSERT INTO sink VALUES (?)').run(entry.body);
          if (entry.body === 'poison') throw new DeliveryError('refused', true);
        },
      },
    });
    db.exec('CREATE TABLE sink (body TEXT)');
    add('local', 'a', 'good');
    add('local', 'b', 'poison');
    dispatcher.start();
    await until(() => store.deadLetters().length === 1);
    await until(() => store.backlog().every((b) => b.pending === 0));
    // The poison row's insert rolled back with its failed hand-over.
    expect(db.prepare('SELECT body FROM sink').pluck().all()).toEqual(['good']);
    expect(store.deadLetters()[0]).toMatchObject({ key: 'b', lastError: 'refused' });
  });
});

describe('OutboxStore', () => {
  it('lets only the newest claim of a row settle it', () => {
    const { store, add } = setup({});
    const id = add('hook', 'a', 'x');
    const now = Date.now();
    const [first] = store.claim(now, 10, 1000);
    expect(first).toMatchObject({ id, attempts: 1 });
    expect(store.claim(now + 10, 10, 1000)).toEqual([]); // still leased
    const [second] = store.claim(now + 1001, 10, 1000); // lease ended: claimed again
    expect(second).toMatchObject({ id, attempts: 2 });
    expect(store.complete(first!)).toBe(false);
    expect(store.complete(second!)).toBe(true);
    expect(store.get(id)).toBeUndefined();
  });

  it('releases every lease at start-up so a crashed delivery restarts at once', () => {
    const { store, add } = setup({});
    add('hook', 'a', 'x');
    const now = Date.now();
    store.claim(now, 10, 60_000);
    expect(store.claim(now, 10, 60_000)).toEqual([]);
    expect(store.releaseAllLeases()).toBe(1);
    expect(store.claim(now, 10, 60_000)).toHaveLength(1);
  });
});
