/**
 * The moderate-image handler end to end on a real Vigil: S3 events from a bucket
 * notification, the S3 and SQS adapters over the AWS SDK, the reporting database in the data
 * directory, and a Rekognition-protocol moderator on a loopback server.
 */
import {
  CreateBucketCommand,
  GetObjectTaggingCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  type Tag,
} from '@aws-sdk/client-s3';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketName, startTestVigil, type TestVigil } from '../../test/support/vigil.js';
import { SqliteReportStore, type TrackingRecord } from '../reporting/index.js';
import {
  startRekognitionServer,
  type RekognitionServer,
} from './adapters/rekognition-server.test-helper.js';
import { createHandler, pipelineFromEnvironment, type ModerateImageHandler } from './lambda.js';
import type { Outcome } from './moderate-image.js';
import type { ReviewMessage } from './review-message.js';

const REGION = 'us-east-1';
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:000000000000:function:moderate-image-under-test`;

let vigil: TestVigil;
let rekognition: RekognitionServer;
let sqs: SQSClient;
let reports: SqliteReportStore;
let handler: ModerateImageHandler;
let bucket: string;
const events: unknown[] = [];
/** What each invocation by Vigil returned. */
const results = new Map<unknown, Outcome[]>();
const logLines: string[] = [];

beforeAll(async () => {
  vigil = await startTestVigil({
    fsync: false,
    config: {
      queues: [{ name: 'moderation-review' }],
      delivery: { backoffBaseMs: 20, backoffMaxMs: 200, pollIntervalMs: 50 },
    },
  });
  const keys = { accessKeyId: vigil.accessKeyId, secretAccessKey: vigil.secretAccessKey };
  rekognition = await startRekognitionServer({
    ...keys,
    answer: ({ image }) =>
      image.toString().startsWith('flagged')
        ? {
            ModerationLabels: [
              { Confidence: 99, Name: 'Explicit', ParentName: '', TaxonomyLevel: 1 },
              { Confidence: 99, Name: 'Explicit Nudity', ParentName: 'Explicit', TaxonomyLevel: 2 },
            ],
            ModerationModelVersion: '7.0',
            ContentTypes: [],
          }
        : { ModerationLabels: [], ModerationModelVersion: '7.0', ContentTypes: [] },
  });
  const env = {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_ENDPOINT_URL: vigil.url,
    AWS_ENDPOINT_URL_REKOGNITION: rekognition.url,
    MODERATION_REPORTS_DB: join(vigil.dataDir, 'reports.db'),
    MODERATION_CLEAN_TAG: 'true',
  };
  handler = createHandler(
    () => pipelineFromEnvironment(env),
    (line) => logLines.push(line),
  );
  vigil.vigil.functions.register('moderate-image-under-test', async (event) => {
    events.push(event);
    const { outcomes } = await handler(event);
    results.set(event, outcomes);
  });
  sqs = new SQSClient({ endpoint: vigil.url, region: REGION, credentials: keys });
  reports = SqliteReportStore.open(join(vigil.dataDir, 'reports.db'));

  bucket = bucketName('moderated');
  await vigil.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await vigil.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            LambdaFunctionArn: FUNCTION_ARN,
            // Tagging events too: the pipeline must ignore its own.
            Events: ['s3:ObjectCreated:*', 's3:ObjectTagging:*'],
            Filter: {
              Key: {
                FilterRules: [
                  { Name: 'prefix', Value: 'content/images/' },
                  { Name: 'suffix', Value: '.jpg' },
                ],
              },
            },
          },
        ],
      },
    }),
  );
});

afterAll(async () => {
  await reports?.close();
  sqs?.destroy();
  await vigil?.stop();
  await rekognition?.close();
});

async function upload(key: string, body: string, tagging?: string): Promise<string> {
  await vigil.s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentType: 'image/jpeg',
      ...(tagging !== undefined ? { Tagging: tagging } : {}),
    }),
  );
  return createHash('md5').update(body).digest('hex');
}

async function tagsOf(key: string): Promise<Tag[]> {
  const { TagSet = [] } = await vigil.s3.send(
    new GetObjectTaggingCommand({ Bucket: bucket, Key: key }),
  );
  return TagSet;
}

/** The key's latest tracking record with this ETag (writes are identified by sequencer). */
async function recordOf(key: string, etag: string): Promise<TrackingRecord | undefined> {
  return (await reports.recordsFor(bucket, key)).filter((r) => r.etag === etag).at(-1);
}

async function eventually<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function receiveReviews(): Promise<ReviewMessage[]> {
  const QueueUrl = `${vigil.url}/000000000000/moderation-review`;
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  for (const m of Messages)
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle! }));
  return Messages.map((m) => JSON.parse(m.Body!) as ReviewMessage);
}

function createdEventFor(key: string): unknown {
  return events.find(
    (e) =>
      JSON.stringify(e).includes(`"eventName":"ObjectCreated:Put"`) &&
      JSON.stringify(e).includes(`"key":"${key}"`),
  );
}

describe('moderate-image on Vigil', () => {
  it('blocks a flagged upload: tags merged, review message, tracking record', async () => {
    const key = 'content/images/a b+c.jpg';
    const etag = await upload(key, 'flagged image', 'owner=ann');
    const record = await eventually(() => recordOf(key, etag), 'the record');
    expect(record).toMatchObject({
      decision: 'blocked',
      size: 13,
      contentType: 'image/jpeg',
      modelVersion: '7.0',
    });
    expect(await tagsOf(key)).toEqual([
      { Key: 'owner', Value: 'ann' },
      { Key: 'BlockedContent', Value: 'true' },
      { Key: 'ScanStatus', Value: 'blocked' },
    ]);
    const reviews = await eventually(async () => {
      const got = await receiveReviews();
      return got.length > 0 ? got : undefined;
    }, 'the review message');
    expect(reviews).toMatchObject([
      { bucket, key, etag, decision: 'blocked', modelVersion: '7.0' },
    ]);
    expect(rekognition.requests.at(-1)?.minConfidence).toBe(80);
  });

  it('tags a clean upload ScanStatus=clean and records it', async () => {
    const key = 'content/images/kitten.jpg';
    const etag = await upload(key, 'kitten');
    const record = await eventually(() => recordOf(key, etag), 'the record');
    expect(record.decision).toBe('clean');
    expect(await tagsOf(key)).toEqual([{ Key: 'ScanStatus', Value: 'clean' }]);
  });

  it('ignores its own tagging events, so it never re-triggers itself', async () => {
    const key = 'content/images/loop.jpg';
    const before = rekognition.requests.length;
    const etag = await upload(key, 'flagged again');
    await eventually(() => recordOf(key, etag), 'the record');
    const encoded = 'content/images/loop.jpg';
    const tagging = await eventually(
      () =>
        Promise.resolve(
          events.find((e) => {
            const text = JSON.stringify(e);
            return text.includes('"ObjectTagging:Put"') && text.includes(`"key":"${encoded}"`);
          }),
        ),
      'the tagging event',
    );
    const outcomes = await eventually(() => Promise.resolve(results.get(tagging)), 'its outcome');
    expect(outcomes).toEqual([
      { decision: 'ignored', reason: 'ObjectTagging:Put events are not moderated' },
    ]);
    expect(rekognition.requests.length).toBe(before + 1);
  });

  it('handles a redelivered event once: one record, one review message', async () => {
    const key = 'content/images/twice.jpg';
    const etag = await upload(key, 'flagged twice');
    await eventually(async () => {
      const record = await recordOf(key, etag);
      const item = record && (await reports.findReviewItem(record));
      return item?.messageSentAt ?? undefined;
    }, 'the review message sent');
    const event = await eventually(() => Promise.resolve(createdEventFor(key)), 'the event');
    const again = await handler(event);
    expect(again.outcomes).toMatchObject([
      { decision: 'blocked', redelivered: true, reviewMessageSent: false },
    ]);
    expect((await recordOf(key, etag))?.attempt).toBe(2);
    const reviews: ReviewMessage[] = [];
    for (let i = 0; i < 3; i++) reviews.push(...(await receiveReviews()));
    expect(reviews.filter((m) => m.key === key)).toHaveLength(1);
  });

  it('logs one JSON line per outcome', () => {
    const lines = logLines.map((l) => JSON.parse(l) as Outcome);
    expect(lines).toContainEqual(
      expect.objectContaining({ decision: 'blocked', key: 'content/images/a b+c.jpg', bucket }),
    );
    expect(lines.every((l) => !('labels' in l))).toBe(true);
  });
});

describe('pipelineFromEnvironment', () => {
  it.each<[Record<string, string>, string]>([
    [{ MODERATION_REPORTS_DB: '/tmp/r.db' }, 'AWS_REGION: expected the region'],
    [{ AWS_REGION: REGION }, 'MODERATION_REPORTS_DB: expected'],
    [
      { AWS_REGION: REGION, MODERATION_REPORTS_DB: '/tmp/r.db', MODERATION_CLEAN_TAG: 'on' },
      'MODERATION_CLEAN_TAG',
    ],
  ])('names what is missing or wrong: %o', async (env, message) => {
    await expect(pipelineFromEnvironment(env)).rejects.toThrow(message);
  });

  it('is retried by the handler after a failed setup', async () => {
    let calls = 0;
    const flaky = createHandler(() => {
      calls++;
      return calls === 1
        ? Promise.reject(new Error('not yet'))
        : pipelineFromEnvironment({
            AWS_REGION: REGION,
            AWS_ENDPOINT_URL: vigil.url,
            AWS_ACCESS_KEY_ID: vigil.accessKeyId,
            AWS_SECRET_ACCESS_KEY: vigil.secretAccessKey,
            MODERATION_REPORTS_DB: join(vigil.dataDir, 'reports.db'),
          });
    });
    await expect(flaky({ Records: [] })).rejects.toThrow('not yet');
    expect(await flaky({ Records: [] })).toEqual({ outcomes: [] });
    expect(await flaky({ Records: [] })).toEqual({ outcomes: [] });
    expect(calls).toBe(2);
  });
});
