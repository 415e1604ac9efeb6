/**
 * The hashing thread: runs FrameBlockhash for the ThreadedHasher in the main thread, so that
 * decoding an image it was given as bytes and hashing it never hold the event loop.
 */
import { parentPort } from 'node:worker_threads';
import { FrameBlockhash, hashFrame } from './blockhash.js';
import { UnhashableImageError } from './types.js';
import type { FromHashWorker, ToHashWorker } from './hash-protocol.js';

const port = parentPort;
if (!port) throw new Error('hash-worker.ts runs only as a worker thread');
const hasher = new FrameBlockhash();

port.on('message', (message: ToHashWorker) => {
  const { id } = message;
  const hashed =
    'frame' in message
      ? Promise.resolve().then(() => hashFrame(message.frame))
      : hasher.hash(
          Buffer.from(message.image.buffer, message.image.byteOffset, message.image.byteLength),
        );
  hashed.then(
    (hash) => port.postMessage({ id, hash } satisfies FromHashWorker),
    (error: unknown) =>
      port.postMessage({
        id,
        error: error instanceof Error ? error.message : String(error),
        unhashable: error instanceof UnhashableImageError,
      } satisfies FromHashWorker),
  );
});
