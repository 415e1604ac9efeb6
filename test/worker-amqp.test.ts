/**
 * `vigil worker` taking S3 events from RabbitMQ (AMQP 0-9-1), as MinIO's `notify_amqp` target
 * publishes them: one message per event (`{EventName, Key, Records: [record]}`, MinIO's
 * eventVersion 2.0 record with `minio:s3` and a query-escaped key) to a topic exchange. Two
 * workers on one quorum queue, one SIGKILLed mid-run; every upload judged once, weapons tagged
 * and in review; a message no worker can read dead-lettered with its reason. The objects are
 * on a Vigil standing in for MinIO (S3 is S3). Needs RabbitMQ and PostgreSQL (running here and
 * in CI; skipped elsewhere, saying so).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amqpUrl, probeAmqp, TestQueues } from './support/amqp.js';
import { probePostgres, TestSchemas } from './support/postgres.js';
import { until } from './support/until.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';
import {
  expectEveryUploadJudgedOnce,
  startWorkerProcess,
  uploadPhotos,
  type Upload,
} from './support/workers.js';

const amqp = await probeAmqp();
const postgres = await probePostgres();
const ready = amqp.reachable && postgres.reachable;

/** MinIO's message for one upload (internal/event/target/amqp.go send; cmd/event-notification.go). */
function minioMessage(bucket: string, upload: Upload, size: number): string {
  const key = new URLSearchParams({ k: upload.key }).toString().slice(2);
  return JSON.stringify({
    EventName: 's3:ObjectCreated:Put',
    Key: `${bucket}/${upload.key}`,
    Records: [
      {
        eventVersion: '2.0',
        eventSource: 'minio:s3',
        awsRegion: '',
        eventTime: new Date().toISOString(),
        eventName: 's3:ObjectCreated:Put',
        userIdentity: { principalId: 'minioadmin' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'Config',
          bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
          object: {
            key,
            size,
            eTag: upload.etag,
            contentType: 'image/jpeg',
            sequencer: (process.hrtime.bigint() * 1000n).toString(16).toUpperCase(),
          },
        },
      },
    ],
  });
}

describe('vigil worker on RabbitMQ (AMQP), fed as MinIO feeds it', () => {
  for (const probe of [amqp, postgres])
    if (!probe.reachable && probe.required)
      it(`reaches ${probe === amqp ? 'RabbitMQ' : 'PostgreSQL'}`, () => {
        throw new Error(probe.message);
      });
  if (!ready) {
    it.skip('needs RabbitMQ and PostgreSQL', () => {});
    return;
  }

  const queues = new TestQueues();
  const names = queues.fresh();
  const schemas = new TestSchemas();
  const schema = schemas.fresh();
  const Bucket = bucketName('amqp');
  let t: TestVigil;
  let connection: ChannelModel;
  let channel: Channel;
  let work: string;
  let configFile: string;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    t = await startTestVigil({
      fsync: false,
      config: { seed: false, queues: [{ name: 'amqp-review' }] },
    });
    await t.s3.send(new CreateBucketCommand({ Bucket }));
    connection = await connect(amqpUrl());
    channel = await connection.createChannel();
    // MinIO declares its exchange before each publish (durable topic, as configured).
    await channel.assertExchange(names.exchange, 'topic', { durable: true });
    work = await mkdtemp(join(tmpdir(), 'vigil-amqp-workers-'));
    configFile = join(work, 'worker.json');
    await writeFile(
      configFile,
      JSON.stringify({
        logLevel: 'info',
        reporting: { url: postgres.url, schema },
        pipeline: { reviewQueue: `${t.url}/000000000000/amqp-review` },
        worker: {
          source: {
            type: 'amqp',
            url: amqpUrl(),
            exchange: names.exchange,
            bindingKeys: ['bucketevents'],
            queue: names.queue,
            deadLetterQueue: names.deadLetterQueue,
            maxDeliveries: 3,
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
    await connection?.close().catch(() => {});
    await queues.deleteAll();
    await t?.stop();
    await schemas.dropAll();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const startWorker = async () => {
    const child = await startWorkerProcess(configFile, t);
    workers.push(child);
    return child;
  };
  const publish = (body: string) =>
    channel.publish(names.exchange, 'bucketevents', Buffer.from(body), {
      contentType: 'application/json',
      deliveryMode: 2,
    });

  it('moderates every upload once across workers, one of them SIGKILLed mid-run', async () => {
    const first = await startWorker();
    await startWorker();
    // The uploads are on the store first; MinIO would publish as each one lands.
    const uploads = await uploadPhotos(t.s3, Bucket, 3);
    for (const [i, upload] of uploads.entries()) {
      expect(publish(minioMessage(Bucket, upload, 1))).toBe(true);
      if (i === 4) first.kill('SIGKILL');
    }
    await startWorker();
    await expectEveryUploadJudgedOnce(t.s3, Bucket, uploads, { url: postgres.url, schema });
  }, 240_000);

  it('dead-letters a message no worker can read, with the reason', async () => {
    publish('not an event');
    const dead = await until(async () => {
      const message = await channel.get(names.deadLetterQueue, { noAck: true });
      return message === false ? undefined : message;
    }, 30_000);
    expect(dead.content.toString()).toBe('not an event');
    expect(String(dead.properties.headers?.['Vigil-Dead-Letter-Reason'])).toMatch(/JSON/i);
  });
});
