import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutboxStore } from '../delivery/outbox-store.js';
import {
  buildEventMessage,
  buildEventRecord,
  serializeEventMessage,
  type S3EventName,
} from '../events/index.js';
import { InvocationStore } from '../functions/index.js';
import { openDatabase, type SqliteDatabase } from '../storage/index.js';
import { HistoryStore } from './history-store.js';

const T0 = 1_700_000_000_000;

function s3Event(
  bucket: string,
  key: string,
  etag = 'e1',
  eventName: S3EventName = 'ObjectCreated:Put',
) {
  return serializeEventMessage(
    buildEventMessage([
      buildEventRecord({
        eventName,
        configurationId: 'c',
        bucket,
        bucketOwnerId: 'owner',
        origin: {
          requestId: 'R',
          hostId: 'H',
          principalId: 'P',
          sourceIp: '127.0.0.1',
          region: 'us-east-1',
          time: new Date(T0),
        },
        object: { key, size: 4, etag, sequence: 1 },
      }),
    ]),
  );
}

describe('HistoryStore', () => {
  let db: SqliteDatabase;
  let history: HistoryStore;
  let invocations: InvocationStore;

  beforeEach(() => {
    db = openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-history-')), 'vigil.db'));
    history = new HistoryStore(db);
    invocations = new InvocationStore(db);
  });
  afterEach(() => db.close());

  /** An invocation of `fn` for the event, run `outcomes.length` times. */
  function invoke(
    fn: string,
    payload: string,
    requestId: string,
    outcomes: ('success' | 'error')[],
  ) {
    const id = invocations.insert({
      requestId,
      functionName: fn,
      payload,
      traceHeader: 'Root=1-a-b',
      acceptedAt: T0 + 5,
    });
    outcomes.forEach((outcome, i) => {
      const claim = { id, attempts: i };
      invocations.startAttempt(claim, T0 + 10 + i * 100, 128);
      const ran = { id, attempts: i + 1 };
      invocations.endAttempt(ran, {
        endedAt: T0 + 50 + i * 100,
        outcome,
        durationMs: 40,
        billedDurationMs: 40,
        initDurationMs: null,
        maxMemoryUsedMb: 60,
        error: outcome === 'error' ? { errorType: 'Error', errorMessage: 'boom' } : null,
        logs: `2023-11-14T22:13:20.010Z\t${requestId}\tINFO\tattempt ${i + 1}\n`,
      });
      if (outcome === 'success') invocations.succeed(ran, T0 + 50 + i * 100);
      else
        invocations.retryAt(ran, T0 + 100 + i * 100, { errorType: 'Error', errorMessage: 'boom' });
    });
  }

  it.each([
    ['a plain key', 'plain.jpg'],
    ['a key with spaces and unicode', 'photos/a cat ü (1).jpg'],
    ['a key with a plus sign', 'a+b.jpg'],
  ])('finds the invocations of an object by bucket and key: %s', (_name, key) => {
    invoke('moderate-image', s3Event('photos', key), 'mine-1', ['error', 'success']);
    invoke('thumbnail', s3Event('photos', key, 'e2'), 'mine-2', ['success']);
    // Near misses: the same key in another bucket, and keys that differ only in encoding.
    invoke('moderate-image', s3Event('other', key), 'other-bucket', ['success']);
    invoke('moderate-image', s3Event('photos', `${key}x`), 'other-key', ['success']);
    invoke('moderate-image', s3Event('photos', 'a b.jpg'), 'a-space', ['success']);
    invoke('moderate-image', '{"not":"an S3 event"}', 'not-s3', []);
    invoke('moderate-image', 'null', 'null-event', []);

    const found = history.invocations('photos', key);
    expect(found.map((i) => i.requestId)).toEqual(['mine-1', 'mine-2']);
    const [first] = found;
    expect(first).toMatchObject({
      functionName: 'moderate-image',
      state: 'succeeded',
      acceptedAt: T0 + 5,
      finishedAt: T0 + 150,
      eventName: 'ObjectCreated:Put',
      etag: 'e1',
    });
    expect(first!.attempts).toEqual([
      {
        attempt: 1,
        startedAt: T0 + 10,
        endedAt: T0 + 50,
        durationMs: 40,
        outcome: 'error',
        error: { errorType: 'Error', errorMessage: 'boom' },
      },
      {
        attempt: 2,
        startedAt: T0 + 110,
        endedAt: T0 + 150,
        durationMs: 40,
        outcome: 'success',
        error: null,
      },
    ]);
    expect(first!.log).toContain('START RequestId: mine-1 Version: $LATEST\n');
    expect(first!.log).toContain('INFO\tattempt 1\nEND RequestId: mine-1\n');
    expect(first!.log.match(/^REPORT RequestId: mine-1\tDuration: 40.00 ms/gm)).toHaveLength(2);
    // The newest `limit`, oldest first.
    expect(history.invocations('photos', key, 1).map((i) => i.requestId)).toEqual(['mine-2']);
  });

  it('looks invocations up through the index, not by reading every payload', () => {
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT request_id FROM function_invocations
          WHERE json_extract(payload, '$.Records[0].s3.bucket.name') = ?
            AND json_extract(payload, '$.Records[0].s3.object.key') = ?
          ORDER BY id DESC LIMIT ?`,
      )
      .all('b', 'k', 1) as { detail: string }[];
    expect(plan.map((p) => p.detail).join('\n')).toContain('function_invocations_by_object');
  });

  it('finds outbox rows by key with one index seek per destination', () => {
    const outbox = new OutboxStore(db);
    const add = (destination: string, key: string) =>
      outbox.insert(
        { destination, bucket: 'b', key, eventName: 'ObjectCreated:Put', body: s3Event('b', key) },
        T0,
      );
    const first = add('arn:one', 'k');
    add('arn:two', 'other');
    const second = add('arn:three', 'k');
    add('arn:one', 'other');
    expect(history.pendingEvents('b', 'k')).toEqual([
      {
        outboxId: first,
        destination: 'arn:one',
        eventName: 'ObjectCreated:Put',
        etag: 'e1',
        createdAt: T0,
        attempts: 0,
        nextAttemptAt: T0,
        leaseUntil: null,
        state: 'pending',
        lastError: null,
      },
      expect.objectContaining({ outboxId: second, destination: 'arn:three' }),
    ]);
    const plan = (
      db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT * FROM outbox WHERE destination = ? AND bucket = ? AND key = ?`,
        )
        .all('a', 'b', 'k') as { detail: string }[]
    )
      .map((p) => p.detail)
      .join('\n');
    expect(plan).toContain('outbox_per_key');
    expect(history.pendingEvents('nothing', 'here')).toEqual([]);
  });

  it('answers for an object it knows nothing about', () => {
    expect(history.objectHistory('b', 'k')).toEqual({
      activity: [],
      deliveries: [],
      pending: [],
      invocations: [],
    });
    expect(history.deliveryStats(0)).toEqual([]);
  });
});
