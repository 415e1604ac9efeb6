/**
 * Vigil with `reporting.url` on PostgreSQL: moderate-image (in its worker threads) records
 * into PostgreSQL, the console decides from it, the gate's closed mode reads it, and
 * `vigil report` exports it. Skipped where PostgreSQL is absent; required in CI.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReviewQueueResponse } from '../src/console/api-types.js';
import { PostgresReportStore } from '../src/reporting/postgres.js';
import { VIGIL_BIN } from './support/child.js';
import { ConsoleClient } from './support/console.js';
import { TestSchemas, postgresUrl, probePostgres } from './support/postgres.js';
import { startTestVigil, type TestVigil } from './support/vigil.js';

const run = promisify(execFile);
const image = (name: string) => readFile(new URL(`./fixtures/images/${name}`, import.meta.url));
const postgres = await probePostgres();
const schemas = new TestSchemas();

if (!postgres.reachable && postgres.required)
  it('reaches PostgreSQL', () => {
    throw new Error(postgres.message);
  });

describe.skipIf(!postgres.reachable)('reporting on PostgreSQL', () => {
  let t: TestVigil;
  let schema: string;
  let reportingUrl: string;

  beforeAll(async () => {
    schema = schemas.fresh();
    await schemas.sql('public', `CREATE SCHEMA "${schema}"`);
    const url = new URL(postgresUrl());
    url.searchParams.set('options', `-c search_path=${schema}`);
    reportingUrl = url.toString();
    t = await startTestVigil({
      config: {
        moderation: { workers: 1 },
        reporting: { url: reportingUrl },
        gate: { buckets: { uploads: { mode: 'closed', blockedStatus: 451 } } },
      },
    });
  });

  afterAll(async () => {
    await t?.stop();
    await schemas.dropAll();
  });

  it('records, reviews and exports through PostgreSQL', async () => {
    const flagged = 'content/images/pg-flagged.jpg';
    const clean = 'content/images/pg-clean.jpg';
    await t.s3.send(
      new PutObjectCommand({
        Bucket: 'uploads',
        Key: flagged,
        Body: await image('flagged-porn.jpg'),
      }),
    );
    await t.s3.send(
      new PutObjectCommand({
        Bucket: 'uploads',
        Key: clean,
        Body: await image('clean-shapes.jpg'),
      }),
    );

    const store = await PostgresReportStore.open(postgresUrl(), { schema });
    try {
      const deadline = Date.now() + 60_000;
      let decisions: string[] = [];
      while (decisions.length < 2 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        const records = await store.recordsBetween({ from: 0, to: Date.now() + 1000 });
        decisions = records.map((r) => `${r.key}:${r.decision}`).sort();
      }
      expect(decisions).toEqual([`${clean}:clean`, `${flagged}:blocked`]);
    } finally {
      await store.close();
    }

    // The gate's closed mode reads PostgreSQL: clean is served, flagged is not.
    expect((await fetch(`${t.url}/_vigil/public/uploads/${clean}`)).status).toBe(200);
    expect((await fetch(`${t.url}/_vigil/public/uploads/${flagged}`)).status).toBe(451);

    const root = new ConsoleClient(t.url);
    expect((await root.login(t.accessKeyId, t.secretAccessKey)).status).toBe(200);
    const { items } = await root.json<ReviewQueueResponse>('review');
    const item = items.find((i) => i.key === flagged)!;
    await root.post(`review/${item.id}/claim`);
    expect((await root.post(`review/${item.id}/decision`, { action: 'approve' })).status).toBe(200);
    expect((await fetch(`${t.url}/_vigil/public/uploads/${flagged}`)).status).toBe(200);

    const config = join(t.dataDir, 'report-config.json');
    await writeFile(config, JSON.stringify({ reporting: { url: reportingUrl } }));
    const csv = await run(process.execPath, [
      VIGIL_BIN,
      'report',
      '--data-dir',
      t.dataDir,
      '--config',
      config,
      '--format',
      'csv',
    ]);
    expect(csv.stdout).toContain(flagged);
    const audit = await run(process.execPath, [
      VIGIL_BIN,
      'report',
      '--audit',
      '--format',
      'json',
      '--data-dir',
      t.dataDir,
      '--config',
      config,
    ]);
    expect(JSON.parse(audit.stdout)).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: 'review.approve', key: flagged })]),
    );
  });
});
