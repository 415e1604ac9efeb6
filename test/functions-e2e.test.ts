/**
 * Functions declared in the config file, triggered by S3 events through the outbox: a
 * handler written for AWS (AWS SDK, configured by the environment) runs unchanged, its logs
 * read like Lambda's, and a function that writes back under its own trigger is stopped by
 * the recursion guard after 16 invocations.
 */
import {
  CreateBucketCommand,
  GetObjectTaggingCommand,
  ListObjectsV2Command,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCall } from './support/admin.js';
import { VIGIL_BIN } from './support/child.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';
import { until } from './support/until.js';

const run = promisify(execFile);
const fixture = (name: string) =>
  fileURLToPath(new URL(`./fixtures/functions/${name}`, import.meta.url));
const lambdaArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

let t: TestVigil;
let sqs: SQSClient;

beforeAll(async () => {
  t = await startTestVigil({
    config: {
      queues: [{ name: 'function-failures' }],
      functions: [
        { name: 'tagger', module: fixture('tag-object.mjs'), timeoutSeconds: 10 },
        {
          name: 'looper',
          module: fixture('copy-loop.mjs'),
          timeoutSeconds: 10,
          maximumRetryAttempts: 0,
          onFailure: 'function-failures',
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
});

async function notify(bucket: string, functionName: string, prefix: string): Promise<void> {
  await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await t.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            LambdaFunctionArn: lambdaArn(functionName),
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: prefix }] } },
          },
        ],
      },
    }),
  );
}

describe('functions triggered by S3 events', () => {
  it('runs a handler written with the AWS SDK against Vigil, and logs it like Lambda', async () => {
    const bucket = bucketName('fn');
    await notify(bucket, 'tagger', 'in/');
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'in/a b.jpg', Body: 'x' }));
    const tags = await until(async () => {
      const { TagSet = [] } = await t.s3.send(
        new GetObjectTaggingCommand({ Bucket: bucket, Key: 'in/a b.jpg' }),
      );
      return TagSet.length > 0 ? TagSet : undefined;
    });
    expect(tags).toEqual([{ Key: 'ProcessedBy', Value: 'tagger' }]);

    const logs = await run(process.execPath, [
      VIGIL_BIN,
      'logs',
      'tagger',
      '--data-dir',
      t.dataDir,
    ]);
    expect(logs.stdout).toMatch(/START RequestId: [0-9a-f-]{36} Version: \$LATEST/);
    expect(logs.stdout).toContain(`tagging ${bucket}/in/a b.jpg`);
    expect(logs.stdout).toMatch(/END RequestId: /);
    expect(logs.stdout).toMatch(/REPORT RequestId: .*Duration: [\d.]+ ms\tBilled Duration: \d+ ms/);
  });

  it('stops a function that re-triggers itself after 16 invocations', async () => {
    const bucket = bucketName('loop');
    await notify(bucket, 'looper', 'loop/');
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'loop/start', Body: 'x' }));
    const failure = await until(async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: `${t.url}/000000000000/function-failures`,
          WaitTimeSeconds: 1,
        }),
      );
      return Messages[0]?.Body;
    }, 60_000);
    const record = JSON.parse(failure) as {
      requestContext: { condition: string; functionArn: string };
      requestPayload: { Records: { s3: { object: { key: string } } }[] };
    };
    expect(record.requestContext).toMatchObject({
      condition: 'RecursiveInvocationDropped',
      functionArn: `${lambdaArn('looper')}:$LATEST`,
    });
    const { KeyCount } = await t.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    // The upload, then one write by each of the 16 invocations; the 17th never ran.
    expect(KeyCount).toBe(17);
    expect(t.vigil.runtime.recursionStops('looper')).toBe(1);
  });

  it('shows functions, their invocations and their metrics through the admin API', async () => {
    const bucket = bucketName('fnadmin');
    await notify(bucket, 'tagger', 'seen/');
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'seen/one', Body: 'x' }));
    const credentials = { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey };
    const invocation = await until(async () => {
      const { json } = await adminCall(
        t.url,
        credentials,
        'GET',
        '/_vigil/admin/functions/tagger/invocations?limit=50',
      );
      const invocations = json['invocations'] as {
        state: string;
        payload: { Records: { s3: { object: { key: string } } }[] };
        attemptLog: { outcome: string; rendered: string }[];
      }[];
      return invocations.find(
        (i) => i.state === 'succeeded' && i.payload.Records[0]?.s3.object.key === 'seen/one',
      );
    });
    expect(invocation.attemptLog[0]?.outcome).toBe('success');
    expect(invocation.attemptLog[0]?.rendered).toContain(`tagging ${bucket}/seen/one`);

    const listed = await adminCall(t.url, credentials, 'GET', '/_vigil/admin/functions');
    const functions = listed.json['functions'] as { name: string; arn: string }[];
    expect(functions.map((f) => f.name)).toEqual(
      expect.arrayContaining(['moderate-image', 'tagger', 'looper']),
    );
    const looper = await adminCall(t.url, credentials, 'GET', '/_vigil/admin/functions/looper');
    expect(looper.json).toMatchObject({
      arn: lambdaArn('looper'),
      maximumRetryAttempts: 0,
      onFailure: 'function-failures',
      recursionStops: 1,
    });
    const missing = await adminCall(t.url, credentials, 'GET', '/_vigil/admin/functions/nope');
    expect(missing.status).toBe(404);

    const metrics = await (await fetch(`${t.url}/_vigil/metrics`)).text();
    expect(metrics).toMatch(
      /vigil_function_failed_events_total\{function="looper",condition="RecursiveInvocationDropped"\} 1\n/,
    );
    expect(metrics).toMatch(
      /vigil_function_attempts_total\{function="tagger",outcome="success"\} [1-9]/,
    );
    expect(metrics).toMatch(/vigil_function_duration_seconds_count\{function="looper"\} 16\n/);
  });
});
