/**
 * The hashing thread: runs SharpPhash for the ThreadedHasher in the main thread. sharp-phash
 * computes its DCT in JavaScript (~6 ms per image); here it does not hold the event loop.
 */
import { parentPort } from 'node:worker_threads';
import { hashFrame, SharpPhash } from './sharp-phash.js';
import { UnhashableImageError } from './types.js';
import type { FromHashWorker, ToHashWorker } from './hash-protocol.js';

const port = parentPort;
if (!port) throw new Error('hash-worker.ts runs only as a worker thread');
const hasher = new SharpPhash();

port.on('message', (message: ToHashWorker) => {
  const { id } = message;
  const hashed =
    'frame' in message
      ? hashFrame(message.frame)
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
