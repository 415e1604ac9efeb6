import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { alignedStart, type SseKey } from './sse.js';
import type { BlobWrite, Segment } from './types.js';

export interface BlobStoreOptions {
  /** fsync each blob and its directory entry before the write is reported done. Default true. */
  fsync?: boolean;
  /** Encrypt new blob files at rest (SSE-S3); their ids end in `.aes`. */
  sse?: SseKey;
}

/** Blob files written encrypted (SSE-S3) have ids ending in `.aes`; older ones are plain. */
export function isEncryptedBlob(blobId: string): boolean {
  return blobId.endsWith('.aes');
}

/**
 * Object bytes on disk. A blob's file name is a random UUID, never derived from the user's
 * key, so no key can traverse paths or hit case and length limits of the file system.
 * Layout: `<dir>/<first two hex digits>/<uuid>`.
 */
export class BlobStore {
  private readonly fsync: boolean;
  private readonly sse: SseKey | undefined;
  private readonly dirSyncs = new Map<string, DirSync>();

  constructor(
    readonly dir: string,
    options: BlobStoreOptions = {},
  ) {
    this.fsync = options.fsync ?? true;
    this.sse = options.sse;
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await Promise.all(
      Array.from({ length: 256 }, (_, i) =>
        mkdir(join(this.dir, i.toString(16).padStart(2, '0')), { recursive: true }),
      ),
    );
  }

  pathOf(blobId: string): string {
    if (!/^[0-9a-f-]{36}(\.aes)?$/.test(blobId)) throw new Error(`invalid blob id ${blobId}`);
    return join(this.dir, blobId.slice(0, 2), blobId);
  }

  /**
   * Streams `source` into a new blob, hashing it on the way, and makes it durable. With an
   * `inlineLimit`, a body that ends within it is returned in memory instead (no file).
   * On any failure the partial file is removed and the error rethrown.
   */
  async write(
    source: Readable | AsyncIterable<Buffer>,
    options: { inlineLimit?: number } = {},
  ): Promise<BlobWrite> {
    const limit = options.inlineLimit ?? -1;
    const hash = createHash('md5');
    const head: Buffer[] = [];
    let size = 0;
    const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    while (size <= limit) {
      const next = await chunks.next();
      if (next.done) return { inline: Buffer.concat(head, size), size, md5Hex: hash.digest('hex') };
      hash.update(next.value);
      head.push(next.value);
      size += next.value.length;
    }
    async function* all(): AsyncGenerator<Buffer> {
      yield* head;
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
        hash.update(next.value);
        size += next.value.length;
        yield next.value;
      }
    }
    const blobId = this.sse ? `${randomUUID()}.aes` : randomUUID();
    const path = this.pathOf(blobId);
    // `flush` fsyncs the file before it is closed, so the bytes are durable once this resolves.
    const file = createWriteStream(path, {
      flags: 'wx',
      mode: 0o600,
      flush: this.fsync,
      highWaterMark: 256 * 1024,
    });
    try {
      if (this.sse) await pipeline(all(), this.sse.encryptBlob(blobId), file);
      else await pipeline(all(), file);
    } catch (error) {
      file.destroy();
      await unlink(path).catch(() => undefined);
      throw error;
    }
    if (this.fsync) await this.syncDir(join(this.dir, blobId.slice(0, 2)));
    return { blobId, size, md5Hex: hash.digest('hex') };
  }

  /** Opens every segment now, so the bytes stay readable after a concurrent overwrite unlinks them. */
  async open(segments: readonly Segment[]): Promise<OpenedBlobs> {
    const handles: FileHandle[] = [];
    try {
      for (const segment of segments) handles.push(await open(this.pathOf(segment.blobId), 'r'));
    } catch (error) {
      await Promise.all(handles.map((h) => h.close()));
      throw error;
    }
    return new OpenedBlobs(segments, handles, this.sse);
  }

  async remove(blobIds: Iterable<string>): Promise<void> {
    await Promise.all(
      [...blobIds].map((id) =>
        unlink(this.pathOf(id)).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        }),
      ),
    );
  }

  /** Every blob id on disk (for garbage collection of blobs no committed row points to). */
  async *listAll(): AsyncGenerator<string> {
    for (const shard of await readdir(this.dir)) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      for (const name of await readdir(join(this.dir, shard))) yield name;
    }
  }

  /**
   * fsyncs a directory so new entries in it survive a crash. Concurrent writers share one
   * fsync: a writer that arrives while one is running waits for the next, which covers it.
   */
  private syncDir(dir: string): Promise<void> {
    let state = this.dirSyncs.get(dir);
    if (!state) {
      state = new DirSync(dir);
      this.dirSyncs.set(dir, state);
    }
    return state.request();
  }
}

class DirSync {
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(private readonly dir: string) {}

  request(): Promise<void> {
    if (!this.running) {
      this.running = this.run().finally(() => (this.running = undefined));
      return this.running;
    }
    this.next ??= this.running.then(() => {
      this.next = undefined;
      return this.request();
    });
    return this.next;
  }

  private async run(): Promise<void> {
    const handle = await open(this.dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

/** The segments of one object, opened for reading. */
export class OpenedBlobs {
  constructor(
    private readonly segments: readonly Segment[],
    private readonly handles: FileHandle[],
    private readonly sse?: SseKey,
  ) {}

  /** Bytes [start, end] inclusive across segments. */
  stream(start: number, end: number): Readable {
    const pieces: { blobId: string; handle: FileHandle; start: number; end: number }[] = [];
    let offset = 0;
    this.segments.forEach((segment, i) => {
      const segStart = offset;
      const segEnd = offset + segment.size - 1;
      offset += segment.size;
      if (segment.size === 0 || segEnd < start || segStart > end) return;
      pieces.push({
        blobId: segment.blobId,
        handle: this.handles[i]!,
        start: Math.max(start, segStart) - segStart,
        end: Math.min(end, segEnd) - segStart,
      });
    });
    if (pieces.length === 0) return Readable.from([]);
    // A stream on the FileHandle, not on its raw fd: destroying a raw-fd stream (a reader
    // that went away) closes the fd, and close() would then close whatever file has reused
    // that number since. The handle counts its streams and closes once, after their reads.
    const readPiece = (p: (typeof pieces)[number]): Readable =>
      isEncryptedBlob(p.blobId)
        ? this.decrypted(p)
        : p.handle.createReadStream({
            start: p.start,
            end: p.end,
            autoClose: false,
            highWaterMark: 256 * 1024,
          });
    if (pieces.length === 1) return readPiece(pieces[0]!);
    // One piece after another from a generator, not pipeline(piece, out, { end: false }) into
    // a PassThrough: Node leaves a 'close' listener on `out` per such call, so every read of
    // an object of many parts piled up listeners (MaxListenersExceededWarning past ten).
    async function* inOrder(): AsyncGenerator<Buffer> {
      for (const piece of pieces) {
        const stream = readPiece(piece);
        let complete = false;
        try {
          yield* stream as AsyncIterable<Buffer>;
          complete = true;
        } finally {
          // A reader that went away mid-piece: stop reading now (autoClose: false means
          // the iteration ending does not), not when the handles are closed.
          if (!complete) stream.destroy();
        }
      }
    }
    return Readable.from(inOrder(), { objectMode: false, highWaterMark: 256 * 1024 });
  }

  async close(): Promise<void> {
    await Promise.all(this.handles.map((h) => h.close().catch(() => undefined)));
  }

  /** Bytes [start, end] of an encrypted blob: read from their CTR block, decrypted. */
  private decrypted(p: { blobId: string; handle: FileHandle; start: number; end: number }) {
    const sse = this.sse;
    if (!sse) throw new Error(`blob ${p.blobId} is encrypted, and no SSE key was loaded`);
    const from = alignedStart(p.start);
    const raw = p.handle.createReadStream({
      start: from,
      end: p.end,
      autoClose: false,
      highWaterMark: 256 * 1024,
    });
    const decipher = sse.decryptBlob(p.blobId, from);
    let skip = p.start - from;
    async function* plain(): AsyncGenerator<Buffer> {
      let complete = false;
      try {
        for await (const chunk of raw as AsyncIterable<Buffer>) {
          let out = decipher.update(chunk);
          if (skip > 0) {
            const dropped = Math.min(skip, out.length);
            out = out.subarray(dropped);
            skip -= dropped;
          }
          if (out.length > 0) yield out;
        }
        complete = true;
      } finally {
        // A reader that went away: stop reading now (see stream()).
        if (!complete) raw.destroy();
      }
    }
    return Readable.from(plain(), { objectMode: false, highWaterMark: 256 * 1024 });
  }
}
