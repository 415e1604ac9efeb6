import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSchemas, postgresUrl, probePostgres } from '../../test/support/postgres.js';
import { trackingEntry } from './contract.js';
import { openReportStore } from './open.js';
import { PostgresReportStore } from './postgres.js';
import { SqliteReportStore } from './sqlite.js';

const postgres = await probePostgres();
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vigil-open-reports-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('openReportStore', () => {
  it('opens SQLite in <data-dir>/reports.db without a URL', async () => {
    const store = await openReportStore({ dataDir });
    expect(store).toBeInstanceOf(SqliteReportStore);
    await store.record(trackingEntry());
    await store.close();
    const again = SqliteReportStore.open(join(dataDir, 'reports.db'));
    expect(await again.findRecord(trackingEntry())).toBeDefined();
    await again.close();
  });

  it.each(['mysql://db/vigil', 'sqlite:///srv/reports.db', 'reports.db'])(
    'refuses %s, naming reporting.url',
    async (url) => {
      await expect(openReportStore({ url, dataDir })).rejects.toThrow(/^reporting\.url: /);
    },
  );

  describe.skipIf(!postgres.reachable)('on PostgreSQL', () => {
    const schemas = new TestSchemas();
    afterAll(() => schemas.dropAll());

    it.each(['postgres:', 'postgresql:'])('opens PostgreSQL for a %s URL', async (scheme) => {
      // The URL picks the schema the way a deployment would: through search_path.
      const schema = schemas.fresh();
      await schemas.sql('public', `CREATE SCHEMA "${schema}"`);
      const url = new URL(postgresUrl());
      url.protocol = scheme;
      url.searchParams.set('options', `-c search_path=${schema}`);
      const store = await openReportStore({ url: url.toString(), dataDir });
      expect(store).toBeInstanceOf(PostgresReportStore);
      await store.record(trackingEntry());
      await store.close();
      const { rows } = await schemas.sql(schema, 'SELECT attempt FROM tracking_records');
      expect(rows).toEqual([{ attempt: 1 }]);
    });
  });
});
