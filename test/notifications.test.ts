import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  DeleteObjectTaggingCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareSequencers } from '../src/events/index.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const SECRET = 'webhook-secret-for-tests';
const queueArn = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
const webhookArn = (name: string) => `arn:vigil:webhook:${REGION}:${ACCOUNT}:${name}`;
const topicArn = (name: string) => `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;

interface S3Record {
  eventVersion: string;
  eventName: string;
  eventSource: string;
  awsRegion: string;
  eventTime: string;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: { 'x-amz-request-id': string; 'x-amz-id-2': string };
  s3: {
    configurationId: string;
    bucket: { name: string; arn: string };
    object: { key: string; size?: number; eTag?: string; sequencer?: string; versionId?: string };
  };
}

let t: TestVigil;
let sqs: SQSClient;
let hook: WebhookReceiver;
const invocations: unknown[] = [];

beforeAll(async () => {
  hook = await WebhookReceiver.start();
  t = await startTestVigil({
    config: {
      queues: [{ name: 'events' }, { name: 'fan-a' }, { name: 'fan-b' }, { name: 'ordered' }],
      webhooks: [{ name: 'hook', url: hook.url, secret: SECRET }],
      topics: [
        {
          name: 'uploads',
          subscriptions: [
            { endpoint: queueArn('fan-a') },
            { endpoint: queueArn('fan-b'), raw: true },
          ],
        },
      ],
      delivery: { backoffBaseMs: 20, backoffMaxMs: 200, pollIntervalMs: 50 },
    },
  });
  t.vigil.functions.register('on-upload', (event) => {
    invocations.push(event);
    return Promise.resolve();
  });
  sqs = new SQSClient({
    endpoint: t.url,
    region: REGION,
    credentials: { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey },
  });
});

afterAll(async () => {
  sqs?.destroy();
  await t?.stop();
  await hook?.stop();
});

/** Receives every message of a queue until `count` have arrived, deleting them. */
async function drain(queue: string, count: number, timeoutMs = 10_000): Promise<string[]> {
  const url = `${t.url}/${ACCOUNT}/${queue}`;
  const bodies: string[] = [];
  const deadline = Date.now() + timeoutMs;
  while (bodies.length < count) {
    if (Date.now() > deadline) throw new Error(`got ${bodies.length} of ${count} from ${queue}`);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    for (const m of Messages) {
      bodies.push(m.Body!);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
    }
  }
  return bodies;
}

async function expectQueueEmpty(queue: string): Promise<void> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: `${t.url}/${ACCOUNT}/${queue}`, WaitTimeSeconds: 0 }),
  );
  expect(Messages.map((m) => m.Body)).toEqual([]);
}

const recordsOf = (bodies: string[]): S3Record[] =>
  bodies.flatMap((b) => (JSON.parse(b) as { Records?: S3Record[] }).Records ?? []);

describe('S3 event notifications, end to end', () => {
  it('sends s3:TestEvent to a new queue, then the events a filtered configuration matches', async () => {
    const bucket = bucketName('events');
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const put = await t.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              Id: 'jpg-uploads',
              QueueArn: queueArn('events'),
              Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*', 's3:ObjectTagging:*'],
              Filter: {
                Key: {
                  FilterRules: [
                    { Name: 'prefix', Value: 'uploads/' },
                    { Name: 'suffix', Value: '.jpg' },
                  ],
                },
              },
            },
          ],
        },
      }),
    );
    const [test] = await drain('events', 1);
    expect(JSON.parse(test!)).toEqual({
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
      Bucket: bucket,
      RequestId: put.$metadata.requestId,
      HostId: put.$metadata.extendedRequestId,
    });

    const key = 'uploads/red flower+1.jpg';
    const body = Buffer.from('not really a jpeg');
    const created = await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'uploads/a.png', Body: 'x' }));
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'other/b.jpg', Body: 'x' }));
    const [record] = recordsOf(await drain('events', 1));
    expect(record).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: REGION,
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: t.accessKeyId },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: {
        'x-amz-request-id': created.$metadata.requestId,
        'x-amz-id-2': created.$metadata.extendedRequestId,
      },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'jpg-uploads',
        bucket: {
          name: bucket,
          ownerIdentity: { principalId: ACCOUNT },
          arn: `arn:aws:s3:::${bucket}`,
        },
        object: {
          key: 'uploads/red+flower%2B1.jpg',
          size: body.length,
          eTag: created.ETag!.replaceAll('"', ''),
        },
      },
    });
    expect(record!.s3.object.sequencer).toMatch(/^[0-9A-F]+$/);
    expect(record!.s3.object).not.toHaveProperty('versionId');
    await expectQueueEmpty('events');
  });

  it('emits Copy, CompleteMultipartUpload, Tagging and Delete events with the fields AWS sends', async () => {
    const bucket = bucketName('kinds');
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await t.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              Id: 'everything',
              QueueArn: queueArn('events'),
              Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*', 's3:ObjectTagging:*'],
            },
          ],
        },
      }),
    );
    await drain('events', 1); // the TestEvent
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a', Body: 'hello' }));
    await t.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'b', CopySource: `${bucket}/a` }));
    const upload = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'm' }));
    const part = await t.s3.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: 'm',
        UploadId: upload.UploadId,
        PartNumber: 1,
        Body: 'part',
      }),
    );
    await t.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'm',
        UploadId: upload.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    await t.s3.send(
      new PutObjectTaggingCommand({
        Bucket: bucket,
        Key: 'a',
        Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] },
      }),
    );
    await t.s3.send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key: 'a' }));
    await t.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'b' }));
    await t.s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: [{ Key: 'a' }, { Key: 'never-existed' }] },
      }),
    );
    const records = recordsOf(await drain('events', 8));
    const byName = (name: string, key: string) =>
      records.find((r) => r.eventName === name && r.s3.object.key === key)!;

    expect(byName('ObjectCreated:Copy', 'b').s3.object).toMatchObject({ size: 5 });
    const complete = byName('ObjectCreated:CompleteMultipartUpload', 'm');
    expect(complete.s3.object.eTag).toMatch(/^[0-9a-f]{32}-1$/);
    expect(complete.s3.object.size).toBe(4);
    for (const name of ['ObjectTagging:Put', 'ObjectTagging:Delete']) {
      const tagging = byName(name, 'a');
      expect(tagging.eventVersion).toBe('2.3');
      expect(Object.keys(tagging.s3.object).sort()).toEqual(['eTag', 'key']);
    }
    for (const key of ['b', 'a', 'never-existed']) {
      const removed = byName('ObjectRemoved:Delete', key);
      expect(Object.keys(removed.s3.object).sort()).toEqual(['key', 'sequencer']);
    }
    // Sequencers of one key's PUT and DELETE increase under S3's comparison rule.
    const put = records.find(
      (r) => r.eventName === 'ObjectCreated:Put' && r.s3.object.key === 'a',
    )!;
    expect(
      compareSequencers(
        put.s3.object.sequencer!,
        byName('ObjectRemoved:Delete', 'a').s3.object.sequencer!,
      ),
    ).toBe(-1);
  });

  it('emits ObjectCreated:Post for a browser form upload', async () => {
    const bucket = bucketName('post');
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await t.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          QueueConfigurations: [
            { QueueArn: queueArn('events'), Events: ['s3:ObjectCreated:Post'] },
          ],
        },
      }),
    );
    await drain('events', 1); // the TestEvent
    const { url, fields } = await createPresignedPost(t.s3, {
      Bucket: bucket,
      Key: 'form/${filename}',
    });
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob(['posted bytes']), 'photo one.jpg');
    const posted = await fetch(url, { method: 'POST', body: form });
    expect(posted.status).toBe(204);
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'form/put.jpg', Body: 'x' }));
    const [record] = recordsOf(await drain('events', 1));
    expect(record).toMatchObject({
      eventName: 'ObjectCreated:Post',
      responseElements: { 'x-amz-request-id': posted.headers.get('x-amz-request-id') },
      s3: { object: { key: 'form/photo+one.jpg', size: 12 } },
    });
    await expectQueueEmpty('events'); // the PUT matched nothing
  });

  it('POSTs events to a webhook with an HMAC signature, in sequencer order per key', async () => {
    const bucket = bucketName('hook');
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const before = hook.received.length;
    await t.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          QueueConfigurations: [{ QueueArn: webhookArn('hook'), Events: ['s3:ObjectCreated:Put'] }],
        },
      }),
    );
    for (let i = 0; i < 20; i++)
      await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'same-key', Body: String(i) }));
    const received = (await hook.waitFor(before + 21)).slice(before);
    for (const r of received) {
      const expected = `sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`;
      expect(r.headers['x-vigil-signature']).toBe(expected);
      expect(r.headers['content-type']).toBe('application/json');
    }
    expect(JSON.parse(received[0]!.body)).toMatchObject({ Event: 's3:TestEvent', Bucket: bucket });
    const records = recordsOf(received.slice(1).map((r) => r.body));
    const sizes = records.map((r) => r.s3.object.size);
    expect(sizes).toEqual(Array.from({ length: 20 }, (_, i) => String(i).length));
    const sequencers = records.map((r) => r.s3.object.sequencer!);
    for (let i = 1; i < sequencers.length; i++)
      expect(compareSequencers(sequencers[i - 1]!, sequencers[i]!)).toBe(-1);
  });

  it('gives every webhook delivery its own X-Vigil-Event-Id, even when the outbox empties in between', async () => {
    const bucket = bucketName('hook-ids');
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const start = hook.received.length;
    await t.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          QueueConfigurations: [{ QueueArn: webhookArn('hook'), Events: ['s3:ObjectCreated:*'] }],
        },
      }),
    );
    // Each upload is delivered (its outbox row deleted) before the next one is made.
    for (let i = 1; i <= 3; i++) {
      await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `k${i}`, Body: 'x' }));
      await hook.waitFor(start + 1 + i);
    }
    const ids = hook.received.slice(start).map((r) => r.headers['x-vigil-event-id']);
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
  });

  it('fans a topic out to two queues: one in the SNS envelope, one raw', async () => {
    const bucket = bucketName('topic');
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await t.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          TopicConfigurations: [
            { Id: 'to-topic', TopicArn: topicArn('uploads'), Events: ['s3:ObjectCreated:*'] },
          ],
        },
      }),
    );
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'photo.jpg', Body: 'x' }));
    const [testEnvelope, eventEnvelope] = (await drain('fan-a', 2)).map(
      (b) => JSON.parse(b) as Record<string, string>,
    );
    expect(JSON.parse(testEnvelope!['Message']!)).toMatchObject({ Event: 's3:TestEvent' });
    expect(eventEnvelope).toMatchObject({
      Type: 'Notification',
      TopicArn: topicArn('uploads'),
      Subject: 'Amazon S3 Notification',
      SignatureVersion: '1',
    });
    expect(eventEnvelope!['MessageId']).toMatch(/^[0-9a-f-]{36}$/);
    expect(eventEnvelope!['Timestamp']).toMatch(/Z$/);
    const [fromEnvelope] = recordsOf([eventEnvelope!['Message']!]);
    expect(fromEnvelope).toMatchObject({
      eventName: 'ObjectCreated:Put',
      s3: { configurationId: 'to-topic', object: { key: 'photo.jpg' } },
    });
    const raw = await drain('fan-b', 2);
    expect(recordsOf(raw)[0]).toEqual(fromEnvelope);
  });

  it('invokes a function with the S3 event', async () => {
    const bucket = bucketName('lambda');
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await t.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          LambdaFunctionConfigurations: [
            {
              LambdaFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:on-upload`,
              Events: ['s3:ObjectCreated:*'],
            },
          ],
        },
      }),
    );
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'x.jpg', Body: 'x' }));
    const deadline = Date.now() + 5000;
    while (invocations.length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    expect(recordsOf(invocations.map((e) => JSON.stringify(e)))[0]).toMatchObject({
      eventName: 'ObjectCreated:Put',
      s3: { bucket: { name: bucket }, object: { key: 'x.jpg' } },
    });
  });

  it('counts events and deliveries per destination at /_vigil/metrics', async () => {
    const res = await fetch(`${t.url}/_vigil/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain(
      `vigil_event_deliveries_total{destination="${webhookArn('hook')}",outcome="delivered"}`,
    );
    expect(text).toMatch(
      /vigil_events_emitted_total\{destination="arn:aws:sqs:[^"]+:events"\} \d+/,
    );
    expect(text).toContain('vigil_event_delivery_latency_seconds_bucket');
    expect(text).toContain('vigil_outbox_backlog');
  });
});
