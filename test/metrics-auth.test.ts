/**
 * `/_vigil/metrics` behind a bearer token, as Prometheus scrapes it: `vigil serve` with the
 * token in a mounted secret file, `vigil worker` with it in `VIGIL_METRICS_TOKEN`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { startWorker, type RunningWorker } from '../src/worker/start.js';
import { probePostgres, TestSchemas } from './support/postgres.js';
import { startTestVigil, type TestVigil } from './support/vigil.js';

const TOKEN = 'f4c1e2d3b4a5968778695a4b3c2d1e0f';
const scrape = (url: string, authorization?: string) =>
  fetch(`${url}/_vigil/metrics`, authorization ? { headers: { authorization } } : {});

let t: TestVigil;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-metrics-auth-'));
  const tokenFile = join(dir, 'metrics-token');
  await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  t = await startTestVigil({
    config: { seed: false, queues: [{ name: 'events' }], metrics: { bearerTokenFile: tokenFile } },
  });
});

afterAll(async () => {
  await t?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** What a scrape without the token, with a wrong one and with the right one gets. */
async function expectGuarded(url: string, metric: string): Promise<void> {
  const none = await scrape(url);
  expect(none.status).toBe(401);
  expect(none.headers.get('www-authenticate')).toBe('Bearer realm="vigil-metrics"');
  expect(await none.text()).not.toContain(metric);

  const wrong = await scrape(url, `Bearer ${TOKEN.replace('f', 'e')}`);
  expect(wrong.status).toBe(401);
  expect(wrong.headers.get('www-authenticate')).toContain('error="invalid_token"');

  const right = await scrape(url, `Bearer ${TOKEN}`);
  expect(right.status).toBe(200);
  expect(await right.text()).toContain(metric);
}

describe('vigil serve', () => {
  it('answers /_vigil/metrics only with the token from metrics.bearerTokenFile', async () => {
    await expectGuarded(t.url, 'vigil_events_emitted_total');
    // Nothing else moved behind the token.
    expect((await fetch(`${t.url}/_vigil/health`)).status).toBe(200);
  });
});

const postgres = await probePostgres();
if (!postgres.reachable && postgres.required)
  it('reaches PostgreSQL', () => {
    throw new Error(postgres.message);
  });

describe.skipIf(!postgres.reachable)('vigil worker', () => {
  const schemas = new TestSchemas();
  let worker: RunningWorker | undefined;
  const saved = { ...process.env };

  afterAll(async () => {
    await worker?.stop();
    process.env = saved;
    await schemas.dropAll();
  });

  it('answers its own /_vigil/metrics only with the token from VIGIL_METRICS_TOKEN', async () => {
    // The worker's SQS client reads its keys from the environment, as in a deployment.
    process.env['AWS_ACCESS_KEY_ID'] = t.accessKeyId;
    process.env['AWS_SECRET_ACCESS_KEY'] = t.secretAccessKey;
    const queueUrl = `${t.url}/000000000000/events`;
    const config = loadConfig(
      { logLevel: 'silent' },
      { VIGIL_METRICS_TOKEN: TOKEN },
      {
        path: '(test)',
        values: {
          reporting: { url: postgres.url, schema: schemas.fresh() },
          worker: {
            source: { type: 'sqs', queueUrl, deadLetterQueueUrl: queueUrl },
            sqs: { endpoint: t.url },
            s3: { endpoint: t.url },
            moderate: false,
            healthPort: 0,
          },
        },
      },
    );
    worker = await startWorker(config, pino({ level: 'silent' }));
    await expectGuarded(worker.url, 'vigil_worker_messages_total');
    expect((await fetch(`${worker.url}/_vigil/health`)).status).toBe(200);
  });
});
