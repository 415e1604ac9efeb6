/**
 * The CDK app's deployment package (deploy/cdk/bundle.ts), run as Lambda runs it — a fresh
 * Node process per invocation, from the package's directory alone, configured by the
 * environment the stack sets — against a real Vigil (S3, SQS), a Rekognition-protocol
 * server and PostgreSQL. Skipped where PostgreSQL is absent; required in CI.
 */
import {
  CreateBucketCommand,
  GetObjectTaggingCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleModerateImage } from '../deploy/cdk/bundle.js';
import { REPORTS_URL_ENV } from '../deploy/cdk/stack.js';
import {
  startRekognitionServer,
  type RekognitionServer,
} from '../src/pipeline/adapters/rekognition-server.test-helper.js';
import type { ReviewMessage } from '../src/pipeline/review-message.js';
import { TestSchemas, postgresUrl, probePostgres } from './support/postgres.js';
import { until } from './support/until.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

const REGION = 'us-east-1';
const FUNCTION = 'moderate-image-package';
const postgres = await probePostgres();
const schemas = new TestSchemas();

if (!postgres.reachable && postgres.required)
  it('reaches PostgreSQL', () => {
    throw new Error(postgres.message);
  });

describe.skipIf(!postgres.reachable)('the deployment package, invoked as Lambda would', () => {
  let work: string;
  let vigil: TestVigil;
  let rekognition: RekognitionServer;
  let sqs: SQSClient;
  let schema: string;
  let environment: Record<string, string>;
  let bucket: string;
  const events: unknown[] = [];
  let queueUrl: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'vigil-cdk-package-'));
    vigil = await startTestVigil({
      fsync: false,
      config: { queues: [{ name: 'moderation-review' }] },
    });
    const keys = { accessKeyId: vigil.accessKeyId, secretAccessKey: vigil.secretAccessKey };
    rekognition = await startRekognitionServer({
      ...keys,
      answer: () => ({
        ModerationLabels: [
          { Confidence: 99, Name: 'Explicit', ParentName: '', TaxonomyLevel: 1 },
          { Confidence: 99, Name: 'Explicit Nudity', ParentName: 'Explicit', TaxonomyLevel: 2 },
        ],
        ModerationModelVersion: '7.0',
        ContentTypes: [],
      }),
    });
    sqs = new SQSClient({ endpoint: vigil.url, region: REGION, credentials: keys });
    schema = schemas.fresh();
    await schemas.sql('public', `CREATE SCHEMA "${schema}"`);
    const reportsUrl = new URL(postgresUrl());
    reportsUrl.searchParams.set('options', `-c search_path=${schema}`);
    queueUrl = `${vigil.url}/000000000000/moderation-review`;
    // What the stack sets (the settings at their defaults: image memory on), plus what
    // Lambda provides (region, the role's credentials), plus the endpoints that stand in
    // for AWS here.
    environment = {
      PATH: process.env['PATH'] ?? '',
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      AWS_ENDPOINT_URL: vigil.url,
      AWS_ENDPOINT_URL_REKOGNITION: rekognition.url,
      MODERATION_REVIEW_QUEUE: queueUrl,
      [REPORTS_URL_ENV]: reportsUrl.toString(),
    };
    await bundleModerateImage(join(work, 'package'), { imageMemory: true });

    bucket = bucketName('package');
    vigil.vigil.functions.register(FUNCTION, (event) => {
      events.push(event);
      return Promise.resolve();
    });
    await vigil.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await vigil.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          LambdaFunctionConfigurations: [
            {
              LambdaFunctionArn: `arn:aws:lambda:${REGION}:000000000000:function:${FUNCTION}`,
              Events: ['s3:ObjectCreated:*'],
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
    sqs?.destroy();
    await vigil?.stop();
    await rekognition?.close();
    await schemas.dropAll();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** One cold start: a fresh process loads index.js and runs `handler(event)`. */
  async function invoke(event: unknown): Promise<{ decision: string; reason?: string }[]> {
    const script = `
      const { handler } = require('./index.js');
      handler(JSON.parse(process.argv[1])).then(
        ({ outcomes }) => { process.stdout.write('RESULT ' + JSON.stringify(outcomes) + '\\n'); process.exit(0); },
        (error) => { console.error(error); process.exit(1); },
      );`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-e', script, JSON.stringify(event)],
      { cwd: join(work, 'package'), env: environment },
    );
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
    return JSON.parse(line!.slice('RESULT '.length)) as { decision: string; reason?: string }[];
  }

  async function upload(key: string, body: Buffer): Promise<unknown> {
    const before = events.length;
    await vigil.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'image/jpeg' }),
    );
    return until(() => Promise.resolve(events[before]), 10_000);
  }

  it('judges, tags, records in PostgreSQL and queues for review; sharp hashes from the package', async () => {
    const image = await readFile(new URL('./fixtures/images/clean-shapes.jpg', import.meta.url));
    const first = await invoke(await upload('content/images/one.jpg', image));
    expect(first).toMatchObject([{ decision: 'blocked' }]);
    expect(rekognition.requests).toHaveLength(1);
    const { TagSet } = await vigil.s3.send(
      new GetObjectTaggingCommand({ Bucket: bucket, Key: 'content/images/one.jpg' }),
    );
    expect(TagSet).toEqual([{ Key: 'BlockedContent', Value: 'true' }]);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    expect(Messages.map((m) => JSON.parse(m.Body!) as ReviewMessage)).toMatchObject([
      { bucket, key: 'content/images/one.jpg', decision: 'blocked', modelVersion: '7.0' },
    ]);
    for (const m of Messages)
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }),
      );
    const records = await schemas.sql(
      schema,
      'SELECT t.decision, m.bucket IS NOT NULL AS remembered FROM tracking_records t LEFT JOIN image_memory m USING (bucket, key, write_id) WHERE t.bucket = $1',
      [bucket],
    );
    expect(records.rows).toEqual([{ decision: 'blocked', remembered: true }]);

    // The same picture under another key: recalled by its hash, without the moderator.
    const second = await invoke(await upload('content/images/copy.jpg', image));
    expect(second).toMatchObject([{ decision: 'blocked' }]);
    expect(second[0]!.reason).toContain('remembered: looks like');
    expect(rekognition.requests).toHaveLength(1);
  });
});
