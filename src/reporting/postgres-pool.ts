/** The PostgreSQL pool behind `PostgresReportStore`: row types, schema isolation, transactions. */
import pg from 'pg';

export interface PostgresPoolOptions {
  /** A schema of its own (created if missing), set as each connection's `search_path`. */
  schema?: string;
  /** Connections at most (default 10). */
  poolSize?: number;
}

/** Anything that runs a query: the pool, or one client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'>;

const INT8: number = pg.types.builtins.INT8;
const JSON_OID: number = pg.types.builtins.JSON;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * This pool's own type parsers, leaving `pg`'s global ones alone: BIGINT (epoch ms, sizes,
 * ids, counts) as a number, and JSON as its text, so rows come out shaped like SQLite's and
 * share its row mappers.
 */
function typeParser(oid: number, format?: 'text' | 'binary'): unknown {
  if (oid === INT8) return parseInt8;
  if (oid === JSON_OID) return (text: string) => text;
  return pg.types.getTypeParser(oid, format);
}
const types: pg.CustomTypesConfig = { getTypeParser: typeParser };

function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value))
    throw new RangeError(`BIGINT ${text} is beyond JavaScript's safe integers`);
  return value;
}

/**
 * A pool on `url`. With `schema`, every connection starts with `search_path` set to it, so
 * one database can hold several independent reporting stores (tests use one per store).
 */
export function createPool(url: string, options: PostgresPoolOptions = {}): pg.Pool {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema))
    throw new Error(
      `PostgreSQL schema "${schema}": expected lower-case letters, digits and _ (at most 63, not starting with a digit)`,
    );
  if (schema !== undefined && hasOptionsParameter(url))
    throw new Error(
      'reporting.url sets `options`, which would replace the search_path of the `schema` option: drop one of them',
    );
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 10_000,
    types,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle connection that breaks (server restart, network) is dropped by the pool and
  // replaced on the next checkout; unhandled, its 'error' event would end the process.
  pool.on('error', () => {});
  return pool;
}

function hasOptionsParameter(url: string): boolean {
  try {
    return new URL(url).searchParams.has('options');
  } catch {
    return false;
  }
}

/** Runs `work` in one transaction on one connection: committed when it resolves. */
export async function transaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      // A connection that cannot roll back is not handed to anyone else.
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** The rows of a query, typed as the caller knows them to be. */
export async function rows<T>(db: Queryable, text: string, values: unknown[] = []): Promise<T[]> {
  return (await db.query(text, values)).rows as T[];
}
