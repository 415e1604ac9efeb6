import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore } from './blobs.js';
import type { Segment } from './types.js';

/** More segments than an EventEmitter's default limit of 10 listeners. */
const PARTS = 30;

describe('OpenedBlobs.stream across many segments', () => {
  let dir: string;
  let blobs: BlobStore;
  let segments: Segment[];
  let expected: Buffer;
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-blobs-'));
    blobs = new BlobStore(dir, { fsync: false });
    await blobs.init();
    const bodies = Array.from({ length: PARTS }, (_, i) => Buffer.alloc(1000 + i, 65 + (i % 26)));
    segments = [];
    for (const body of bodies) {
      const written = await blobs.write(Readable.from([body]));
      segments.push({ blobId: written.blobId!, size: written.size });
    }
    expected = Buffer.concat(bodies);
    warnings.length = 0;
    process.on('warning', onWarning);
  });
  afterEach(async () => {
    process.off('warning', onWarning);
    await rm(dir, { recursive: true, force: true });
  });

  /** Reads the stream to the end, noting the most 'close' listeners it ever carried. */
  async function drain(stream: Readable): Promise<{ bytes: Buffer; mostCloseListeners: number }> {
    const chunks: Buffer[] = [];
    let mostCloseListeners = 0;
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      mostCloseListeners = Math.max(mostCloseListeners, stream.listenerCount('close'));
    }
    // process.emitWarning reports on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    return { bytes: Buffer.concat(chunks), mostCloseListeners };
  }

  it('joins the segments in order, whole or in part', async () => {
    const opened = await blobs.open(segments);
    try {
      expect((await drain(opened.stream(0, expected.length - 1))).bytes).toEqual(expected);
      const [start, end] = [1500, expected.length - 2000];
      expect((await drain(opened.stream(start, end))).bytes).toEqual(
        expected.subarray(start, end + 1),
      );
    } finally {
      await opened.close();
    }
  });

  // Node's pipeline(piece, out, { end: false }) leaves a 'close' listener on `out` per call,
  // so reading an object of more than ten parts warned MaxListenersExceededWarning.
  it('adds no listeners per segment to the stream it returns', async () => {
    const opened = await blobs.open(segments);
    try {
      const read = await Promise.all([
        drain(opened.stream(0, expected.length - 1)),
        drain(opened.stream(10, expected.length - 10)),
      ]);
      for (const { mostCloseListeners } of read) expect(mostCloseListeners).toBeLessThan(5);
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  /** What pipeline() does to its source when the HTTP response closes early. */
  async function abandonAfterFirstChunk(stream: Readable): Promise<void> {
    await new Promise((resolve) => stream.once('data', resolve));
    const closed = new Promise((resolve) => stream.once('close', resolve));
    stream.on('error', () => undefined);
    stream.destroy(new Error('the client went away'));
    await closed;
  }

  // The handlers close the opened blobs after pipeline() gives up; by then another request
  // may have opened a file under the number of an fd the abandoned stream closed.
  it('closes only its own files when the reader goes away', async () => {
    for (const count of [1, PARTS]) {
      const opened = await blobs.open(segments.slice(0, count));
      await abandonAfterFirstChunk(opened.stream(0, expected.length - 1));
      const other = await open(join(dir, 'other'), 'w+');
      try {
        await opened.close();
        await other.write('still open');
        expect(await other.stat()).toMatchObject({ size: 10 });
      } finally {
        await other.close();
      }
    }
  });

  it('closes cleanly while an abandoned read is still in flight', async () => {
    // Pieces of several reads each, so that one is under way when the reader goes away.
    const big: Segment[] = [];
    for (let i = 0; i < 3; i++) {
      const written = await blobs.write(Readable.from([Buffer.alloc(1024 * 1024, i)]));
      big.push({ blobId: written.blobId!, size: written.size });
    }
    for (const count of [1, 3]) {
      // 256 KiB reads: four to a piece, and stop before the last.
      for (let chunksRead = 1; chunksRead < count * 4; chunksRead++) {
        const opened = await blobs.open(big.slice(0, count));
        const stream = opened.stream(0, count * 1024 * 1024 - 1);
        const closed = new Promise((resolve) => stream.once('close', resolve));
        let seen = 0;
        await new Promise<void>((resolve) =>
          stream.on('data', () => {
            if (++seen === chunksRead) resolve();
          }),
        );
        stream.on('error', () => undefined);
        stream.destroy(new Error('the client went away'));
        await opened.close();
        await closed;
      }
    }
    // A read failing on a closed descriptor would surface now, as an unhandled error.
    await new Promise((resolve) => setTimeout(resolve, 50));
  });
});
