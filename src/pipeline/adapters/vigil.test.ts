import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sequencerOf } from '../../events/index.js';
import { StorageEngine, type ObjectChange } from '../../storage/index.js';
import { ObjectChangedError } from '../ports.js';
import { EngineObjectStore, VigilReviewQueue } from './vigil.js';

let dir: string;
let engine: StorageEngine;
const changes: [ObjectChange, Record<string, unknown>][] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-adapter-'));
  engine = await StorageEngine.open({ dataDir: dir, fsync: false });
  engine.createBucket('b', 'us-east-1');
  engine.onChange((change, context) => changes.push([change, context]));
});
afterAll(async () => {
  engine.close();
  await rm(dir, { recursive: true, force: true });
});

async function put(key: string, body: string) {
  const blob = await engine.writeBlob('b', Readable.from([Buffer.from(body)]));
  return engine.commitObject(
    'b',
    key,
    blob,
    { system: { contentType: 'image/jpeg' }, user: {}, tags: [{ Key: 'owner', Value: 'ann' }] },
    'put',
    {},
  );
}

describe('EngineObjectStore', () => {
  const store = () =>
    new EngineObjectStore(engine, { principalId: 'moderate-image', traceHeader: 'Root=1-x' });

  it('heads and reads the version asked for, and tells a replaced or deleted one', async () => {
    const first = await put('a.jpg', 'first');
    const expected = { etag: first.etag, sequencer: sequencerOf(first.sequence) };
    expect(await store().headObject({ bucket: 'b', key: 'a.jpg' })).toEqual({
      ...expected,
      size: 5,
      contentType: 'image/jpeg',
    });
    expect((await store().getObjectBytes({ bucket: 'b', key: 'a.jpg' }, expected)).toString()).toBe(
      'first',
    );
    await put('a.jpg', 'second');
    await expect(
      store().getObjectBytes({ bucket: 'b', key: 'a.jpg' }, expected),
    ).rejects.toMatchObject({ state: 'replaced' });
    await expect(
      store().getObjectBytes({ bucket: 'b', key: 'gone.jpg' }, expected),
    ).rejects.toBeInstanceOf(ObjectChangedError);
    expect(await store().headObject({ bucket: 'b', key: 'gone.jpg' })).toBeUndefined();
    await expect(store().getTags({ bucket: 'b', key: 'gone.jpg' })).rejects.toMatchObject({
      state: 'deleted',
    });
  });

  it('tells a new write of the same bytes from the one an event named, tags or not', async () => {
    const first = await put('same.jpg', 'bytes');
    const expected = { etag: first.etag, sequencer: sequencerOf(first.sequence) };
    await store().putTags({ bucket: 'b', key: 'same.jpg' }, [{ Key: 'k', Value: 'v' }]);
    // Tagging is not a write: the object is still the one the event named.
    expect(await store().headObject({ bucket: 'b', key: 'same.jpg' })).toMatchObject(expected);
    const second = await put('same.jpg', 'bytes');
    expect(second.etag).toBe(first.etag);
    expect(await store().headObject({ bucket: 'b', key: 'same.jpg' })).toMatchObject({
      etag: first.etag,
      sequencer: sequencerOf(second.sequence),
    });
    await expect(
      store().getObjectBytes({ bucket: 'b', key: 'same.jpg' }, expected),
    ).rejects.toMatchObject({ state: 'replaced' });
  });

  it('writes tags as moderate-image, with the invocation trace header on the change', async () => {
    await put('t.jpg', 'x');
    changes.length = 0;
    await store().putTags({ bucket: 'b', key: 't.jpg' }, [
      { Key: 'BlockedContent', Value: 'true' },
    ]);
    expect(await store().getTags({ bucket: 'b', key: 't.jpg' })).toEqual([
      { Key: 'BlockedContent', Value: 'true' },
    ]);
    expect(changes).toHaveLength(1);
    expect(changes[0]![0].kind).toBe('tagging-put');
    expect(changes[0]![1]).toEqual({ principalId: 'moderate-image', traceHeader: 'Root=1-x' });
  });
});

describe('VigilReviewQueue', () => {
  it('sends the message as JSON with its decision as an attribute', async () => {
    const sent: unknown[] = [];
    const queue = new VigilReviewQueue(
      {
        send: (...args) => Promise.resolve(void sent.push(args)) as never,
        sendInTransaction: (...args) => void sent.push(args) as never,
      },
      'review',
    );
    const message = { version: 1, reviewItemId: 3, decision: 'blocked' } as never;
    await queue.send(message);
    queue.sendWithin(message);
    const expected = [
      'review',
      JSON.stringify(message),
      { messageAttributes: { decision: { DataType: 'String', StringValue: 'blocked' } } },
    ];
    expect(sent).toEqual([expected, expected]);
  });
});
