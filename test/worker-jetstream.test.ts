/**
 * `vigil worker` processes taking S3 events from NATS JetStream: one Vigil as the S3 store
 * (its outbox publishing the bucket's events to a JetStream subject), three workers
 * moderating 600 uploads with the bundled models and sharing state in PostgreSQL. One
 * worker is killed with SIGKILL mid-run and another started: every upload is judged once,
 * each flagged one is tagged and in review, and a message no worker can read is
 * dead-lettered. Needs NATS with JetStream and PostgreSQL (running here and in CI; skipped
 * elsewhere, saying so).
 */
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand } from '@aws-sdk/client-s3';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeNats } from './support/nats.js';
import { probePostgres, TestSchemas } from './support/postgres.js';
import { until } from './support/until.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';
import {
  expectEveryUploadJudgedOnce,
  startWorkerProcess,
  uploadThroughWorkerTurnover,
  type WorkerProcess,
} from './support/workers.js';

const nats = await probeNats();
const postgres = await probePostgres();
const ready = nats.reachable && postgres.reachable;

const ROUNDS = 150; // 600 uploads: 300 of weapons, 300 clean
const KILL_AT = 200;

describe('vigil worker on NATS JetStream', () => {
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
  const subject = `vigil-test-${run}.events`;
  const deadLetters = `vigil-test-${run}.dead`;
  const stream = `VIGIL_TEST_${run}`;
  const schemas = new TestSchemas();
  const schema = schemas.fresh();
  const Bucket = bucketName('workers');
  let t: TestVigil;
  let nc: NatsConnection;
  let work: string;
  let configFile: string;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    t = await startTestVigil({
      fsync: false,
      config: {
        seed: false,
        queues: [{ name: 'worker-review' }],
        // The bucket's events go to JetStream through Vigil's outbox (the stream is made
        // by whichever comes first: Vigil's first delivery, or the first worker).
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
              Events: ['s3:ObjectCreated:*'],
            },
          ],
        },
      }),
    );
    work = await mkdtemp(join(tmpdir(), 'vigil-workers-'));
    configFile = join(work, 'worker.json');
    await writeFile(
      configFile,
      JSON.stringify({
        logLevel: 'info',
        reporting: { url: postgres.url, schema },
        pipeline: { reviewQueue: `${t.url}/000000000000/worker-review` },
        worker: {
          source: {
            type: 'jetstream',
            servers: [nats.url],
            stream,
            subjects: [`${subject}.>`],
            durable: `workers-${run}`,
            // A loaded CI machine can delay a worker's +WPI by seconds: a lease of 15 s keeps a
            // slow image with its worker; a SIGKILLed worker's messages come back after it.
            ackWaitSeconds: 15,
            maxDeliver: 5,
            deadLetterSubject: deadLetters,
          },
          s3: { endpoint: t.url },
          sqs: { endpoint: t.url },
          concurrency: 2,
          healthPort: 0,
          retryBaseSeconds: 0.2,
          retryMaxSeconds: 1,
        },
      }),
    );
  }, 120_000);

  afterAll(async () => {
    for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
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

  const startWorker = async () => {
    const child = await startWorkerProcess(configFile, t);
    workers.push(child);
    return child;
  };

  it('moderates 600 uploads once each across three workers, one SIGKILLed mid-run and another started', async () => {
    const uploads = await uploadThroughWorkerTurnover(startWorker, t.s3, Bucket, ROUNDS, KILL_AT);
    await expectEveryUploadJudgedOnce(t.s3, Bucket, uploads, { url: postgres.url, schema });
    // Nothing waits forever: the stream holds no message undelivered or unacknowledged.
    const jsm = await nc.jetstreamManager();
    await until(async () => {
      const consumer = await jsm.consumers.info(stream, `workers-${run}`);
      return consumer.num_pending === 0 && consumer.num_ack_pending === 0 ? true : undefined;
    }, 120_000);
  }, 300_000);

  it('each worker answers health and metrics, and exits on SIGTERM once drained', async () => {
    const live = workers.filter((w) => w.exitCode === null && w.signalCode === null);
    expect(live.length).toBe(3);
    const acked = [];
    for (const worker of live) {
      const health = await fetch(`${worker.healthUrl}/_vigil/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', busy: 0 });
      const metrics = await (await fetch(`${worker.healthUrl}/_vigil/metrics`)).text();
      acked.push(
        Number(/vigil_worker_messages_total\{outcome="acked"\} (\d+)/.exec(metrics)?.[1] ?? 0),
      );
    }
    // The survivors shared the work (the SIGKILLed one's share is gone with it).
    expect(acked.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    const last = live[0]!;
    last.kill('SIGTERM');
    const [code] = (await once(last, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('dead-letters a message no worker can read, with the reason', async () => {
    const js = nc.jetstream();
    await js.publish(`${subject}.junk`, new TextEncoder().encode('not an event'));
    const jsm = await nc.jetstreamManager();
    const dead = await until(async () => {
      const info = await jsm.streams.info(`${stream}_DLQ`);
      return info.state.messages > 0 ? info : undefined;
    }, 30_000);
    // Only the unreadable message: an upload's event here would mean a worker gave one up
    // (the reasons are in the failure message).
    const letters = [];
    for (let seq = dead.state.first_seq; seq <= dead.state.last_seq; seq++) {
      const message = await jsm.streams.getMessage(`${stream}_DLQ`, { seq });
      letters.push({
        body: new TextDecoder().decode(message.data).slice(0, 200),
        reason: message.header.get('Vigil-Dead-Letter-Reason'),
      });
    }
    expect(letters).toEqual([
      { body: 'not an event', reason: expect.stringMatching(/JSON/i) as unknown },
    ]);
  });
});
