import type { Worker } from 'node:worker_threads';
import { startWorker } from '../threads/index.js';
import type { FromHashWorker } from './hash-protocol.js';
import { SHARP_PHASH_ALGORITHM } from './sharp-phash.js';
import { UnhashableImageError, type ImageHasher } from './types.js';

interface Pending {
  resolve: (hash: string) => void;
  reject: (error: Error) => void;
}

/**
 * SharpPhash in a worker thread of its own (hash-worker.ts), so the server's event loop
 * never runs the hash's JavaScript DCT. Same algorithm, same hashes. The thread starts on
 * the first image, does not keep the process alive, and is started again if it dies (the
 * images it held fail with the reason; the pipeline judges them as usual).
 *
 * @example
 * const hasher = new ThreadedHasher();
 * const hash = await hasher.hash(bytes);
 * await hasher.close();
 */
export class ThreadedHasher implements ImageHasher {
  readonly algorithm = SHARP_PHASH_ALGORITHM;
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  hash(image: Buffer): Promise<string> {
    if (this.closed) return Promise.reject(new Error('the image hasher is closed'));
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    // A copy to transfer: the caller keeps its buffer (the moderator reads it next).
    const copy = new Uint8Array(image);
    return new Promise<string>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, image: copy }, [copy.buffer]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new Error('the image hasher is closed'));
    await worker?.terminate();
  }

  private start(): Worker {
    const worker = startWorker(import.meta.url, 'hash-worker');
    worker.unref();
    worker.on('message', (message: FromHashWorker) => {
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      if ('hash' in message) waiting.resolve(message.hash);
      else if (message.unhashable) waiting.reject(new UnhashableImageError(message.error));
      else waiting.reject(new Error(message.error));
    });
    const lost = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(new Error(`the image hashing thread ${why}`));
    };
    worker.on('error', (error) => lost(`failed: ${error.message}`));
    worker.on('exit', (code) => lost(`exited with ${code}`));
    return worker;
  }

  private failAll(error: Error): void {
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }
}
