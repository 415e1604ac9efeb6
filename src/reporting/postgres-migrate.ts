/** Applies the reporting migrations' PostgreSQL side, once, however many processes start. */
import type pg from 'pg';
import type { ReportMigration } from './migrations.js';
import { rows, transaction } from './postgres-pool.js';

/** The schema's version history: one row per migration applied. */
const VERSION_TABLE = `CREATE TABLE IF NOT EXISTS vigil_report_schema (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`;

/**
 * Brings the store's schema (`schema`, created if missing, or the connection's current one)
 * to the latest version in one transaction. A transaction-scoped advisory lock on the
 * schema's name comes first, so two processes opening a fresh database at once take turns:
 * the second finds the first's work committed and applies nothing.
 */
export async function migratePostgres(
  pool: pg.Pool,
  schema: string | undefined,
  migrations: readonly ReportMigration[],
): Promise<void> {
  const latest = migrations.at(-1)?.version ?? 0;
  await transaction(pool, async (client) => {
    await client.query(
      `SELECT pg_advisory_xact_lock(hashtext('vigil-reporting:' || coalesce($1, current_schema(), '')))`,
      [schema ?? null],
    );
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(VERSION_TABLE);
    const [row] = await rows<{ version: number | null }>(
      client,
      'SELECT max(version) AS version FROM vigil_report_schema',
    );
    const current = row?.version ?? 0;
    if (current > latest)
      throw new Error(
        `The reporting database is at schema version ${current}, newer than this Vigil (${latest}). Upgrade Vigil or point reporting.url at another database.`,
      );
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      await client.query(migration.postgres);
      await client.query('INSERT INTO vigil_report_schema (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
    }
  });
}
