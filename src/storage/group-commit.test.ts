import Database from 'better-sqlite3';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';
import { WalFile } from './wal-file.js';

/** A database file in WAL mode with a table `t`, and its WAL. */
function walDatabase(): { db: Database.Database; wal: WalFile } {
  const file = join(mkdtempSync(join(tmpdir(), 'vigil-wal-')), 'w.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (v TEXT)');
  return { db, wal: new WalFile(file) };
}

describe('GroupCommit', () => {
  it('commits concurrent jobs in one transaction, each rolling back on its own', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (v TEXT)');
    let commits = 0;
    const original = db.transaction.bind(db);
    db.transaction = ((fn: () => unknown) => {
      const tx = original(fn);
      const counted = (run: () => unknown) => (): unknown => {
        const result = run();
        if (!db.inTransaction) commits++;
        return result;
      };
      return Object.assign(counted(tx), tx, { immediate: counted(() => tx.immediate()) });
    }) as typeof db.transaction;
    const group = new GroupCommit(db);
    const insert = (v: string) => () => db.prepare('INSERT INTO t VALUES (?)').run(v).changes;
    const results = await Promise.allSettled([
      group.run(insert('a')),
      group.run(() => {
        db.prepare('INSERT INTO t VALUES (?)').run('doomed');
        throw new Error('this job fails');
      }),
      group.run(insert('b')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(db.prepare('SELECT v FROM t ORDER BY v').pluck().all()).toEqual(['a', 'b']);
    expect(commits).toBe(1);
    await group.run(insert('c'));
    expect(commits).toBe(2);
  });

  it('rejects every job when the shared commit fails', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (v TEXT)');
    const group = new GroupCommit(db);
    const pending = [group.run(() => 1), group.run(() => 2)];
    db.close();
    for (const job of pending) await expect(job).rejects.toThrow();
  });

  it('with a WAL, commits under synchronous=NORMAL and answers durable jobs only after the WAL is synced', async () => {
    const { db, wal } = walDatabase();
    db.pragma('synchronous = FULL');
    let release!: () => void;
    const syncs: string[] = [];
    wal.sync = () => {
      syncs.push('sync');
      return new Promise<void>((r) => (release = r));
    };
    const group = new GroupCommit(db, wal);
    const level = () => db.pragma('synchronous', { simple: true }) as number;
    const order: string[] = [];
    const bookkeeping = group
      .run(level, { durable: false })
      .then((v) => (order.push('bookkeeping'), v));
    const durable = group.run(level).then((v) => (order.push('durable'), v));
    await bookkeeping;
    expect(order).toEqual(['bookkeeping']); // answered at commit
    expect(syncs).toEqual(['sync']);
    expect(level()).toBe(2); // FULL again for transactions outside the group
    release();
    expect(await durable).toBe(1); // it ran under NORMAL
    expect(order).toEqual(['bookkeeping', 'durable']);
    // A batch of bookkeeping alone never waits for the disk.
    expect(await group.run(() => 'done', { durable: false })).toBe('done');
    expect(syncs).toEqual(['sync']);
    db.close();
  });

  it('lets a reader wait for the commits it saw, joining the fdatasync under way', async () => {
    const db = new Database(':memory:');
    const wal = new WalFile('/unused');
    const releases: (() => void)[] = [];
    wal.sync = () => new Promise<void>((r) => releases.push(r));
    const group = new GroupCommit(db, wal);
    const write = group.run(() => 'row'); // commit 1, durable: an fdatasync starts
    await new Promise((r) => setImmediate(r));
    // A later bookkeeping job sees commit 1 and waits for it: no fdatasync of its own.
    const seen = await group.run(() => group.committed, { durable: false });
    expect(seen).toBe(1);
    let readerDone = false;
    const reader = group.durableThrough(seen).then(() => (readerDone = true));
    await new Promise((r) => setImmediate(r));
    expect(releases).toHaveLength(1);
    expect(readerDone).toBe(false);
    releases[0]!();
    await Promise.all([write, reader]);
    await group.durableThrough(1); // known durable: at once, no fdatasync
    expect(releases).toHaveLength(1);
    // Commit 2 was bookkeeping only: waiting for it starts an fdatasync.
    const waiting = group.durableThrough(2);
    expect(releases).toHaveLength(2);
    releases[1]!();
    await waiting;
  });

  it('rejects the durable jobs of a batch whose WAL could not be synced', async () => {
    const db = new Database(':memory:');
    const wal = new WalFile('/nonexistent');
    wal.sync = () => Promise.reject(new Error('EIO'));
    const group = new GroupCommit(db, wal);
    await expect(group.run(() => 1)).rejects.toThrow('EIO');
    expect(await group.run(() => 2, { durable: false })).toBe(2);
  });
});

describe('WalFile', () => {
  it('fdatasyncs the WAL, and resolves when there is none (closed database)', async () => {
    const { db, wal } = walDatabase();
    expect(existsSync(wal.path)).toBe(true);
    await wal.sync();
    db.close();
    expect(existsSync(wal.path)).toBe(false);
    await wal.sync();
    const closing = wal.sync(); // under way while its descriptor is let go
    wal.close();
    await closing;
    await wal.sync(); // nothing left to do
  });

  it('lets callers that arrive during an fdatasync share the next one', async () => {
    const { db, wal } = walDatabase();
    const first = wal.sync();
    const second = wal.sync();
    const third = wal.sync();
    expect(second).toBe(third);
    expect(second).not.toBe(first);
    await Promise.all([first, second, third]);
    db.close();
  });
});
