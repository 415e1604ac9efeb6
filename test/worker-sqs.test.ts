/**
 * `vigil worker` processes taking S3 events from an SQS queue — here a Vigil queue, reached
 * through the SQS API as Amazon SQS would be: the store's bucket sends its events to the
 * queue, three workers share it (visibility timeout, extended while an image is judged) for
 * 600 uploads, one is
 * killed with SIGKILL mid-run and another started; every upload is judged once, and a message
 * no worker can read goes to the dead-letter queue with its reason. Needs PostgreSQL.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand } from '@aws-sdk/client-s3';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probePostgres, TestSchemas } from './support/postgres.js';
import { until } from './support/until.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';
import {
  expectEveryUploadJudgedOnce,
  startWorkerProcess,
  uploadThroughWorkerTurnover,
} from './support/workers.js';

const postgres = await probePostgres();

const ROUNDS = 150; // 600 uploads: 300 of weapons, 300 clean
const KILL_AT = 200;

describe('vigil worker on SQS', () => {
  if (!postgres.reachable) {
    if (postgres.required)
      it('reaches PostgreSQL', () => {
        throw new Error(postgres.message);
      });
    else it.skip('needs PostgreSQL', () => {});
    return;
  }
  const schemas = new TestSchemas();
  const schema = schemas.fresh();
  const Bucket = bucketName('sqs-workers');
  let t: TestVigil;
  let sqs: SQSClient;
  let work: string;
  let configFile: string;
  const workers: ChildProcess[] = [];
  const queueUrl = (name: string) => `${t.url}/000000000000/${name}`;

  beforeAll(async () => {
    t = await startTestVigil({
      fsync: false,
      config: {
        seed: false,
        queues: [{ name: 'sqs-events' }, { name: 'sqs-dead' }, { name: 'sqs-review' }],
      },
    });
    sqs = new SQSClient({
      endpoint: t.url,
      region: 'us-east-1',
      credentials: { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey },
    });
    await t.s3.send(new CreateBucketCommand({ Bucket }));
    await t.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket,
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              QueueArn: 'arn:aws:sqs:us-east-1:000000000000:sqs-events',
              Events: ['s3:ObjectCreated:*'],
            },
          ],
        },
      }),
    );
    work = await mkdtemp(join(tmpdir(), 'vigil-sqs-workers-'));
    configFile = join(work, 'worker.json');
    await writeFile(
      configFile,
      JSON.stringify({
        reporting: { url: postgres.url, schema },
        pipeline: { reviewQueue: queueUrl('sqs-review') },
        worker: {
          source: {
            type: 'sqs',
            queueUrl: queueUrl('sqs-events'),
            // Long enough that a loaded machine's late extension does not hand a slow image to
            // a second worker; a SIGKILLed worker's messages come back after it.
            visibilitySeconds: 15,
            maxReceives: 5,
            deadLetterQueueUrl: queueUrl('sqs-dead'),
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
    sqs?.destroy();
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
    // Nothing waits forever: the queue holds no message, visible or held by a worker.
    await until(async () => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl('sqs-events'),
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return Attributes['ApproximateNumberOfMessages'] === '0' &&
        Attributes['ApproximateNumberOfMessagesNotVisible'] === '0'
        ? true
        : undefined;
    }, 120_000);
  }, 300_000);

  it('sends a message no worker can read to the dead-letter queue, with the reason', async () => {
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl('sqs-events'), MessageBody: 'not an event' }),
    );
    const letters: { body: string; reason: string | undefined }[] = [];
    await until(async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl('sqs-dead'),
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ['All'],
        }),
      );
      for (const m of Messages)
        letters.push({
          body: (m.Body ?? '').slice(0, 200),
          reason: m.MessageAttributes?.['VigilDeadLetterReason']?.StringValue,
        });
      return letters.some((l) => l.body === 'not an event') ? true : undefined;
    }, 30_000);
    // Only the unreadable message: an upload's event here would mean a worker gave one up
    // (the reasons are in the failure message).
    expect(letters).toEqual([
      { body: 'not an event', reason: expect.stringMatching(/JSON/i) as unknown },
    ]);
  });
});
