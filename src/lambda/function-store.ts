/**
 * Deployed functions and function policies in the metadata database (`lambda_functions`,
 * `lambda_policies`, migration 17). Policies have their own table: a config-file function
 * can have one too (S3 checks it before sending the function events).
 */
import type { SqliteDatabase } from '../storage/index.js';
import type { EventInvokeConfig, FunctionSettings, StoredFunction } from './types.js';

interface FunctionRow {
  name: string;
  settings: string;
  code_id: string;
  code_sha256: string;
  code_size: number;
  revision_id: string;
  last_modified: number;
  event_invoke_config: string | null;
}

export class FunctionStore {
  constructor(
    private readonly db: SqliteDatabase,
    /** The engine's group commit: writes are acknowledged once on disk. */
    private readonly grouped: <T>(work: () => T) => Promise<T>,
  ) {}

  get(name: string): StoredFunction | undefined {
    const row = this.db.prepare('SELECT * FROM lambda_functions WHERE name = ?').get(name) as
      FunctionRow | undefined;
    return row && fromRow(row);
  }

  all(): StoredFunction[] {
    const rows = this.db
      .prepare('SELECT * FROM lambda_functions ORDER BY name')
      .all() as FunctionRow[];
    return rows.map(fromRow);
  }

  /** Inserts a new function; false when the name is taken. */
  insert(fn: StoredFunction): Promise<boolean> {
    return this.grouped(() => {
      const result = this.db
        .prepare(
          `INSERT INTO lambda_functions (name, settings, code_id, code_sha256, code_size,
             revision_id, last_modified, event_invoke_config)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
        )
        .run(...toRow(fn));
      return result.changes === 1;
    });
  }

  /** Replaces a function's row, if its revision is still `expectedRevision`. */
  replace(fn: StoredFunction, expectedRevision: string): Promise<boolean> {
    return this.grouped(() => {
      const [name, ...rest] = toRow(fn);
      const result = this.db
        .prepare(
          `UPDATE lambda_functions SET settings = ?, code_id = ?, code_sha256 = ?,
             code_size = ?, revision_id = ?, last_modified = ?, event_invoke_config = ?
           WHERE name = ? AND revision_id = ?`,
        )
        .run(...rest, name, expectedRevision);
      return result.changes === 1;
    });
  }

  delete(name: string): Promise<boolean> {
    return this.grouped(() => {
      const result = this.db.prepare('DELETE FROM lambda_functions WHERE name = ?').run(name);
      this.db.prepare('DELETE FROM lambda_policies WHERE function_name = ?').run(name);
      return result.changes === 1;
    });
  }

  policy(name: string): { policy: string; revisionId: string } | undefined {
    const row = this.db
      .prepare('SELECT policy, revision_id FROM lambda_policies WHERE function_name = ?')
      .get(name) as { policy: string; revision_id: string } | undefined;
    return row && { policy: row.policy, revisionId: row.revision_id };
  }

  /** Stores a function's policy document (JSON), or removes it with `undefined`. */
  setPolicy(name: string, policy: string | undefined, revisionId: string): Promise<void> {
    return this.grouped(() => {
      if (policy === undefined)
        this.db.prepare('DELETE FROM lambda_policies WHERE function_name = ?').run(name);
      else
        this.db
          .prepare(
            `INSERT INTO lambda_policies (function_name, policy, revision_id) VALUES (?, ?, ?)
             ON CONFLICT (function_name) DO UPDATE SET policy = excluded.policy,
               revision_id = excluded.revision_id`,
          )
          .run(name, policy, revisionId);
    });
  }
}

function toRow(fn: StoredFunction) {
  return [
    fn.name,
    JSON.stringify(fn.settings),
    fn.codeId,
    fn.codeSha256,
    fn.codeSize,
    fn.revisionId,
    fn.lastModified,
    fn.eventInvokeConfig ? JSON.stringify(fn.eventInvokeConfig) : null,
  ] as const;
}

function fromRow(row: FunctionRow): StoredFunction {
  return {
    name: row.name,
    settings: JSON.parse(row.settings) as FunctionSettings,
    codeId: row.code_id,
    codeSha256: row.code_sha256,
    codeSize: row.code_size,
    revisionId: row.revision_id,
    lastModified: row.last_modified,
    ...(row.event_invoke_config
      ? { eventInvokeConfig: JSON.parse(row.event_invoke_config) as EventInvokeConfig }
      : {}),
  };
}
