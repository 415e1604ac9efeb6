import { randomFillSync } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  statfsSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

const MiB = 1024 * 1024;

/** The reserve's file in the data directory. */
export const RESERVE_FILE = 'space-reserve';
/**
 * Room for SQLite to delete rows on a full disk: the WAL grows by a few pages per delete
 * until it is checkpointed at ~4 MiB (1000 pages), so 8 MiB covers that growth twice over.
 */
export const DEFAULT_RESERVE_BYTES = 8 * MiB;
/** Free space wanted besides the reserve: to start (databases, WAL, -shm) and to write again. */
export const MIN_FREE_BYTES = 2 * MiB;

export const OUT_OF_SPACE_MESSAGE = "Vigil's data directory is out of space; nothing was written.";

/** How a write relates to free space; see `SpaceReserve.guard`. */
export type WriteKind = 'adds' | 'reclaims' | 'bookkeeping';

/** What the reserve tells the operator (a pino logger fits). */
export interface SpaceLog {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

/**
 * A write refused or failed because the data directory is out of space. Its `code` is
 * errno's, so code that already knows ENOSPC (the SQS APIs) answers it as out of space too.
 */
export class OutOfSpaceError extends Error {
  readonly code = 'ENOSPC';

  /** @param reason what ran out: an errno or SQLite code, or `reserve released`. */
  constructor(readonly reason: string) {
    super(OUT_OF_SPACE_MESSAGE);
    this.name = 'OutOfSpaceError';
  }
}

/** Start-up refused: the data directory's filesystem has less free space than Vigil needs. */
export class InsufficientSpaceError extends Error {
  constructor(
    readonly dataDir: string,
    readonly freeBytes: number,
    readonly neededBytes: number,
    missingReserveBytes: number,
  ) {
    const parts = [`${formatBytes(MIN_FREE_BYTES)} for its databases`];
    if (missingReserveBytes > 0) {
      parts.push(
        `${formatBytes(missingReserveBytes)} for the space reserve that lets deletes run ` +
          'on a full disk',
      );
    }
    super(
      `the data directory ${dataDir} has ${formatBytes(freeBytes)} free; Vigil needs at least ` +
        `${formatBytes(neededBytes)} free there to start (${parts.join(', ')}). ` +
        'Free space on that filesystem, then start Vigil again.',
    );
    this.name = 'InsufficientSpaceError';
  }
}

/**
 * Space kept back in the data directory so deletes can run on a full disk (ADR 12). SQLite
 * must append to its WAL even to delete a row; without room for that, a full disk could not
 * be emptied through the API. When a write runs out of space the reserve file is removed,
 * and until it can be re-created — with `MIN_FREE_BYTES` to spare — only writes that free
 * space, and the bookkeeping that follows them, are admitted.
 *
 * @example
 * const space = SpaceReserve.check(dataDir); // InsufficientSpaceError when too full to start
 * space.ensure(); // writes the reserve file if it is missing
 * space.guard('adds', () => insert.run(row)); // OutOfSpaceError on a full disk: answer 503
 * space.guard('reclaims', () => remove.run(key)); // runs on a full disk too
 */
export class SpaceReserve {
  private released = false;

  private constructor(
    readonly dataDir: string,
    readonly bytes: number,
    private readonly fsync: boolean,
    private readonly log: SpaceLog | undefined,
  ) {}

  /**
   * Creates the data directory if needed and checks there is room to start, reserve
   * included; writes nothing else (`ensure` writes the reserve).
   */
  static check(
    dataDir: string,
    options: { bytes?: number; fsync?: boolean; log?: SpaceLog } = {},
  ): SpaceReserve {
    const bytes = options.bytes ?? DEFAULT_RESERVE_BYTES;
    try {
      mkdirSync(dataDir, { recursive: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOSPC' && code !== 'EDQUOT') throw error;
      throw new InsufficientSpaceError(
        dataDir,
        freeBytesNear(dataDir),
        MIN_FREE_BYTES + bytes,
        bytes,
      );
    }
    const space = new SpaceReserve(dataDir, bytes, options.fsync ?? true, options.log);
    const missing = space.missingBytes();
    const free = space.freeBytes();
    if (free < MIN_FREE_BYTES + missing) {
      throw new InsufficientSpaceError(dataDir, free, MIN_FREE_BYTES + missing, missing);
    }
    return space;
  }

  /** Writes the reserve if it is missing or short. */
  ensure(): void {
    if (this.missingBytes() > 0) this.create();
  }

  get path(): string {
    return join(this.dataDir, RESERVE_FILE);
  }

  /** Whether the reserve has been given up and writes that add data are refused. */
  get isReleased(): boolean {
    return this.released;
  }

  /** Bytes free for Vigil on the data directory's filesystem (root may use root's blocks). */
  freeBytes(): number {
    return freeBytesNear(this.dataDir);
  }

  /**
   * Runs a write by the reserve's rules: one that `adds` data waits for the reserve to be in
   * place; one that `reclaims` space (a delete) and `bookkeeping` of work already stored
   * (claiming or settling events) run regardless, and are retried once after running out of
   * space, which released the reserve. Running out of space throws `OutOfSpaceError`.
   */
  guard<T>(kind: WriteKind, write: () => T): T {
    if (kind === 'adds') this.admit();
    try {
      return write();
    } catch (error) {
      const failure = this.failure(error);
      if (kind === 'adds' || !(failure instanceof OutOfSpaceError)) throw failure;
    }
    try {
      return write();
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** `guard` for a write that settles later (a group commit, a blob write). */
  async guardAsync<T>(kind: WriteKind, write: () => Promise<T>): Promise<T> {
    if (kind === 'adds') this.admit();
    try {
      return await write();
    } catch (error) {
      const failure = this.failure(error);
      if (kind === 'adds' || !(failure instanceof OutOfSpaceError)) throw failure;
    }
    try {
      return await write();
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** Throws `OutOfSpaceError` for a write that adds data while the reserve cannot be re-created. */
  admit(): void {
    if (!this.restore()) throw new OutOfSpaceError('reserve released');
  }

  /** Re-creates a released reserve when space allows; true when the reserve is in place. */
  restore(): boolean {
    if (!this.released) return true;
    const free = this.freeBytes();
    if (free < this.bytes + MIN_FREE_BYTES) return false;
    try {
      this.create();
    } catch (error) {
      if (this.isOutOfSpace(error)) return false;
      throw error;
    }
    this.released = false;
    this.log?.info({ freeBytes: free - this.bytes }, 'space is free again: writes are accepted');
    return true;
  }

  /**
   * What a failed write should throw: an out-of-space failure releases the reserve (so
   * deletes can proceed) and becomes an `OutOfSpaceError`; any other error is returned as is.
   */
  failure(error: unknown): unknown {
    if (!this.isOutOfSpace(error)) return error;
    this.release();
    if (error instanceof OutOfSpaceError) return error;
    return new OutOfSpaceError(String((error as { code?: unknown }).code));
  }

  /**
   * Whether `error` means the disk is full: ENOSPC or EDQUOT from a file write, SQLITE_FULL,
   * or an SQLite I/O error while space is low (SQLite reports ENOSPC from its shared-memory
   * file, or from fsync on some filesystems, as SQLITE_IOERR_*).
   */
  isOutOfSpace(error: unknown): boolean {
    if (error instanceof OutOfSpaceError) return true;
    const code = (error as { code?: unknown } | undefined)?.code;
    if (typeof code !== 'string') return false;
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL') return true;
    return code.startsWith('SQLITE_IOERR') && this.freeBytes() < this.bytes + MIN_FREE_BYTES;
  }

  /** The start-up error to report when opening the data directory ran out of space anyway. */
  startFailure(error: unknown): unknown {
    if (!this.isOutOfSpace(error)) return error;
    const missing = this.missingBytes();
    return new InsufficientSpaceError(
      this.dataDir,
      this.freeBytes(),
      MIN_FREE_BYTES + missing,
      missing,
    );
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    try {
      unlinkSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    this.log?.warn(
      { dataDir: this.dataDir, freeBytes: this.freeBytes() },
      'the data directory is out of space: released the space reserve; only deletes are ' +
        'accepted until space is free',
    );
  }

  /** How much of the reserve is not on disk (all of it when the file is missing). */
  private missingBytes(): number {
    try {
      return Math.max(0, this.bytes - statSync(this.path).size);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.bytes;
      throw error;
    }
  }

  /** Writes the reserve in full. Random bytes, so compressing filesystems really allocate them. */
  private create(): void {
    if (this.bytes === 0) return;
    const chunk = Buffer.allocUnsafe(Math.min(this.bytes, MiB));
    const fd = openSync(this.path, 'w', 0o600);
    try {
      for (let written = 0; written < this.bytes;) {
        randomFillSync(chunk);
        written += writeSync(fd, chunk, 0, Math.min(chunk.length, this.bytes - written));
      }
      if (this.fsync) fsyncSync(fd);
    } catch (error) {
      closeSync(fd);
      unlinkSync(this.path);
      throw error;
    }
    closeSync(fd);
  }
}

/** Bytes free, for this process, on the filesystem of `path` or of its nearest existing parent. */
function freeBytesNear(path: string): number {
  for (;;) {
    try {
      const stats = statfsSync(path);
      return (process.getuid?.() === 0 ? stats.bfree : stats.bavail) * stats.bsize;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(path) === path) throw error;
      path = dirname(path);
    }
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < MiB) return `${Math.floor(bytes / 1024)} KiB`;
  return `${Number((bytes / MiB).toFixed(1))} MiB`;
}
