import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  InsufficientSpaceError,
  OutOfSpaceError,
  RESERVE_FILE,
  SpaceReserve,
  type WriteKind,
} from './space-reserve.js';

const BYTES = 64 * 1024;

/** What better-sqlite3 throws: an Error with SQLite's (extended) result code. */
function sqliteError(code: string): Error {
  return Object.assign(new Error(code), { code });
}

describe('SpaceReserve', () => {
  let dir: string;
  let space: SpaceReserve;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-space-'));
    space = SpaceReserve.check(join(dir, 'data'), { bytes: BYTES, fsync: false });
    space.ensure();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the data directory and its reserve, and keeps an existing reserve as it is', () => {
    const file = join(dir, 'data', RESERVE_FILE);
    const before = statSync(file);
    expect(before.size).toBe(BYTES);
    SpaceReserve.check(join(dir, 'data'), { bytes: BYTES, fsync: false }).ensure();
    expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
  });

  it.each([
    ['ENOSPC', true],
    ['EDQUOT', true],
    ['SQLITE_FULL', true],
    // An I/O error is out of space only when space is low, and it is not low here.
    ['SQLITE_IOERR_SHMSIZE', false],
    ['SQLITE_CONSTRAINT_UNIQUE', false],
    ['EACCES', false],
  ])('tells %s apart (out of space: %s)', (code, full) => {
    expect(space.isOutOfSpace(sqliteError(code))).toBe(full);
  });

  it('releases the reserve on running out of space, and re-creates it once space allows', () => {
    const failure = space.failure(sqliteError('SQLITE_FULL'));
    expect(failure).toBeInstanceOf(OutOfSpaceError);
    expect(failure).toMatchObject({ code: 'ENOSPC', reason: 'SQLITE_FULL' });
    expect(space.isReleased).toBe(true);
    expect(existsSync(space.path)).toBe(false);

    // This disk has room: the next write that adds data takes the reserve back first.
    space.admit();
    expect(space.isReleased).toBe(false);
    expect(statSync(space.path).size).toBe(BYTES);
  });

  it('leaves other failures alone', () => {
    const error = sqliteError('SQLITE_CONSTRAINT_UNIQUE');
    expect(space.failure(error)).toBe(error);
    expect(space.isReleased).toBe(false);
  });

  it.each<[WriteKind, number]>([
    ['adds', 1],
    ['reclaims', 2],
    ['bookkeeping', 2],
  ])('retries a write that %s after running out of space: %i attempt(s)', async (kind, runs) => {
    let attempts = 0;
    const write = () => {
      attempts++;
      if (attempts === 1) throw sqliteError('SQLITE_FULL');
      return 'written';
    };
    if (runs === 1) expect(() => space.guard(kind, write)).toThrow(OutOfSpaceError);
    else expect(space.guard(kind, write)).toBe('written');
    expect(attempts).toBe(runs);

    attempts = 0;
    space.admit();
    const writeLater = () => Promise.resolve().then(write);
    if (runs === 1)
      await expect(space.guardAsync(kind, writeLater)).rejects.toThrow(OutOfSpaceError);
    else await expect(space.guardAsync(kind, writeLater)).resolves.toBe('written');
    expect(attempts).toBe(runs);
  });

  it('refuses to start, naming the directory and the space it needs, when the disk is too small', () => {
    const huge = 2 ** 60;
    const open = () => SpaceReserve.check(join(dir, 'big'), { bytes: huge, fsync: false });
    expect(open).toThrow(InsufficientSpaceError);
    expect(open).toThrow(
      new RegExp(
        `^the data directory ${join(dir, 'big')} has [\\d.]+ (bytes|KiB|MiB) free; Vigil needs at least [\\d.]+ MiB free there to start \\(2 MiB for its databases, [\\d.]+ MiB for the space reserve`,
      ),
    );
    expect(existsSync(join(dir, 'big', RESERVE_FILE))).toBe(false);
  });
});
