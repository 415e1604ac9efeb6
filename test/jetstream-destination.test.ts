/**
 * Vigil's outbox publishing to NATS JetStream: a real Vigil, a real nats-server with
 * JetStream, the AWS SDK configuring buckets and writing objects, and the nats client
 * consuming like a worker would. Every event arrives once, byte for byte the S3 event
 * message a queue gets; a subject without a stream, or a server that refuses connections,
 * makes events retry and then dead-letter, and a redrive delivers them once the stream is
 * there. Skipped where NATS is absent; required in CI.
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  type NotificationConfiguration,
} from '@aws-sdk/client-s3';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type JsMsg, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCall } from './support/admin.js';
import { errorOf } from './support/errors.js';
import { closedPort, natsUrl, probeNats, TestStreams } from './support/nats.js';
import { until } from './support/until.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

const nats = await probeNats();

if (!nats.reachable && nats.required)
  it('reaches NATS JetStream', () => {
    throw new Error(nats.message);
  });

const natsArn = (name: string) => `arn:vigil:nats:us-east-1:000000000000:${name}`;
const MAX_ATTEMPTS = 4;

interface S3Record {
  eventName: string;
  s3: {
    bucket: { name: string };
    object: { key: string; size?: number; eTag?: string; sequencer: string };
  };
}

describe.skipIf(!nats.reachable)('NATS JetStream destinations', () => {
  const streams = new TestStreams();
  const workers = streams.fresh(); // stream created by the test, as its consumers would
  const unstreamed = streams.fresh(); // no stream until the redrive
  const unreachable = streams.fresh();
  const fanout = streams.fresh(); // stream created by Vigil
  const bus = streams.fresh(); // stream created by Vigil
  let t: TestVigil;
  let nc: NatsConnection;

  beforeAll(async () => {
    nc = await streams.connection();
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: workers.stream, subjects: [workers.subject] });
    const vigilStream = (name: string) => ({ name, storage: 'memory' });
    t = await startTestVigil({
      config: {
        nats: {
          servers: [natsUrl()],
          timeoutMs: 1000,
          destinations: [
            { name: 'workers', subject: workers.subject },
            { name: 'unstreamed', subject: unstreamed.subject },
            {
              name: 'unreachable',
              subject: unreachable.subject,
              servers: [`nats://127.0.0.1:${await closedPort()}`],
            },
            { name: 'fanout', subject: fanout.subject, stream: vigilStream(fanout.stream) },
            { name: 'bus', subject: bus.subject, stream: vigilStream(bus.stream) },
          ],
        },
        queues: [{ name: 'mirror' }],
        topics: [
          {
            name: 'both',
            subscriptions: [
              { endpoint: natsArn('fanout'), raw: true },
              { endpoint: 'arn:aws:sqs:us-east-1:000000000000:mirror', raw: true },
            ],
          },
        ],
        delivery: {
          backoffBaseMs: 20,
          backoffMaxMs: 100,
          pollIntervalMs: 50,
          maxAttempts: MAX_ATTEMPTS,
        },
      },
    });
  });

  afterAll(async () => {
    await t?.stop();
    await streams.deleteAll();
  });

  const credentials = () => ({ accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey });

  async function notify(bucket: string, configuration: NotificationConfiguration): Promise<void> {
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await t.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: configuration,
      }),
    );
  }

  /** Every message of a stream, from the start, through an ordered consumer. */
  async function consume(stream: string, count: number): Promise<JsMsg[]> {
    const jsm = await nc.jetstreamManager();
    await until(async () => {
      // A stream Vigil creates appears with the first event.
      const info = await jsm.streams.info(stream).catch(() => undefined);
      return info && info.state.messages >= count ? true : undefined;
    }, 20_000);
    const consumer = await nc.jetstream().consumers.get(stream);
    const messages: JsMsg[] = [];
    while (messages.length < count) {
      const batch = await consumer.fetch({ max_messages: count - messages.length, expires: 2000 });
      for await (const m of batch) messages.push(m);
    }
    return messages;
  }

  async function deadLetters(destination: string): Promise<Record<string, unknown>[]> {
    const path = `/_vigil/admin/dlq?destination=${encodeURIComponent(destination)}`;
    return (await adminCall(t.url, credentials(), 'GET', path)).json['deadLetters'] as Record<
      string,
      unknown
    >[];
  }

  it('publishes every event once, as the S3 event message, with its event id as Nats-Msg-Id', async () => {
    const bucket = bucketName('nats');
    await notify(bucket, {
      QueueConfigurations: [
        { QueueArn: natsArn('workers'), Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'] },
      ],
    });
    const etags = new Map<string, string>();
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const key = `photos/${i}.jpg`;
        const put = await t.s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: `body ${i}` }),
        );
        etags.set(key, put.ETag!.replaceAll('"', ''));
      }),
    );
    await t.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'photos/0.jpg' }));

    const messages = await consume(workers.stream, 22);
    const test = JSON.parse(messages[0]!.string()) as Record<string, unknown>;
    expect(test).toMatchObject({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: bucket });

    const ids = messages.map((m) => m.headers?.get('Nats-Msg-Id'));
    expect(new Set(ids).size).toBe(22);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const records = messages.slice(1).map((m) => {
      const body = m.string();
      // The message as delivered to queues: S3's compact JSON, one record.
      expect(JSON.stringify(JSON.parse(body))).toBe(body);
      const { Records } = JSON.parse(body) as { Records: S3Record[] };
      expect(Records).toHaveLength(1);
      return Records[0]!;
    });
    const created = records.filter((r) => r.eventName === 'ObjectCreated:Put');
    expect(created.map((r) => r.s3.object.key).sort()).toEqual([...etags.keys()].sort());
    for (const r of created) {
      expect(r.s3.bucket.name).toBe(bucket);
      expect(r.s3.object.eTag).toBe(etags.get(r.s3.object.key));
      expect(r.s3.object.size).toBe(`body ${r.s3.object.key.match(/\d+/)![0]}`.length);
    }
    const removed = records.filter((r) => r.eventName === 'ObjectRemoved:Delete');
    expect(removed.map((r) => r.s3.object.key)).toEqual(['photos/0.jpg']);
    // Per key, in order: the deletion after the creation.
    const zero = records.filter((r) => r.s3.object.key === 'photos/0.jpg');
    expect(zero.map((r) => r.eventName)).toEqual(['ObjectCreated:Put', 'ObjectRemoved:Delete']);

    // Nothing more: each event was published once and the outbox is empty.
    await new Promise((r) => setTimeout(r, 300));
    const info = await (await nc.jetstreamManager()).streams.info(workers.stream);
    expect(info.state.messages).toBe(22);
    const outbox = await adminCall(t.url, credentials(), 'GET', '/_vigil/admin/outbox');
    const backlog = outbox.json['destinations'] as { destination: string }[];
    expect(backlog.filter((d) => d.destination === natsArn('workers'))).toEqual([]);
  });

  it('gives JetStream the very bytes a Vigil queue gets, in a stream Vigil created', async () => {
    const bucket = bucketName('nats-fanout');
    await notify(bucket, {
      TopicConfigurations: [
        { TopicArn: 'arn:aws:sns:us-east-1:000000000000:both', Events: ['s3:ObjectCreated:*'] },
      ],
    });
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a b/ü.png', Body: 'png' }));

    const published = (await consume(fanout.stream, 2)).map((m) => m.string());
    const sqs = new SQSClient({ endpoint: t.url, region: 'us-east-1', credentials: credentials() });
    try {
      const queued: string[] = [];
      await until(async () => {
        const got = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: `${t.url}/000000000000/mirror`,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
          }),
        );
        queued.push(...(got.Messages ?? []).map((m) => m.Body!));
        return queued.length >= 2 ? true : undefined;
      }, 20_000);
      expect(published).toEqual(queued);
      expect(published[1]).toContain('"key":"a+b/%C3%BC.png"');
    } finally {
      sqs.destroy();
    }
    const info = await (await nc.jetstreamManager()).streams.info(fanout.stream);
    expect(info.config).toMatchObject({ subjects: [fanout.subject], storage: 'memory' });
  });

  it('retries while no stream captures the subject, dead-letters, and redrives once it does', async () => {
    const bucket = bucketName('nats-nostream');
    await notify(bucket, {
      QueueConfigurations: [{ QueueArn: natsArn('unstreamed'), Events: ['s3:ObjectCreated:*'] }],
    });
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k1', Body: '1' }));
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k2', Body: '2' }));

    const letters = await until(async () => {
      const found = await deadLetters(natsArn('unstreamed'));
      return found.length === 3 ? found : undefined;
    }, 20_000);
    for (const letter of letters)
      expect(letter).toMatchObject({
        attempts: MAX_ATTEMPTS,
        lastError: `publish to ${unstreamed.subject}: no responders (no stream captures the subject, or JetStream is unavailable) (gave up after ${MAX_ATTEMPTS} attempts)`,
      });
    const metrics = await (await fetch(`${t.url}/_vigil/metrics`)).text();
    expect(metrics).toContain(
      `vigil_event_deliveries_total{destination="${natsArn('unstreamed')}",outcome="retried"} ${3 * (MAX_ATTEMPTS - 1)}`,
    );

    await (
      await nc.jetstreamManager()
    ).streams.add({
      name: unstreamed.stream,
      subjects: [unstreamed.subject],
    });
    const redriven = await adminCall(t.url, credentials(), 'POST', '/_vigil/admin/dlq/redrive', {
      destination: natsArn('unstreamed'),
    });
    expect(redriven.json).toEqual({ redriven: 3 });
    const messages = await consume(unstreamed.stream, 3);
    const keys = messages.map(
      (m) => (JSON.parse(m.string()) as { Records?: S3Record[] }).Records?.[0]?.s3.object.key,
    );
    expect(keys.sort()).toEqual(['k1', 'k2', undefined]);
    expect(await deadLetters(natsArn('unstreamed'))).toEqual([]);
  });

  it('retries while the NATS server refuses connections, then dead-letters', async () => {
    const bucket = bucketName('nats-down');
    await notify(bucket, {
      QueueConfigurations: [{ QueueArn: natsArn('unreachable'), Events: ['s3:ObjectCreated:*'] }],
    });
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'waiting', Body: 'x' }));
    const letters = await until(async () => {
      const found = await deadLetters(natsArn('unreachable'));
      return found.length === 2 ? found : undefined;
    }, 20_000);
    expect(letters.map((l) => [l['key'], l['attempts'], l['lastError']])).toEqual(
      expect.arrayContaining([
        [
          '',
          MAX_ATTEMPTS,
          `connect to NATS: CONNECTION_REFUSED (gave up after ${MAX_ATTEMPTS} attempts)`,
        ],
        [
          'waiting',
          MAX_ATTEMPTS,
          `connect to NATS: CONNECTION_REFUSED (gave up after ${MAX_ATTEMPTS} attempts)`,
        ],
      ]),
    );
  });

  it('refuses an undeclared NATS destination, as S3 refuses a missing queue', async () => {
    const bucket = bucketName('nats-missing');
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const error = await errorOf(
      t.s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: bucket,
          NotificationConfiguration: {
            QueueConfigurations: [{ QueueArn: natsArn('nobody'), Events: ['s3:ObjectCreated:*'] }],
          },
        }),
      ),
    );
    expect(error).toMatchObject({
      name: 'InvalidArgument',
      message: 'Unable to validate the following destination configurations',
      ArgumentName1: natsArn('nobody'),
      ArgumentValue1: 'The destination NATS JetStream subject does not exist',
    });
  });

  it('takes a NATS destination as an EventBridge rule target', async () => {
    const bucket = bucketName('nats-bus');
    await notify(bucket, { EventBridgeConfiguration: {} });
    const events = new EventBridgeClient({
      endpoint: t.url,
      region: 'us-east-1',
      credentials: credentials(),
      maxAttempts: 1,
    });
    try {
      await events.send(
        new PutRuleCommand({
          Name: `to-nats-${bucket}`.slice(0, 64),
          EventPattern: JSON.stringify({
            source: ['aws.s3'],
            detail: { bucket: { name: [bucket] } },
          }),
        }),
      );
      const targets = await events.send(
        new PutTargetsCommand({
          Rule: `to-nats-${bucket}`.slice(0, 64),
          Targets: [
            { Id: 'nats', Arn: natsArn('bus') },
            { Id: 'missing', Arn: natsArn('nobody') },
          ],
        }),
      );
      expect(targets.FailedEntries).toEqual([
        {
          TargetId: 'missing',
          ErrorCode: 'ValidationException',
          ErrorMessage: `The destination NATS JetStream subject does not exist: ${natsArn('nobody')}`,
        },
      ]);
    } finally {
      events.destroy();
    }
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'on-the-bus', Body: 'x' }));
    const [message] = await consume(bus.stream, 1);
    expect(JSON.parse(message!.string())).toMatchObject({
      source: 'aws.s3',
      'detail-type': 'Object Created',
      detail: { bucket: { name: bucket }, object: { key: 'on-the-bus' } },
    });
  });
});
