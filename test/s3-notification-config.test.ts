import {
  CreateBucketCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  type FilterRuleName,
  type NotificationConfiguration,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from './support/errors.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

// The SDK types rule names in lowercase; AWS returns them capitalised, and so does Vigil.
const Prefix = 'Prefix' as FilterRuleName;
const Suffix = 'Suffix' as FilterRuleName;

describe('bucket notification configuration storage', () => {
  let t: TestVigil;
  const bucket = bucketName('notify');
  beforeAll(async () => {
    t = await startTestVigil();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  afterAll(async () => {
    await t.stop();
  });

  const get = async () => {
    const { $metadata: _m, ...config } = await t.s3.send(
      new GetBucketNotificationConfigurationCommand({ Bucket: bucket }),
    );
    return config;
  };

  it('is empty for a new bucket', async () => {
    expect(await get()).toEqual({});
  });

  it('stores and returns queue, topic and lambda configurations in AWS shape', async () => {
    const config: NotificationConfiguration = {
      QueueConfigurations: [
        {
          Id: 'review',
          QueueArn: 'arn:aws:sqs:us-east-1:000000000000:review',
          Events: ['s3:ObjectCreated:*'],
          Filter: {
            Key: {
              FilterRules: [
                { Name: Prefix, Value: 'uploads/' },
                { Name: Suffix, Value: '.jpg' },
              ],
            },
          },
        },
      ],
      TopicConfigurations: [
        {
          Id: 'topic',
          TopicArn: 'arn:aws:sns:us-east-1:000000000000:t',
          Events: ['s3:ObjectRemoved:Delete', 's3:ObjectTagging:*'],
        },
      ],
      LambdaFunctionConfigurations: [
        {
          Id: '123',
          LambdaFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:moderate-image',
          Events: ['s3:ObjectCreated:Put'],
          Filter: { Key: { FilterRules: [{ Name: Prefix, Value: '' }] } },
        },
      ],
    };
    await t.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: config,
      }),
    );
    expect(await get()).toEqual(config);
  });

  it('generates ids when absent and normalises filter rule names', async () => {
    await t.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              QueueArn: 'arn:aws:sqs:us-east-1:000000000000:q',
              Events: ['s3:ObjectCreated:*'],
              Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'a/' }] } },
            },
          ],
        },
      }),
    );
    const config = await get();
    expect(config.QueueConfigurations?.[0]?.Id).toMatch(/\S+/);
    expect(config.QueueConfigurations?.[0]?.Filter?.Key?.FilterRules).toEqual([
      { Name: Prefix, Value: 'a/' },
    ]);
  });

  it('removes everything with an empty configuration', async () => {
    await t.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {},
      }),
    );
    expect(await get()).toEqual({});
  });

  it('reports NoSuchBucket', async () => {
    const error = await errorOf(
      t.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucketName('none') })),
    );
    expect(error.name).toBe('NoSuchBucket');
  });
});
