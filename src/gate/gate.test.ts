import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sequencerOf } from '../events/index.js';
import { createHttpServer, type VigilHttpServer } from '../http/server.js';
import { StorageEngine, type Tag } from '../storage/index.js';
import { createGateRoute } from './route.js';

const logger = pino({ level: 'silent' });
let dataDir: string;
let engine: StorageEngine;
let http: VigilHttpServer;
let base: string;
let port: number;
/** Buckets whose uploads go to moderation: a bucket without a mode is closed while here. */
const watched = new Set(['watched-b']);
/** Writes the pipeline cleared, as `bucket/key/sequencer`: the gate's ClearedCheck. */
const cleared = new Set<string>();

function clear(bucket: string, key: string): void {
  cleared.add(`${bucket}/${key}/${sequencerOf(engine.findObject(bucket, key)!.sequence)}`);
}

/** Bytes with a marker that must never appear in a refused response. */
const SECRET = Buffer.concat([Buffer.from('SECRET-IMAGE-BYTES-'), randomBytes(32)]);
/** Over the 64 KiB inline limit: stored in a blob file. */
const LARGE = Buffer.concat([SECRET, randomBytes(200 * 1024)]);

async function put(bucket: string, key: string, body: Buffer, tags: Tag[] = []): Promise<void> {
  const blob = await engine.writeBlob(bucket, Readable.from([body]));
  await engine.commitObject(
    bucket,
    key,
    blob,
    { system: { contentType: 'image/jpeg' }, user: {}, tags },
    'put',
    {},
  );
}

const get = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, init);

/** Everything the server sends for one request, headers and body, as raw bytes. */
function rawExchange(request: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vigil-gate-'));
  engine = await StorageEngine.open({ dataDir, fsync: false });
  for (const b of ['open-b', 'closed-b', 'hidden-b', 'unlisted', 'watched-b', 'unwatched-b'])
    engine.createBucket(b, 'us-east-1');
  const gate = createGateRoute({
    engine,
    buckets: {
      'open-b': { mode: 'open', blockedStatus: 451 },
      'closed-b': { mode: 'closed', blockedStatus: 451, cacheControl: 'private, max-age=60' },
      'hidden-b': { mode: 'closed', blockedStatus: 404 },
      'not-created': { mode: 'open', blockedStatus: 451 },
      'watched-b': { blockedStatus: 451 },
      'unwatched-b': { blockedStatus: 451 },
    },
    moderated: (bucket) => watched.has(bucket),
    cleared: (w) => Promise.resolve(cleared.has(`${w.bucket}/${w.key}/${w.writeId}`)),
    logger,
  });
  http = createHttpServer({
    s3: (_req, res) => Promise.resolve(void res.writeHead(599).end()),
    routes: [gate],
    logger,
  });
  port = (await http.listen(0, '127.0.0.1')).port;
  base = `http://127.0.0.1:${port}`;

  await put('open-b', 'plain.jpg', SECRET);
  await put('open-b', 'large.jpg', LARGE);
  await put('open-b', 'blocked.jpg', SECRET, [{ Key: 'BlockedContent', Value: 'true' }]);
  await put('open-b', 'blocked-large.jpg', LARGE, [{ Key: 'BlockedContent', Value: 'true' }]);
  await put('open-b', 'shouting.jpg', SECRET, [{ Key: 'BlockedContent', Value: 'TRUE' }]);
  await put('open-b', 'not-blocked.jpg', SECRET, [{ Key: 'BlockedContent', Value: 'false' }]);
  await put('open-b', 'failed.jpg', SECRET, [{ Key: 'ScanStatus', Value: 'failed' }]);
  await put('open-b', 'dir/a b+ü%.jpg', SECRET);
  await put('closed-b', 'untagged.jpg', SECRET);
  await put('closed-b', 'pending.jpg', SECRET, [{ Key: 'ScanStatus', Value: 'pending' }]);
  await put('closed-b', 'failed.jpg', SECRET, [{ Key: 'ScanStatus', Value: 'failed' }]);
  await put('closed-b', 'clean.jpg', LARGE, [{ Key: 'ScanStatus', Value: 'clean' }]);
  clear('closed-b', 'clean.jpg');
  await put('closed-b', 'self-declared-clean.jpg', SECRET, [{ Key: 'ScanStatus', Value: 'clean' }]);
  await put('closed-b', 'clean-blocked.jpg', SECRET, [
    { Key: 'ScanStatus', Value: 'clean' },
    { Key: 'BlockedContent', Value: 'true' },
  ]);
  clear('closed-b', 'clean-blocked.jpg');
  await put('hidden-b', 'blocked.jpg', SECRET, [
    { Key: 'ScanStatus', Value: 'clean' },
    { Key: 'BlockedContent', Value: 'true' },
  ]);
  clear('hidden-b', 'blocked.jpg');
  await put('hidden-b', 'failed.jpg', SECRET, [{ Key: 'ScanStatus', Value: 'failed' }]);
  await put('unlisted', 'plain.jpg', SECRET);
});

afterAll(async () => {
  await http.shutdown();
  engine.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function expectRefused(response: Response, status: number): Promise<void> {
  expect(response.status).toBe(status);
  expect(Buffer.from(await response.arrayBuffer())).toHaveLength(0);
  expect(response.headers.get('content-length')).toBe('0');
  expect(response.headers.get('etag')).toBeNull();
  expect(response.headers.get('last-modified')).toBeNull();
  expect(response.headers.get('content-range')).toBeNull();
  expect(response.headers.get('cache-control')).toBe('no-store');
}

describe('gate, open mode', () => {
  it('serves an untagged object with its headers', async () => {
    const response = await get('/_vigil/public/open-b/plain.jpg');
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(SECRET)).toBe(true);
    const object = engine.headObject('open-b', 'plain.jpg');
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(response.headers.get('etag')).toBe(`"${object.etag}"`);
    expect(response.headers.get('content-length')).toBe(String(SECRET.length));
    expect(response.headers.get('last-modified')).toBe(object.lastModified.toUTCString());
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain('sandbox');
  });

  it('serves a blob-stored object, a HEAD and a range of it', async () => {
    const whole = await get('/_vigil/public/open-b/large.jpg');
    expect(Buffer.from(await whole.arrayBuffer()).equals(LARGE)).toBe(true);

    const head = await get('/_vigil/public/open-b/large.jpg', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(LARGE.length));

    const range = await get('/_vigil/public/open-b/large.jpg', {
      headers: { range: 'bytes=100000-100099' },
    });
    expect(range.status).toBe(206);
    expect(range.headers.get('content-range')).toBe(`bytes 100000-100099/${LARGE.length}`);
    expect(Buffer.from(await range.arrayBuffer()).equals(LARGE.subarray(100000, 100100))).toBe(
      true,
    );

    const beyond = await get('/_vigil/public/open-b/large.jpg', {
      headers: { range: `bytes=${LARGE.length}-` },
    });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${LARGE.length}`);
    expect(Buffer.from(await beyond.arrayBuffer())).toHaveLength(0);
  });

  it('answers 304 to a revalidation of a served object', async () => {
    const { etag } = engine.headObject('open-b', 'plain.jpg');
    const response = await get('/_vigil/public/open-b/plain.jpg', {
      headers: { 'if-none-match': `"${etag}"` },
    });
    expect(response.status).toBe(304);
    expect(Buffer.from(await response.arrayBuffer())).toHaveLength(0);
  });

  it('refuses a blocked object with 451 on GET, HEAD, Range and revalidation alike', async () => {
    const { etag } = engine.headObject('open-b', 'blocked-large.jpg');
    const variants: RequestInit[] = [
      {},
      { method: 'HEAD' },
      { headers: { range: 'bytes=0-99' } },
      { headers: { range: 'bytes=-10' } },
      { headers: { 'if-none-match': `"${etag}"` } },
      { headers: { 'if-match': `"${etag}"`, range: 'bytes=5-' } },
    ];
    for (const init of variants)
      await expectRefused(await get('/_vigil/public/open-b/blocked-large.jpg', init), 451);
    await expectRefused(await get('/_vigil/public/open-b/blocked.jpg'), 451);
  });

  it('never sends a byte of a blocked object, on the wire', async () => {
    for (const request of [
      'GET /_vigil/public/open-b/blocked-large.jpg HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
      'GET /_vigil/public/open-b/blocked-large.jpg HTTP/1.1\r\nhost: x\r\nrange: bytes=0-50\r\nconnection: close\r\n\r\n',
      'HEAD /_vigil/public/open-b/blocked.jpg HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
    ]) {
      const raw = await rawExchange(request);
      expect(raw.toString('latin1')).toMatch(/^HTTP\/1\.1 451 /);
      expect(raw.includes(SECRET.subarray(0, 24))).toBe(false);
      expect(raw.toString('latin1')).not.toContain(String(LARGE.length));
    }
    // The same request for a served object does carry the bytes: the check above can fail.
    const served = await rawExchange(
      'GET /_vigil/public/open-b/plain.jpg HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
    );
    expect(served.includes(SECRET.subarray(0, 24))).toBe(true);
  });

  it('reads the block tag in any case, serves other values, and never a failed scan', async () => {
    await expectRefused(await get('/_vigil/public/open-b/shouting.jpg'), 451);
    expect((await get('/_vigil/public/open-b/not-blocked.jpg')).status).toBe(200);
    await expectRefused(await get('/_vigil/public/open-b/failed.jpg'), 451);
  });

  it('stops serving an object as soon as it is tagged, keeping its other tags in mind', async () => {
    await put('open-b', 'later.jpg', SECRET, [{ Key: 'owner', Value: 'alice' }]);
    expect((await get('/_vigil/public/open-b/later.jpg')).status).toBe(200);
    await engine.putTags(
      'open-b',
      'later.jpg',
      [
        { Key: 'owner', Value: 'alice' },
        { Key: 'BlockedContent', Value: 'true' },
      ],
      {},
    );
    await expectRefused(await get('/_vigil/public/open-b/later.jpg'), 451);
  });

  it('decodes keys once and builds no path from them', async () => {
    const response = await get(`/_vigil/public/open-b/${encodeURIComponent('dir/a b+ü%.jpg')}`);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(SECRET)).toBe(true);
    const slashes = await get('/_vigil/public/open-b/dir/a%20b+%C3%BC%25.jpg');
    expect(slashes.status).toBe(200);
    for (const path of [
      '/_vigil/public/open-b/..%2F..%2Fvigil.db',
      '/_vigil/public/open-b/%E0%A4%A',
      '/_vigil/public/open-b/',
      '/_vigil/public/open-b',
      '/_vigil/public/',
      '/_vigil/public',
    ])
      await expectRefused(await get(path), 404);
    // fetch would resolve the dot segments itself; a raw request keeps them.
    const raw = await rawExchange(
      'GET /_vigil/public/open-b/../../vigil.db HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
    );
    expect(raw.toString('latin1')).toMatch(/^HTTP\/1\.1 404 /);
  });
});

describe('gate, closed mode', () => {
  it('serves only object versions the pipeline cleared and nobody blocked', async () => {
    const clean = await get('/_vigil/public/closed-b/clean.jpg');
    expect(clean.status).toBe(200);
    expect(Buffer.from(await clean.arrayBuffer()).equals(LARGE)).toBe(true);
    expect(clean.headers.get('cache-control')).toBe('private, max-age=60');
    await expectRefused(await get('/_vigil/public/closed-b/untagged.jpg'), 404);
    await expectRefused(await get('/_vigil/public/closed-b/pending.jpg'), 404);
    await expectRefused(await get('/_vigil/public/closed-b/failed.jpg'), 451);
    await expectRefused(await get('/_vigil/public/closed-b/clean-blocked.jpg'), 451);
    await expectRefused(
      await get('/_vigil/public/closed-b/failed.jpg', {
        method: 'HEAD',
        headers: { range: 'bytes=0-1' },
      }),
      451,
    );
  });

  it('does not take an uploader at its word: a ScanStatus=clean tag alone serves nothing', async () => {
    await expectRefused(await get('/_vigil/public/closed-b/self-declared-clean.jpg'), 404);
  });

  it('starts serving once the pipeline clears the object, and stops for a new version', async () => {
    await put('closed-b', 'scanned-later.jpg', SECRET);
    await expectRefused(await get('/_vigil/public/closed-b/scanned-later.jpg'), 404);
    clear('closed-b', 'scanned-later.jpg');
    expect((await get('/_vigil/public/closed-b/scanned-later.jpg')).status).toBe(200);
    // An overwrite is a new write: pending until it is judged in its turn.
    await put('closed-b', 'scanned-later.jpg', LARGE);
    await expectRefused(await get('/_vigil/public/closed-b/scanned-later.jpg'), 404);
  });

  it('withholds the same bytes uploaded again until that write is judged; tags change nothing', async () => {
    await put('closed-b', 'again.jpg', SECRET);
    clear('closed-b', 'again.jpg');
    await engine.putTags('closed-b', 'again.jpg', [{ Key: 'ScanStatus', Value: 'clean' }], {});
    expect((await get('/_vigil/public/closed-b/again.jpg')).status).toBe(200);
    await put('closed-b', 'again.jpg', SECRET);
    await expectRefused(await get('/_vigil/public/closed-b/again.jpg'), 404);
  });

  it('answers 404 for blocked and failed objects when configured to hide them', async () => {
    await expectRefused(await get('/_vigil/public/hidden-b/blocked.jpg'), 404);
    await expectRefused(await get('/_vigil/public/hidden-b/failed.jpg', { method: 'HEAD' }), 404);
  });
});

describe('gate, mode not set', () => {
  it('is closed while the bucket sends its uploads to moderation, open otherwise', async () => {
    await put('watched-b', 'new.jpg', SECRET);
    await put('unwatched-b', 'new.jpg', SECRET);
    await expectRefused(await get('/_vigil/public/watched-b/new.jpg'), 404);
    expect((await get('/_vigil/public/unwatched-b/new.jpg')).status).toBe(200);
    clear('watched-b', 'new.jpg');
    expect((await get('/_vigil/public/watched-b/new.jpg')).status).toBe(200);
    // Wiring moderation up later closes the bucket at once.
    watched.add('unwatched-b');
    await expectRefused(await get('/_vigil/public/unwatched-b/new.jpg'), 404);
    watched.delete('unwatched-b');
  });
});

describe('gate, everything else', () => {
  it('answers 404 for buckets not served through the gate and for missing objects', async () => {
    await expectRefused(await get('/_vigil/public/unlisted/plain.jpg'), 404);
    await expectRefused(await get('/_vigil/public/open-b/missing.jpg'), 404);
    await expectRefused(await get('/_vigil/public/not-created/plain.jpg'), 404);
    await expectRefused(await get('/_vigil/public/constructor/plain.jpg'), 404);
  });

  it('allows only GET and HEAD', async () => {
    const response = await get('/_vigil/public/open-b/plain.jpg', { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(engine.findObject('open-b', 'plain.jpg')).toBeDefined();
  });

  it('refuses invalid bucket settings, naming the field', () => {
    expect(() =>
      createGateRoute({
        engine,
        buckets: { b: { mode: 'ajar' as 'open', blockedStatus: 451 } },
        logger,
      }),
    ).toThrow('gate.buckets.b.mode must be "open" or "closed"');
    expect(() =>
      createGateRoute({
        engine,
        buckets: { b: { mode: 'open', blockedStatus: 403 as 451 } },
        logger,
      }),
    ).toThrow('gate.buckets.b.blockedStatus must be 451 or 404');
    expect(() =>
      createGateRoute({ engine, buckets: { b: { mode: 'closed', blockedStatus: 451 } }, logger }),
    ).toThrow('gate.buckets.b.mode is "closed", which needs the moderation tracking records');
  });
});
