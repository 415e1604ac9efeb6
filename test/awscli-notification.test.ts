import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAwsBinaries, runAws } from './support/awscli.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

/** Every kind of configuration, in the CLI's JSON form, as AWS returns it. */
const EVERY_KIND = {
  QueueConfigurations: [
    {
      Id: 'review-queue',
      QueueArn: 'arn:aws:sqs:us-east-1:111111111111:review',
      Events: ['s3:ObjectCreated:*'],
      Filter: {
        Key: {
          FilterRules: [
            { Name: 'Prefix', Value: 'uploads/' },
            { Name: 'Suffix', Value: '.jpg' },
          ],
        },
      },
    },
    {
      Id: '42',
      QueueArn: 'arn:vigil:webhook:us-east-1:111111111111:moderation-hook',
      Events: ['s3:ObjectRemoved:Delete'],
      Filter: { Key: { FilterRules: [{ Name: 'Prefix', Value: '007' }] } },
    },
  ],
  TopicConfigurations: [
    {
      Id: 'audit-topic',
      TopicArn: 'arn:aws:sns:us-east-1:111111111111:audit',
      Events: ['s3:ObjectTagging:Put', 's3:ObjectRemoved:DeleteMarkerCreated'],
    },
  ],
  LambdaFunctionConfigurations: [
    {
      Id: 'moderate',
      LambdaFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:moderate-image:live',
      Events: ['s3:ObjectCreated:Put', 's3:ObjectCreated:CompleteMultipartUpload'],
      Filter: {
        Key: {
          FilterRules: [
            { Name: 'Prefix', Value: 'images/' },
            { Name: 'Suffix', Value: '' },
          ],
        },
      },
    },
  ],
  EventBridgeConfiguration: {},
};

const binaries = findAwsBinaries();

if (binaries.length === 0) {
  const message = 'no aws CLI found (install it with `apt-get install -y awscli`)';
  if (process.env['CI'] === 'true') {
    it('has an aws CLI to test with', () => expect.fail(`${message}; CI must have it`));
  } else {
    console.warn(`awscli notification tests skipped: ${message}`);
    it.skip(`aws CLI notification tests: ${message}`, () => {});
  }
}

describe.each(binaries)('aws CLI $version ($path): bucket notifications', ({ path: bin }) => {
  let t: TestVigil;
  let work: string;
  const bucket = bucketName('awscli-notify');

  const aws = (...args: string[]) => runAws(bin, t.url, t, args);
  let files = 0;
  /** Runs put-bucket-notification-configuration with `config` in a file, as users do. */
  const put = async (config: object, ...flags: string[]) => {
    const file = join(work, `notification-${++files}.json`);
    await writeFile(file, JSON.stringify(config));
    return aws(
      's3api',
      'put-bucket-notification-configuration',
      '--bucket',
      bucket,
      ...flags,
      '--notification-configuration',
      `file://${file}`,
    );
  };
  const putOk = async (config: object) => {
    const result = await put(config, '--skip-destination-validation');
    expect(result, result.stderr).toMatchObject({ code: 0 });
  };
  const get = async (): Promise<unknown> => {
    const result = await aws('s3api', 'get-bucket-notification-configuration', '--bucket', bucket);
    expect(result, result.stderr).toMatchObject({ code: 0 });
    return JSON.parse(result.stdout.trim() || '{}');
  };
  const failsWith = async (config: object, flags: string[], text: string) => {
    const result = await put(config, ...flags);
    expect(result.code, result.stdout).not.toBe(0);
    expect(result.stderr).toContain(
      `An error occurred (InvalidArgument) when calling the PutBucketNotificationConfiguration operation: ${text}`,
    );
  };

  beforeAll(async () => {
    t = await startTestVigil();
    work = await mkdtemp(join(tmpdir(), 'vigil-awscli-notify-'));
    const made = await aws('s3api', 'create-bucket', '--bucket', bucket);
    expect(made, made.stderr).toMatchObject({ code: 0 });
  });
  afterAll(async () => {
    await t?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('round-trips queue, webhook, topic, function and EventBridge configurations unchanged', async () => {
    await putOk(EVERY_KIND);
    expect(await get()).toEqual(EVERY_KIND);
  });

  it('assigns Ids where none are given and returns rule names as Prefix and Suffix', async () => {
    await putOk({
      QueueConfigurations: [
        {
          QueueArn: 'arn:aws:sqs:us-east-1:111111111111:review',
          Events: ['s3:ObjectCreated:*'],
          Filter: {
            Key: {
              FilterRules: [
                { Name: 'prefix', Value: 'uploads/' },
                { Name: 'suffix', Value: '.png' },
              ],
            },
          },
        },
      ],
      TopicConfigurations: [
        { TopicArn: 'arn:aws:sns:us-east-1:111111111111:audit', Events: ['s3:ObjectRemoved:*'] },
      ],
    });
    const got = (await get()) as {
      QueueConfigurations: { Id: string }[];
      TopicConfigurations: { Id: string }[];
    };
    const queueId = got.QueueConfigurations[0]?.Id ?? '';
    const topicId = got.TopicConfigurations[0]?.Id ?? '';
    expect(queueId).toMatch(/^[A-Za-z0-9+/=]{20,}$/);
    expect(topicId).toMatch(/^[A-Za-z0-9+/=]{20,}$/);
    expect(queueId).not.toBe(topicId);
    expect(got).toEqual({
      QueueConfigurations: [
        {
          Id: queueId,
          QueueArn: 'arn:aws:sqs:us-east-1:111111111111:review',
          Events: ['s3:ObjectCreated:*'],
          Filter: {
            Key: {
              FilterRules: [
                { Name: 'Prefix', Value: 'uploads/' },
                { Name: 'Suffix', Value: '.png' },
              ],
            },
          },
        },
      ],
      TopicConfigurations: [
        {
          Id: topicId,
          TopicArn: 'arn:aws:sns:us-east-1:111111111111:audit',
          Events: ['s3:ObjectRemoved:*'],
        },
      ],
    });
  });

  it('prints S3 error text for rejected configurations and keeps the stored one', async () => {
    await putOk(EVERY_KIND);
    await failsWith(EVERY_KIND, [], 'Unable to validate the following destination configurations');
    await failsWith(
      { QueueConfigurations: [{ QueueArn: 'invalid-queue', Events: ['s3:ObjectCreated:*'] }] },
      ['--skip-destination-validation'],
      'The ARN could not be parsed',
    );
    await failsWith(
      {
        TopicConfigurations: [
          { TopicArn: 'arn:aws:sns:us-east-1:111111111111:a', Events: ['s3:ObjectCreated:*'] },
          { TopicArn: 'arn:aws:sns:us-east-1:111111111111:b', Events: ['s3:ObjectCreated:Put'] },
        ],
      },
      ['--skip-destination-validation'],
      'Configurations overlap. Configurations on the same bucket cannot share a common event type.',
    );
    await failsWith(
      {
        TopicConfigurations: [
          { TopicArn: 'arn:aws:sns:us-east-1:111111111111:a', Events: ['s3:ObjectCreated:*'] },
          {
            TopicArn: 'arn:aws:sns:us-east-1:111111111111:b',
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'images' }] } },
          },
        ],
      },
      ['--skip-destination-validation'],
      'Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are overlapping for the same event type.',
    );
    expect(await get()).toEqual(EVERY_KIND);
  });

  it('clears everything with {}', async () => {
    await putOk({});
    expect(await get()).toEqual({});
  });
});
