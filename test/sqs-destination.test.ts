/**
 * Vigil's outbox sending to an SQS queue of another AWS account. The "real AWS" is a second
 * Vigil's SQS API on loopback: the same JSON wire protocol, SigV4 and errors, reached with
 * the credentials of the second Vigil from the first one's config file. Events arrive once
 * each as the S3 event message; a missing queue dead-letters at once and is redriven once
 * the queue exists; an endpoint that refuses connections is retried, then dead-lettered.
 */
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCall } from './support/admin.js';
import { closedPort } from './support/nats.js';
import { until } from './support/until.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

const REMOTE = 'arn:aws:sqs:us-east-1:111122223333:remote';
const GONE = 'arn:aws:sqs:us-east-1:111122223333:gone';
const DOWN = 'arn:aws:sqs:us-east-1:111122223333:down';
const MAX_ATTEMPTS = 3;

let aws: TestVigil; // plays AWS: its queues are the other account's
let t: TestVigil;
let sqs: SQSClient;

beforeAll(async () => {
  aws = await startTestVigil({ config: { queues: [{ name: 'remote' }], seed: false } });
  const account = { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey };
  const down = `http://127.0.0.1:${await closedPort()}`;
  t = await startTestVigil({
    config: {
      sqs: {
        queues: [
          { arn: REMOTE, url: `${aws.url}/000000000000/remote`, endpoint: aws.url, ...account },
          { arn: GONE, url: `${aws.url}/000000000000/gone`, endpoint: aws.url, ...account },
          { arn: DOWN, endpoint: down, ...account, timeoutMs: 1000 },
        ],
      },
      delivery: {
        backoffBaseMs: 20,
        backoffMaxMs: 100,
        pollIntervalMs: 50,
        maxAttempts: MAX_ATTEMPTS,
      },
      seed: false,
    },
  });
  sqs = new SQSClient({ endpoint: aws.url, region: 'us-east-1', credentials: account });
});

afterAll(async () => {
  sqs?.destroy();
  await t?.stop();
  await aws?.stop();
});

const credentials = () => ({ accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey });

async function notify(bucket: string, queueArn: string): Promise<void> {
  await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await t.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: [{ QueueArn: queueArn, Events: ['s3:ObjectCreated:*'] }],
      },
    }),
  );
}

/** Receives (and deletes) until `count` messages came from the queue, then 300 ms more. */
async function drain(queue: string, count: number): Promise<Message[]> {
  const got: Message[] = [];
  const receive = async () => {
    const answer = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: `${aws.url}/000000000000/${queue}`,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    for (const m of answer.Messages ?? []) {
      got.push(m);
      await sqs.send(
        new DeleteMessageCommand({
          QueueUrl: `${aws.url}/000000000000/${queue}`,
          ReceiptHandle: m.ReceiptHandle,
        }),
      );
    }
  };
  await until(async () => {
    await receive();
    return got.length >= count ? true : undefined;
  }, 20_000);
  await new Promise((r) => setTimeout(r, 300));
  await receive();
  return got;
}

async function deadLetters(destination: string): Promise<Record<string, unknown>[]> {
  const path = `/_vigil/admin/dlq?destination=${encodeURIComponent(destination)}`;
  return (await adminCall(t.url, credentials(), 'GET', path)).json['deadLetters'] as Record<
    string,
    unknown
  >[];
}

describe('SQS queues of another account', () => {
  it('sends every event once, as the S3 event message, to the other account’s queue', async () => {
    const bucket = bucketName('sqs-out');
    await notify(bucket, REMOTE);
    const keys = Array.from({ length: 10 }, (_, i) => `in/${i}.txt`);
    await Promise.all(
      keys.map((Key) => t.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key }))),
    );

    const messages = await drain('remote', 11);
    expect(messages).toHaveLength(11);
    const bodies = messages.map((m) => JSON.parse(m.Body!) as Record<string, unknown>);
    expect(bodies.filter((b) => b['Event'] === 's3:TestEvent')).toEqual([
      expect.objectContaining({ Service: 'Amazon S3', Bucket: bucket }),
    ]);
    const records = bodies.flatMap(
      (b) =>
        (b['Records'] as { eventName: string; s3: { object: { key: string } } }[] | undefined) ??
        [],
    );
    expect(records.map((r) => r.s3.object.key).sort()).toEqual([...keys].sort());
    expect(new Set(records.map((r) => r.eventName))).toEqual(new Set(['ObjectCreated:Put']));
    for (const m of messages) expect(JSON.stringify(JSON.parse(m.Body!))).toBe(m.Body);
    const ids = messages.map((m) => m.MessageAttributes?.['VigilEventId']?.StringValue);
    expect(new Set(ids).size).toBe(11);
  });

  it('dead-letters at once when the queue does not exist, and redrives once it does', async () => {
    const bucket = bucketName('sqs-gone');
    await notify(bucket, GONE);
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'lost-and-found', Body: 'x' }));

    const letters = await until(async () => {
      const found = await deadLetters(GONE);
      return found.length === 2 ? found : undefined;
    }, 20_000);
    for (const letter of letters)
      expect(letter).toMatchObject({
        attempts: 1,
        lastError: `SendMessage to ${aws.url}/000000000000/gone failed: QueueDoesNotExist (AWS.SimpleQueueService.NonExistentQueue, 400): The specified queue does not exist.`,
      });

    await sqs.send(new CreateQueueCommand({ QueueName: 'gone' }));
    const redriven = await adminCall(t.url, credentials(), 'POST', '/_vigil/admin/dlq/redrive', {
      destination: GONE,
    });
    expect(redriven.json).toEqual({ redriven: 2 });
    const messages = await drain('gone', 2);
    expect(messages.map((m) => m.Body!).find((b) => b.includes('lost-and-found'))).toBeDefined();
    expect(messages).toHaveLength(2);
  });

  it('retries while the endpoint refuses connections, then dead-letters', async () => {
    const bucket = bucketName('sqs-down');
    await notify(bucket, DOWN);
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'waiting', Body: 'x' }));
    const letters = await until(async () => {
      const found = await deadLetters(DOWN);
      return found.length === 2 ? found : undefined;
    }, 20_000);
    for (const letter of letters)
      expect(letter).toMatchObject({
        attempts: MAX_ATTEMPTS,
        lastError: expect.stringMatching(
          new RegExp(`failed: ECONNREFUSED: .*\\(gave up after ${MAX_ATTEMPTS} attempts\\)$`),
        ) as unknown,
      });
  });

  it('refuses an undeclared queue of another account, as S3 refuses a missing queue', async () => {
    const bucket = bucketName('sqs-undeclared');
    const missing = 'arn:aws:sqs:us-east-1:111122223333:undeclared';
    await expect(notify(bucket, missing)).rejects.toMatchObject({
      name: 'InvalidArgument',
      ArgumentName1: missing,
      ArgumentValue1: 'The destination queue does not exist',
    });
  });

  it('takes a declared queue of another account as an EventBridge rule target', async () => {
    const events = new EventBridgeClient({
      endpoint: t.url,
      region: 'us-east-1',
      credentials: credentials(),
      maxAttempts: 1,
    });
    try {
      await events.send(
        new PutRuleCommand({ Name: 'to-remote', EventPattern: '{"source":["aws.s3"]}' }),
      );
      const put = await events.send(
        new PutTargetsCommand({
          Rule: 'to-remote',
          Targets: [
            { Id: 'remote', Arn: REMOTE },
            { Id: 'undeclared', Arn: 'arn:aws:sqs:us-east-1:111122223333:undeclared' },
          ],
        }),
      );
      expect(put.FailedEntries).toEqual([
        {
          TargetId: 'undeclared',
          ErrorCode: 'ValidationException',
          ErrorMessage:
            'The destination queue does not exist: arn:aws:sqs:us-east-1:111122223333:undeclared',
        },
      ]);
    } finally {
      events.destroy();
    }
  });
});
