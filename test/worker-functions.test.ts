/**
 * Users' own functions in `vigil worker`: a Lambda handler written for AWS (configured only by
 * its environment) tags every uploaded object on the store; a handler that throws is retried
 * by the broker and dead-lettered with the reason; every invocation is in PostgreSQL, where the
 * console of the fleet shows it with Lambda's START / END / REPORT log. Needs NATS with
 * JetStream and PostgreSQL (running here and in CI; skipped elsewhere, saying so).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateBucketCommand,
  GetObjectTaggingCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionsOverview } from '../src/console/api-types.js';
import { ConsoleClient } from './support/console.js';
import { probeNats } from './support/nats.js';
import { probePostgres, TestSchemas } from './support/postgres.js';
import { until } from './support/until.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';
import { startWorkerProcess, type WorkerProcess } from './support/workers.js';

const nats = await probeNats();
const postgres = await probePostgres();
const ready = nats.reachable && postgres.reachable;
const FUNCTIONS = fileURLToPath(new URL('./fixtures/functions/', import.meta.url));

describe("vigil worker running users' own functions", () => {
  for (const probe of [nats, postgres])
    if (!probe.reachable && probe.required)
      it(`reaches ${probe === nats ? 'NATS JetStream' : 'PostgreSQL'}`, () => {
        throw new Error(probe.message);
      });
  if (!ready) {
    it.skip('needs NATS JetStream and PostgreSQL', () => {});
    return;
  }

  const run = randomBytes(4).toString('hex');
  const subject = `vigil-fn-test-${run}`;
  const stream = `VIGIL_FN_TEST_${run}`;
  const schemas = new TestSchemas();
  const schema = schemas.fresh();
  const Bucket = bucketName('fn-workers');
  let t: TestVigil;
  let nc: NatsConnection;
  let work: string;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    // The store, and the console of the fleet (the workers' PostgreSQL schema).
    t = await startTestVigil({
      fsync: false,
      config: {
        seed: false,
        queues: [{ name: 'fn-review' }],
        reporting: { url: postgres.url, schema },
        nats: {
          servers: [nats.url],
          destinations: [
            {
              name: 'workers',
              subject: `${subject}.uploads`,
              stream: { name: stream, subjects: [`${subject}.>`] },
            },
          ],
        },
      },
    });
    nc = await connect({ servers: nats.url });
    await t.s3.send(new CreateBucketCommand({ Bucket }));
    await t.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket,
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              QueueArn: 'arn:vigil:nats:us-east-1:000000000000:workers',
              Events: ['s3:ObjectCreated:Put'],
            },
          ],
        },
      }),
    );
    work = await mkdtemp(join(tmpdir(), 'vigil-fn-workers-'));
    const configFile = join(work, 'worker.json');
    await writeFile(
      configFile,
      JSON.stringify({
        logLevel: 'info',
        reporting: { url: postgres.url, schema },
        pipeline: { reviewQueue: `${t.url}/000000000000/fn-review` },
        functions: [
          { name: 'tagger', module: join(FUNCTIONS, 'tag-object.mjs'), timeoutSeconds: 10 },
          { name: 'fragile', module: join(work, 'fragile.mjs'), timeoutSeconds: 10 },
        ],
        worker: {
          moderate: false,
          functions: ['tagger', 'fragile'],
          source: {
            type: 'jetstream',
            servers: [nats.url],
            stream,
            subjects: [`${subject}.>`],
            durable: `fn-workers-${run}`,
            ackWaitSeconds: 10,
            maxDeliver: 2,
            deadLetterSubject: `vigil-fn-dead-${run}`,
          },
          s3: { endpoint: t.url },
          sqs: { endpoint: t.url },
          concurrency: 2,
          healthPort: 0,
          retryBaseSeconds: 0.2,
          retryMaxSeconds: 0.5,
        },
      }),
    );
    await writeFile(
      join(work, 'fragile.mjs'),
      [
        '// Fails for keys under fail/.',
        'export async function handler(event) {',
        '  const key = event.Records[0].s3.object.key;',
        "  if (key.startsWith('fail/')) throw new TypeError(`cannot handle ${key}`);",
        "  console.log('handled', key);",
        '}',
        '',
      ].join('\n'),
    );
    worker = await startWorkerProcess(configFile, t);
  }, 120_000);

  afterAll(async () => {
    if (worker?.exitCode === null) worker.kill('SIGKILL');
    if (nc) {
      const jsm = await nc.jetstreamManager();
      for (const name of [stream, `${stream}_DLQ`])
        await jsm.streams.delete(name).catch(() => false);
      await nc.close();
    }
    await t?.stop();
    await schemas.dropAll();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const tagsOf = async (Key: string) =>
    (await t.s3.send(new GetObjectTaggingCommand({ Bucket, Key }))).TagSet ?? [];

  it('runs an AWS-style handler on each upload, reaching the store through its environment', async () => {
    for (const key of ['docs/a.txt', 'docs/b.txt'])
      await t.s3.send(new PutObjectCommand({ Bucket, Key: key, Body: 'hello' }));
    for (const key of ['docs/a.txt', 'docs/b.txt'])
      await until(async () => ((await tagsOf(key)).length > 0 ? true : undefined), 30_000);
    expect(await tagsOf('docs/a.txt')).toEqual([{ Key: 'ProcessedBy', Value: 'tagger' }]);
  });

  it('retries a failing function through the broker, then dead-letters the event with the reason', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket, Key: 'fail/c.txt', Body: 'hello' }));
    const jsm = await nc.jetstreamManager();
    const dead = await until(async () => {
      const info = await jsm.streams.info(`${stream}_DLQ`).catch(() => undefined);
      return info && info.state.messages > 0 ? info : undefined;
    }, 30_000);
    const letter = await jsm.streams.getMessage(`${stream}_DLQ`, { seq: dead.state.first_seq });
    expect(letter.header.get('Vigil-Dead-Letter-Reason')).toBe(
      'failed 2 times; last: function fragile failed: TypeError: cannot handle fail/c.txt',
    );
    // tagger ran before fragile, on each attempt.
    expect(await tagsOf('fail/c.txt')).toEqual([{ Key: 'ProcessedBy', Value: 'tagger' }]);
  });

  it("the fleet's console shows every invocation, its outcome and its Lambda log", async () => {
    const console = new ConsoleClient(t.url);
    expect((await console.login(t.accessKeyId, t.secretAccessKey)).status).toBe(200);
    const overview = await until(async () => {
      const o = await console.json<FunctionsOverview>('operations/functions');
      const fragile = o.functions.find((f) => f.name === 'fragile');
      return fragile && fragile.failed === 2 ? o : undefined;
    }, 30_000);
    const tagger = overview.functions.find((f) => f.name === 'tagger')!;
    const fragile = overview.functions.find((f) => f.name === 'fragile')!;
    // a.txt, b.txt, and fail/c.txt twice.
    expect(tagger).toMatchObject({ invocations: 4, succeeded: 4, failed: 0 });
    expect(fragile).toMatchObject({ invocations: 4, succeeded: 2, failed: 2 });
    const failed = fragile.recent.find((r) => r.state === 'failed')!;
    expect(failed.log).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
    expect(failed.log).toContain('cannot handle fail/c.txt');
    expect(failed.log).toMatch(/REPORT RequestId: .*\tDuration: /);
    const handled = fragile.recent.find((r) => r.state === 'succeeded')!;
    expect(handled.log).toMatch(/INFO\thandled docs\/[ab]\.txt/);
  });
});
