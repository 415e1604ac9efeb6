import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations/index.js';

export type SqliteDatabase = Database.Database;

export interface OpenDatabaseOptions {
  /**
   * `full` fsyncs the WAL at every commit, so an acknowledged write survives power loss;
   * `normal` survives a process crash only. Default `full`.
   */
  synchronous?: 'full' | 'normal';
}

/** Opens (creating if needed) the metadata database in WAL mode and applies pending migrations. */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, MIGRATIONS);
  return db;
}

export function migrate(db: SqliteDatabase, migrations: readonly Migration[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new Error(
      `The data directory's database is at schema version ${current}, newer than this Vigil (${latest}). Upgrade Vigil or use another --data-dir.`,
    );
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}
