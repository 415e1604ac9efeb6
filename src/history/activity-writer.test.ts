import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageEngine } from '../storage/index.js';
import { installActivityWriter } from './activity-writer.js';
import { HistoryStore } from './history-store.js';

const attrs = (tags: { Key: string; Value: string }[] = []) => ({ system: {}, user: {}, tags });
const context = {
  requestId: 'REQ1',
  hostId: 'host',
  principalId: 'AKIAEXAMPLE',
  sourceIp: '::ffff:127.0.0.1',
  traceHeader: 'Root=1-abc-def',
};

describe('installActivityWriter', () => {
  let dataDir: string;
  let engine: StorageEngine;
  let history: HistoryStore;
  let clock: number;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-activity-'));
    engine = await StorageEngine.open({ dataDir, fsync: false });
    engine.createBucket('b', 'us-east-1');
    clock = 1_700_000_000_000;
    installActivityWriter(engine, { now: () => clock });
    history = new HistoryStore(engine.db);
  });
  afterEach(async () => {
    engine.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const put = async (key: string, body: string, ctx: Record<string, unknown> = context) =>
    engine.commitObject(
      'b',
      key,
      await engine.writeBlob('b', Readable.from([Buffer.from(body)])),
      attrs([{ Key: 'state', Value: 'new' }]),
      'put',
      ctx,
    );

  it('records each committed change with its request, principal, address and tags', async () => {
    const created = await put('photos/cat.jpg', 'meow');
    // Uploads carry their own time (the object's LastModified); later changes use the clock.
    clock = created.lastModified.getTime() + 10;
    await engine.putTags('b', 'photos/cat.jpg', [{ Key: 'state', Value: 'clean' }], {
      requestId: 'REQ2',
      principalId: 'AKIAPIPELINE',
      sourceIp: '10.0.0.2',
    });
    clock += 10;
    await engine.deleteTags('b', 'photos/cat.jpg', {});
    clock += 10;
    await engine.deleteObject('b', 'photos/cat.jpg', { requestId: 'REQ3' });
    clock += 10;
    await engine.deleteObject('b', 'photos/cat.jpg', { requestId: 'REQ4' });

    const rows = history.activity('b', 'photos/cat.jpg');
    expect(rows.map((r) => r.kind)).toEqual([
      'created',
      'tagging-put',
      'tagging-deleted',
      'removed',
      'removed',
    ]);
    expect(rows[0]).toMatchObject({
      at: created.lastModified.getTime(),
      bucket: 'b',
      key: 'photos/cat.jpg',
      via: 'put',
      etag: created.etag,
      size: 4,
      requestId: 'REQ1',
      sourceIp: '127.0.0.1',
      principal: 'AKIAEXAMPLE',
      tags: [{ Key: 'state', Value: 'new' }],
      traceHeader: 'Root=1-abc-def',
    });
    expect(rows[1]).toMatchObject({
      at: clock - 30,
      via: null,
      etag: created.etag,
      requestId: 'REQ2',
      principal: 'AKIAPIPELINE',
      sourceIp: '10.0.0.2',
      tags: [{ Key: 'state', Value: 'clean' }],
      traceHeader: null,
    });
    expect(rows[2]).toMatchObject({ tags: [], requestId: null, principal: null });
    // A removal names the version it removed; a removal of a missing key has none.
    expect(rows[3]).toMatchObject({ etag: created.etag, size: 4, tags: null, requestId: 'REQ3' });
    expect(rows[4]).toMatchObject({ etag: null, size: null, requestId: 'REQ4' });
  });

  it('writes nothing for a change that rolls back', async () => {
    await put('k', 'one');
    engine.onChange(() => {
      throw new Error('a later hook failed');
    });
    await expect(put('k', 'two')).rejects.toThrow('a later hook failed');
    await expect(engine.deleteObject('b', 'k', {})).rejects.toThrow('a later hook failed');
    expect(history.activity('b', 'k').map((r) => r.kind)).toEqual(['created']);
  });

  it('keeps the rows of the group-committed writes that succeed when another one fails', async () => {
    let failKey = 'bad';
    engine.onChange((change) => {
      if (change.kind === 'created' && change.object.key === failKey) throw new Error('refused');
    });
    const results = await Promise.allSettled([put('good', '1'), put('bad', '2'), put('also', '3')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(history.activity('b', 'good')).toHaveLength(1);
    expect(history.activity('b', 'bad')).toHaveLength(0);
    expect(history.activity('b', 'also')).toHaveLength(1);
    failKey = '';
  });

  it('writes nothing for a write refused by its conditions', async () => {
    await put('k', 'one');
    const blob = await engine.writeBlob('b', Readable.from([Buffer.from('two')]));
    await expect(
      engine.commitObject('b', 'k', blob, attrs(), 'put', context, { ifNoneMatchAny: true }),
    ).rejects.toThrow('PreconditionFailed');
    expect(history.activity('b', 'k')).toHaveLength(1);
  });
});
