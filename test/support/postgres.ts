/**
 * PostgreSQL for tests: where it is (`VIGIL_TEST_POSTGRES_URL`, default the development and
 * CI machines' server), whether it answers, and throwaway schemas to isolate each store in.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The test database: `VIGIL_TEST_POSTGRES_URL`, or `test` on 127.0.0.1:5432 (trust auth). */
export function postgresUrl(): string {
  return process.env.VIGIL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

export type PostgresProbe =
  | { reachable: true; url: string }
  | { reachable: false; url: string; required: boolean; message: string };

/**
 * Connects once with a short timeout. Unreachable PostgreSQL is `required` in CI
 * (`CI=true`: the caller fails a test with `message`); elsewhere the message, printed
 * here, says the suite is skipped.
 *
 * @example
 * const postgres = await probePostgres();
 * if (!postgres.reachable && postgres.required)
 *   it('reaches PostgreSQL', () => {
 *     throw new Error(postgres.message);
 *   });
 * describe.skipIf(!postgres.reachable)('on PostgreSQL', () => { … });
 */
export async function probePostgres(url = postgresUrl(), timeoutMs = 2000): Promise<PostgresProbe> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { reachable: true, url };
  } catch (error) {
    const why = error instanceof Error ? error.message || error.name : String(error);
    const shown = redact(url);
    const required = process.env.CI === 'true';
    const message = required
      ? `PostgreSQL is required in CI at ${shown} (${why}); set VIGIL_TEST_POSTGRES_URL or start it`
      : `PostgreSQL not reachable at ${shown} (${why}); skipping`;
    if (!required) console.warn(message);
    return { reachable: false, url, required, message };
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Fresh schemas in the test database, unique across parallel test files and runs, dropped
 * together by `dropAll` (an `afterAll`).
 */
export class TestSchemas {
  private readonly created: string[] = [];
  private readonly prefix = `vigil_test_${randomBytes(4).toString('hex')}`;

  constructor(private readonly url = postgresUrl()) {}

  /** A name nobody uses yet; `PostgresReportStore.open` creates the schema. */
  fresh(): string {
    const name = `${this.prefix}_${this.created.length + 1}`;
    this.created.push(name);
    return name;
  }

  /** Runs SQL by hand in `schema`, as another client would. */
  async sql(schema: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
    const client = new pg.Client({
      connectionString: this.url,
      options: `-c search_path=${schema}`,
    });
    await client.connect();
    try {
      return await client.query(text, values);
    } finally {
      await client.end();
    }
  }

  async dropAll(): Promise<void> {
    if (this.created.length === 0) return;
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      const names = this.created.splice(0).map((name) => `"${name}"`);
      await client.query(`DROP SCHEMA IF EXISTS ${names.join(', ')} CASCADE`);
    } finally {
      await client.end();
    }
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
