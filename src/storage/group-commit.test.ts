import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

describe('GroupCommit', () => {
  it('commits concurrent jobs in one transaction, each rolling back on its own', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (v TEXT)');
    let commits = 0;
    const original = db.transaction.bind(db);
    db.transaction = ((fn: () => unknown) => {
      const tx = original(fn);
      return Object.assign(() => {
        const result: unknown = tx();
        if (!db.inTransaction) commits++;
        return result;
      }, tx);
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

  it('commits a batch of only non-durable jobs without fsync, and any batch with a durable job with it', async () => {
    const db = new Database(':memory:');
    db.pragma('synchronous = FULL');
    const group = new GroupCommit(db, true);
    const level = () => db.pragma('synchronous', { simple: true }) as number;
    const relaxed = await Promise.all([
      group.run(level, { durable: false }),
      group.run(level, { durable: false }),
    ]);
    expect(relaxed).toEqual([1, 1]); // NORMAL
    expect(level()).toBe(2); // FULL again afterwards
    const mixed = await Promise.all([group.run(level, { durable: false }), group.run(level)]);
    expect(mixed).toEqual([2, 2]);
  });
});
