import type { Worker } from 'node:worker_threads';
import { startWorker } from '../threads/index.js';
import { FRAME_BYTES, type DecodedImage } from '../moderation/local/decode.js';
import type { FromHashWorker, ToHashWorker } from './hash-protocol.js';
import { BLOCKHASH_ALGORITHM } from './blockhash.js';
import { UnhashableImageError, type ImageHasher } from './types.js';

interface Pending {
  resolve: (hash: string) => void;
  reject: (error: Error) => void;
}

/**
 * FrameBlockhash in a worker thread of its own (hash-worker.ts), so the server's event loop
 * never decodes or hashes for image memory. Same algorithm, same hashes. The thread starts on
 * the first image, does not keep the process alive, and is started again if it dies (the
 * images it held fail with the reason; the pipeline judges them as usual).
 *
 * @example
 * const hasher = new ThreadedHasher();
 * const hash = await hasher.hash(bytes);
 * await hasher.close();
 */
export class ThreadedHasher implements ImageHasher {
  readonly algorithm = BLOCKHASH_ALGORITHM;
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  /**
   * @param frames where the server's local models get their frames (ConfiguredModerator's
   *   `frameSource`): the thread then hashes the frame they will classify, and the image is
   *   decoded once for both. Without it the thread decodes the image itself.
   */
  constructor(private readonly frames?: (image: Buffer) => Promise<DecodedImage>) {}

  async hash(image: Buffer): Promise<string> {
    if (this.closed) throw new Error('the image hasher is closed');
    if (!this.frames) return this.post(new Uint8Array(image), 'image');
    let decoded: DecodedImage;
    try {
      decoded = await this.frames(image);
    } catch (error) {
      // The moderator will refuse it too, with its reason; memory just stands aside.
      throw new UnhashableImageError(`not a decodable image: ${(error as Error).message}`);
    }
    if (decoded.totalFrames > 1)
      throw new UnhashableImageError(`${decoded.totalFrames} frames: only still images are hashed`);
    return this.post(decoded.pixels.slice(0, FRAME_BYTES), 'frame');
  }

  /** Sends a copy the caller does not keep (the moderator still needs the originals). */
  private post(bytes: Uint8Array, kind: 'image' | 'frame'): Promise<string> {
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const message = kind === 'image' ? { id, image: bytes } : { id, frame: bytes };
      worker.postMessage(message satisfies ToHashWorker, [bytes.buffer as ArrayBuffer]);
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
