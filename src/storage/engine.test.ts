import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore } from './blobs.js';
import { openDatabase } from './database.js';
import { INLINE_LIMIT, StorageEngine } from './engine.js';
import { MIGRATIONS } from './migrations/index.js';
import { MultipartUploads } from './multipart.js';
import { prefixUpperBound } from './rows.js';
import { SSE_KEY_FILE } from './sse.js';
import type { ObjectChange } from './types.js';

const attrs = { system: { contentType: 'text/plain' }, user: {}, tags: [] };

async function blobFiles(dataDir: string): Promise<string[]> {
  const root = join(dataDir, 'blobs');
  const files: string[] = [];
  for (const shard of await readdir(root)) files.push(...(await readdir(join(root, shard))));
  return files;
}

describe('StorageEngine', () => {
  let dataDir: string;
  let engine: StorageEngine;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-engine-'));
    engine = await StorageEngine.open({ dataDir, fsync: false });
    engine.createBucket('b', 'us-east-1');
  });
  afterEach(async () => {
    engine.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const put = async (key: string, body: string | Buffer) =>
    engine.commitObject(
      'b',
      key,
      await engine.writeBlob('b', Readable.from([Buffer.from(body)])),
      attrs,
      'put',
      {},
    );

  /** A body too large to be stored inline, so it gets a blob file. */
  const large = (fill: string) => Buffer.alloc(INLINE_LIMIT + 1, fill);

  it('stores small objects inside their row, and larger ones as blob files', async () => {
    await put('small', Buffer.alloc(INLINE_LIMIT, 's'));
    await put('big', large('b'));
    // Stored sealed (a 12-byte nonce, then the ciphertext); openObject hands out the bytes.
    expect(engine.headObject('b', 'small').inline?.length).toBe(INLINE_LIMIT + 12);
    expect(engine.headObject('b', 'small').segments).toEqual([]);
    expect(engine.headObject('b', 'big').segments).toHaveLength(1);
    expect(await blobFiles(dataDir)).toHaveLength(1);
    const opened = await engine.openObject('b', 'small');
    expect(await readAll(opened.stream(10, 19))).toBe('s'.repeat(10));
    // Listings never load object bytes.
    expect(
      engine
        .listEntries('b', { prefix: '', maxKeys: 10 })
        .objects.every((o) => o.inline === undefined),
    ).toBe(true);
    // Overwriting a blob object with a small one removes the blob.
    await put('big', 'now small');
    expect(await blobFiles(dataDir)).toHaveLength(0);
  });

  describe('encryption at rest (SSE-S3)', () => {
    const plain = (n: number) =>
      Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + 3) % 251));

    it('stores blob files and inline bytes encrypted, and reads any range back', async () => {
      const big = plain(INLINE_LIMIT * 3 + 5);
      const small = plain(1000);
      expect((await put('big', big)).sse).toBe('AES256');
      expect((await put('small', small)).sse).toBe('AES256');
      const [file] = await blobFiles(dataDir);
      expect(file).toMatch(/\.aes$/);
      const onDisk = await readFile(join(dataDir, 'blobs', file!.slice(0, 2), file!));
      expect(onDisk.length).toBe(big.length);
      expect(onDisk.subarray(0, 64).equals(big.subarray(0, 64))).toBe(false);
      const row = engine.db.prepare("SELECT inline_data FROM objects WHERE key = 'small'").pluck();
      expect((row.get() as Buffer).includes(small.subarray(0, 32))).toBe(false);

      const opened = await engine.openObject('b', 'big');
      try {
        for (const [start, end] of [
          [0, big.length - 1],
          [15, 16],
          [17, 100_000],
          [big.length - 3, big.length - 1],
        ] as const)
          expect(
            (await readBytes(opened.stream(start, end))).equals(big.subarray(start, end + 1)),
          ).toBe(true);
      } finally {
        opened.close();
      }
      const inline = await engine.openObject('b', 'small');
      expect(inline.object.inline?.equals(small)).toBe(true);
    });

    it('still reads blobs written before encryption at rest', async () => {
      const before = plain(INLINE_LIMIT + 100);
      const old = await new BlobStore(join(dataDir, 'blobs'), { fsync: false }).write(
        Readable.from([before]),
      );
      expect(old.blobId).not.toMatch(/\.aes$/);
      const object = await engine.commitObject('b', 'old', old, attrs, 'put', {});
      expect(object.sse).toBeUndefined();
      const opened = await engine.openObject('b', 'old');
      expect((await readBytes(opened.stream(10, 99))).equals(before.subarray(10, 100))).toBe(true);
      opened.close();
    });

    it("refuses to start with a key that is not the data's, or without one", async () => {
      engine.close();
      const keyFile = join(dataDir, SSE_KEY_FILE);
      const original = await readFile(keyFile, 'utf8');
      await writeFile(keyFile, `${randomBytes(32).toString('base64')}\n`);
      await expect(StorageEngine.open({ dataDir, fsync: false })).rejects.toThrow(
        /is not the key this data directory's objects were encrypted with/,
      );
      await unlink(keyFile);
      await expect(StorageEngine.open({ dataDir, fsync: false })).rejects.toThrow(
        /is missing, and this data directory's objects are encrypted with it/,
      );
      await writeFile(keyFile, original);
      engine = await StorageEngine.open({ dataDir, fsync: false });
    });
  });

  it('runs change hooks inside the transaction: a failing hook rolls the write back and drops its blob', async () => {
    await put('k', large('o'));
    engine.onChange(() => {
      throw new Error('outbox unavailable');
    });
    await expect(put('k', large('n'))).rejects.toThrow('outbox unavailable');
    const opened = await engine.openObject('b', 'k');
    expect(await readAll(opened.stream(0, 2))).toBe('ooo');
    opened.close();
    expect(await blobFiles(dataDir)).toHaveLength(1);
  });

  it('lets hooks write rows that commit with the change', async () => {
    engine.db.exec('CREATE TABLE test_outbox (kind TEXT, key TEXT, sequence INTEGER)');
    const seen: ObjectChange[] = [];
    engine.onChange((change) => {
      seen.push(change);
      const key = change.kind === 'removed' ? change.key : change.object.key;
      const sequence = change.kind === 'removed' ? change.sequence : change.object.sequence;
      engine.db.prepare('INSERT INTO test_outbox VALUES (?, ?, ?)').run(change.kind, key, sequence);
    });
    await put('a', '1');
    await put('a', '2');
    await engine.putTags('b', 'a', [{ Key: 't', Value: 'v' }], {});
    await engine.deleteObject('b', 'a', {});
    await engine.deleteObject('b', 'never-existed', {});
    const rows = engine.db
      .prepare('SELECT kind, key, sequence FROM test_outbox ORDER BY rowid')
      .all() as {
      kind: string;
      sequence: number;
    }[];
    expect(rows.map((r) => r.kind)).toEqual([
      'created',
      'created',
      'tagging-put',
      'removed',
      'removed',
    ]);
    const [first, second, tagging, removed, removedMissing] = rows.map((r) => r.sequence);
    // Writes and deletes each take the next number; tagging keeps the write's.
    expect(first! < second! && second! < removed! && removed! < removedMissing!).toBe(true);
    expect(tagging).toBe(second);
    expect(seen[1]).toMatchObject({
      kind: 'created',
      via: 'put',
      previous: { etag: seen[0]?.kind === 'created' ? seen[0].object.etag : '' },
    });
  });

  it('removes the replaced blob after an overwrite, yet an open reader keeps its bytes', async () => {
    await put('k', large('1'));
    const reader = await engine.openObject('b', 'k');
    await put('k', large('2'));
    expect(await blobFiles(dataDir)).toHaveLength(1);
    expect(await readAll(reader.stream(0, reader.object.size - 1))).toBe(
      '1'.repeat(INLINE_LIMIT + 1),
    );
    reader.close();
  });

  it('leaves no blob behind when the body stream fails', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(engine.writeBlob('b', failing)).rejects.toThrow('client went away');
    expect(await blobFiles(dataDir)).toHaveLength(0);
  });

  it('collects orphan blobs at start-up and keeps referenced ones', async () => {
    await put('kept', large('k'));
    const orphan = '0123abcd-0000-4000-8000-000000000000';
    await writeFile(join(dataDir, 'blobs', '01', orphan), 'left by a crash');
    engine.close();
    engine = await StorageEngine.open({ dataDir, fsync: false });
    const files = await blobFiles(dataDir);
    expect(files).toHaveLength(1);
    expect(files).not.toContain(orphan);
    expect(engine.headObject('b', 'kept').size).toBe(INLINE_LIMIT + 1);
  });

  it('keeps part blobs of unfinished uploads and drops unused parts on completion', async () => {
    const multipart = new MultipartUploads(engine);
    const upload = multipart.create('b', 'm', attrs);
    const p1 = await multipart.uploadPart(
      'b',
      'm',
      upload.uploadId,
      1,
      Readable.from([Buffer.from('one')]),
    );
    await multipart.uploadPart(
      'b',
      'm',
      upload.uploadId,
      2,
      Readable.from([Buffer.from('unused')]),
    );
    engine.close();
    engine = await StorageEngine.open({ dataDir, fsync: false });
    expect(await blobFiles(dataDir)).toHaveLength(2);
    const again = new MultipartUploads(engine);
    await again.complete('b', 'm', upload.uploadId, [{ partNumber: 1, etag: `"${p1.etag}"` }], {});
    expect(await blobFiles(dataDir)).toHaveLength(1);
    expect(engine.headObject('b', 'm').partsCount).toBe(1);
  });
});

describe('migrations', () => {
  it('apply once and refuse a database from a newer Vigil', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-migrate-'));
    const file = join(dir, 'm.db');
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)!.version);
    db.close();
    openDatabase(file).close();
    const newer = openDatabase(file);
    newer.pragma('user_version = 999');
    newer.close();
    expect(() => openDatabase(file)).toThrow(/newer than this Vigil/);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('prefixUpperBound', () => {
  it.each([
    ['a/', 'a0'],
    ['photos', 'photot'],
    ['z\u{10ffff}', '{'],
    ['\u{d7ff}', '\u{e000}'],
    ['😀', '😁'],
  ])('%j → %j', (prefix, bound) => {
    expect(prefixUpperBound(prefix)).toBe(bound);
  });
  it('has no bound for a prefix of only maximal code points', () => {
    expect(prefixUpperBound('\u{10ffff}')).toBeUndefined();
  });
});

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

async function readBytes(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
