/**
 * Handlers written for the AWS SDK for JavaScript v2, which ignores `AWS_ENDPOINT_URL`, reach
 * Vigil unchanged: the AWS sample's moderation function (CommonJS, `require('aws-sdk')`)
 * tags a weapon photo and leaves a clean one alone, and an ES-module handler's S3 and SQS
 * calls land on Vigil while a client given its own endpoint keeps it.
 */
import {
  CreateBucketCommand,
  GetObjectTaggingCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';
import { until } from './support/until.js';

const fixture = (name: string) =>
  fileURLToPath(new URL(`./fixtures/functions/${name}`, import.meta.url));
const photo = (name: string) => readFile(new URL(`./fixtures/photos/${name}`, import.meta.url));
const lambdaArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

let t: TestVigil;
let sqs: SQSClient;
/** A stand-in S3 endpoint of the handler's own choosing: it records what reaches it. */
let own: Server;
const ownRequests: Pick<IncomingMessage, 'method' | 'url'>[] = [];

beforeAll(async () => {
  own = createServer((req, res) => {
    ownRequests.push({ method: req.method, url: req.url });
    res.writeHead(200, { ETag: '"own-endpoint"', 'Content-Length': '0' }).end();
  });
  await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
  const ownUrl = `http://127.0.0.1:${(own.address() as AddressInfo).port}`;
  t = await startTestVigil({
    config: {
      seed: false,
      moderation: { workers: 1 },
      queues: [{ name: 'v2-messages' }],
      functions: [
        {
          name: 'seed-v2',
          module: fixture('seed-v2/index.js'),
          timeoutSeconds: 30,
          maximumRetryAttempts: 0,
        },
        {
          name: 'v2-calls',
          module: fixture('sdk-v2-calls.mjs'),
          timeoutSeconds: 10,
          maximumRetryAttempts: 0,
          environment: { QUEUE_NAME: 'v2-messages', OWN_ENDPOINT: ownUrl },
        },
      ],
    },
  });
  sqs = new SQSClient({
    endpoint: t.url,
    region: 'us-east-1',
    credentials: { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey },
  });
});

afterAll(async () => {
  sqs?.destroy();
  await t?.stop();
  await new Promise((resolve) => own?.close(resolve));
});

async function notify(bucket: string, functionName: string): Promise<void> {
  await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await t.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          { LambdaFunctionArn: lambdaArn(functionName), Events: ['s3:ObjectCreated:*'] },
        ],
      },
    }),
  );
}

/** The finished invocation of `functionName` about `key`, with its log lines. */
function finished(functionName: string, key: string) {
  return until(() =>
    Promise.resolve(
      t.vigil.runtime
        .recentInvocations(functionName, 50)
        .find((i) => (i.state === 'succeeded' || i.state === 'failed') && i.payload.includes(key)),
    ),
  );
}

describe('a handler written for the AWS SDK v2', () => {
  it('runs the AWS sample moderation function unchanged: a weapon photo is tagged, a clean one is not', async () => {
    const bucket = bucketName('v2-seed');
    await notify(bucket, 'seed-v2');
    await t.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'uploads/pistol.jpg',
        Body: await photo('pistol_walther_pdp.jpg'),
      }),
    );
    await t.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'uploads/cat.jpg',
        Body: await photo('clean_cat_chelsea_skimage.jpg'),
      }),
    );

    const flagged = await finished('seed-v2', 'uploads/pistol.jpg');
    expect(flagged.state, JSON.stringify(flagged.attemptLog)).toBe('succeeded');
    expect(flagged.attemptLog[0]?.logs).toContain('"labels":["Weapons","Violence"]');
    const clean = await finished('seed-v2', 'uploads/cat.jpg');
    expect(clean.state, JSON.stringify(clean.attemptLog)).toBe('succeeded');
    expect(clean.attemptLog[0]?.logs).toContain('"labels":[]');

    const tags = async (Key: string) =>
      (await t.s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key }))).TagSet;
    expect(await tags('uploads/pistol.jpg')).toEqual([{ Key: 'BlockedContent', Value: 'true' }]);
    expect(await tags('uploads/cat.jpg')).toEqual([]);
  });

  it('sends S3 and SQS calls of an ES-module handler to Vigil; a client with its own endpoint keeps it', async () => {
    const bucket = bucketName('v2-calls');
    await notify(bucket, 'v2-calls');
    const body = Buffer.from('hello from a v2 handler');
    await t.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'a b.txt', Body: body, Tagging: 'owner=ann' }),
    );

    const invocation = await finished('v2-calls', 'a+b.txt');
    expect(invocation.state, JSON.stringify(invocation.attemptLog)).toBe('succeeded');
    const line = invocation.attemptLog[0]!.logs.split('\n').find((l) => l.includes('"endpoint"'));
    const seen = JSON.parse(line!.slice(line!.indexOf('{'))) as Record<string, unknown>;
    expect(seen).toMatchObject({
      endpoint: `${t.url}/`,
      contentLength: body.length,
      bodyLength: body.length,
      tags: [
        { Key: 'owner', Value: 'ann' },
        { Key: 'SeenBy', Value: 'sdk-v2' },
      ],
      queueUrl: `${t.url}/000000000000/v2-messages`,
      ownETag: '"own-endpoint"',
    });
    expect(ownRequests).toEqual([{ method: 'HEAD', url: `/${bucket}/a%20b.txt` }]);

    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: `${t.url}/000000000000/v2-messages`,
        WaitTimeSeconds: 2,
      }),
    );
    expect(Messages.map((m) => m.Body)).toEqual(['v2 saw a b.txt']);
    expect(Messages[0]?.MessageId).toBe(seen['messageId']);
  });
});
