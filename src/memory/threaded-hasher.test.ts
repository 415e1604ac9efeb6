/** ThreadedHasher: FrameBlockhash's hashes, computed in a worker thread. */
import { readFile } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DECODE_LIMITS, decodeForModel } from '../moderation/local/decode.js';
import { FrameBlockhash } from './blockhash.js';
import { ThreadedHasher } from './threaded-hasher.js';
import { UnhashableImageError } from './types.js';

const fixture = (name: string) =>
  readFile(new URL(`../../test/fixtures/images/${name}`, import.meta.url));

let hasher: ThreadedHasher | undefined;
afterEach(async () => {
  await hasher?.close();
  hasher = undefined;
});

describe('ThreadedHasher', () => {
  it('answers what FrameBlockhash answers, for concurrent images, and leaves the caller its bytes', async () => {
    hasher = new ThreadedHasher();
    const names = [
      'flagged-porn.jpg',
      'clean-landscape.png',
      'clean-shapes.jpg',
      'bench-clean-1mp.jpg',
    ];
    const images = await Promise.all(names.map(fixture));
    const inThread = await Promise.all(images.map((image) => hasher!.hash(image)));
    const direct = new FrameBlockhash();
    expect(inThread).toEqual(await Promise.all(images.map((image) => direct.hash(image))));
    expect(hasher.algorithm).toBe(direct.algorithm);
    expect(images.every((image) => image.length > 0)).toBe(true); // not transferred away
  });

  it('keeps UnhashableImageError for what cannot be hashed', async () => {
    hasher = new ThreadedHasher();
    await expect(hasher.hash(await fixture('corrupt.jpg'))).rejects.toBeInstanceOf(
      UnhashableImageError,
    );
    await expect(hasher.hash(await fixture('animated-one-flagged.gif'))).rejects.toBeInstanceOf(
      UnhashableImageError,
    );
  });

  it('hashes the frame a frame source decoded, to the same hash, decoding once', async () => {
    const decodes: Buffer[] = [];
    hasher = new ThreadedHasher((image) => {
      decodes.push(image);
      return decodeForModel(image, DEFAULT_DECODE_LIMITS);
    });
    const names = ['flagged-porn.jpg', 'clean-landscape.png', 'bench-clean-1mp.jpg'];
    const images = await Promise.all(names.map(fixture));
    const fromFrames = await Promise.all(images.map((image) => hasher!.hash(image)));
    const direct = new FrameBlockhash();
    expect(fromFrames).toEqual(await Promise.all(images.map((image) => direct.hash(image))));
    expect(decodes).toEqual(images); // the source's decode, not one of the thread's own
    await expect(hasher.hash(await fixture('animated-one-flagged.gif'))).rejects.toBeInstanceOf(
      UnhashableImageError,
    );
    await expect(hasher.hash(await fixture('corrupt.jpg'))).rejects.toBeInstanceOf(
      UnhashableImageError,
    );
  });

  it('starts a new thread after its thread died, and refuses once closed', async () => {
    hasher = new ThreadedHasher();
    const image = await fixture('clean-shapes.jpg');
    const hash = await hasher.hash(image);
    const worker = (hasher as unknown as { worker: Worker }).worker;
    const pending = hasher.hash(image);
    await worker.terminate();
    // The image in flight fails (the pipeline then judges it without memory) …
    await pending.then(
      (h) => expect(h).toBe(hash), // … unless it was answered before the thread died.
      (error: Error) => expect(error.message).toMatch(/hashing thread exited/),
    );
    expect(await hasher.hash(image)).toBe(hash);
    await hasher.close();
    await expect(hasher.hash(image)).rejects.toThrow(/closed/);
  });
});
