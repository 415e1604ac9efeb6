import {
  CreateBucketCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  S3Client,
  type FilterRuleName,
  type NotificationConfiguration,
} from '@aws-sdk/client-s3';
import { openIdentity } from '../src/iam/index.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  DestinationConfiguration,
  DestinationKind,
  NotificationDestinations,
} from '../src/events/index.js';
import { createHttpServer, type VigilHttpServer } from '../src/http/server.js';
import { createS3Api } from '../src/s3/api.js';
import { MultipartUploads, StorageEngine } from '../src/storage/index.js';
import { errorOf } from './support/errors.js';
import { signedRequest } from './support/signed.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

// The SDK types rule names in lowercase; AWS returns them capitalised, and so does Vigil.
const Prefix = 'Prefix' as FilterRuleName;
const Suffix = 'Suffix' as FilterRuleName;

const QUEUE = 'arn:aws:sqs:us-east-1:111111111111:my-queue';
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:my-topic';
const LAMBDA = 'arn:aws:lambda:us-east-1:111111111111:function:my-lambda';

const OVERLAP =
  'Configurations overlap. Configurations on the same bucket cannot share a common event type.';
const AMBIGUOUS =
  'Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are overlapping for the same event type.';

/** The SDK error's S3 fields: code, message and every extra element of the error document. */
const s3Error = async (promise: Promise<unknown>) => {
  const error = (await errorOf(promise)) as unknown as Record<string, unknown>;
  const fields: Record<string, unknown> = { name: error['name'], message: error['message'] };
  for (const [key, value] of Object.entries(error)) {
    if (/^Argument(Name|Value)\d*$/.test(key)) fields[key] = value;
  }
  fields['status'] = (error['$metadata'] as { httpStatusCode?: number }).httpStatusCode;
  return fields;
};

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

  const get = async (b = bucket) => {
    const { $metadata: _m, ...config } = await t.s3.send(
      new GetBucketNotificationConfigurationCommand({ Bucket: b }),
    );
    return config;
  };
  const put = (config: NotificationConfiguration, skip = true) =>
    t.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: config,
        ...(skip ? { SkipDestinationValidation: true } : {}),
      }),
    );

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
          // An empty value is accepted (LocalStack test_filter_rules_empty_value).
          Filter: {
            Key: {
              FilterRules: [
                { Name: Prefix, Value: 'images/' },
                { Name: Suffix, Value: '' },
              ],
            },
          },
        },
      ],
      EventBridgeConfiguration: {},
    };
    await put(config);
    expect(await get()).toEqual(config);
  });

  it('generates ids when absent, normalises rule names and keeps number-like values as text', async () => {
    await put({
      QueueConfigurations: [
        {
          QueueArn: 'arn:aws:sqs:us-east-1:000000000000:q',
          Events: ['s3:ObjectCreated:*'],
          Filter: {
            Key: {
              FilterRules: [
                { Name: 'prefix', Value: '007' },
                { Name: 'SUFFIX' as FilterRuleName, Value: '1e5' },
              ],
            },
          },
        },
      ],
    });
    const config = await get();
    expect(config.QueueConfigurations?.[0]?.Id).toMatch(/\S+/);
    expect(config.QueueConfigurations?.[0]?.Filter?.Key?.FilterRules).toEqual([
      { Name: Prefix, Value: '007' },
      { Name: Suffix, Value: '1e5' },
    ]);
  });

  // A Vigil webhook sits in a QueueConfiguration, as MinIO's targets do.
  it('stores a Vigil webhook destination in a QueueConfiguration', async () => {
    const config: NotificationConfiguration = {
      QueueConfigurations: [
        {
          Id: 'hook',
          QueueArn: 'arn:vigil:webhook:us-east-1:000000000000:moderation-hook',
          Events: ['s3:ObjectCreated:*'],
        },
      ],
    };
    await put(config);
    expect(await get()).toEqual(config);
  });

  it('removes everything with an empty configuration', async () => {
    await put({});
    expect(await get()).toEqual({});
  });

  it('reports NoSuchBucket', async () => {
    const error = await errorOf(
      t.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucketName('none') })),
    );
    expect(error.name).toBe('NoSuchBucket');
  });

  describe('validation', () => {
    const stored: NotificationConfiguration = {
      QueueConfigurations: [{ Id: 'kept', QueueArn: QUEUE, Events: ['s3:ObjectCreated:*'] }],
    };
    beforeAll(async () => {
      await put(stored);
    });

    it('reports every missing destination in one numbered InvalidArgument and stores nothing', async () => {
      const result = await s3Error(
        put(
          {
            QueueConfigurations: [{ QueueArn: QUEUE, Events: ['s3:ObjectCreated:Put'] }],
            TopicConfigurations: [{ TopicArn: TOPIC, Events: ['s3:ObjectRemoved:*'] }],
            LambdaFunctionConfigurations: [
              { LambdaFunctionArn: LAMBDA, Events: ['s3:ObjectTagging:*'] },
            ],
          },
          false,
        ),
      );
      expect(result).toEqual({
        status: 400,
        name: 'InvalidArgument',
        message: 'Unable to validate the following destination configurations',
        ArgumentName1: QUEUE,
        ArgumentValue1: 'The destination queue does not exist',
        ArgumentName2: TOPIC,
        ArgumentValue2: 'The destination topic does not exist',
        ArgumentName3: `${LAMBDA}, null`,
        ArgumentValue3: `Not authorized to invoke function [${LAMBDA}]`,
      });
      expect(await get()).toEqual(stored);
    });

    it('renders the numbered fields in order in the XML error document', async () => {
      const body =
        '<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        `<QueueConfiguration><Queue>${QUEUE}</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration>` +
        `<QueueConfiguration><Queue>${QUEUE}-2</Queue><Event>s3:ObjectRemoved:*</Event></QueueConfiguration>` +
        '</NotificationConfiguration>';
      const res = await signedRequest(t.url, t, {
        method: 'PUT',
        path: `/${bucket}`,
        query: { notification: '' },
        body,
      });
      expect(res.status).toBe(400);
      expect(res.body).toContain(
        '<Code>InvalidArgument</Code>' +
          '<Message>Unable to validate the following destination configurations</Message>' +
          `<ArgumentName1>${QUEUE}</ArgumentName1>` +
          '<ArgumentValue1>The destination queue does not exist</ArgumentValue1>' +
          `<ArgumentName2>${QUEUE}-2</ArgumentName2>` +
          '<ArgumentValue2>The destination queue does not exist</ArgumentValue2>' +
          '<Resource>',
      );
    });

    it('reads x-amz-skip-destination-validation only when it says true', async () => {
      const body =
        '<NotificationConfiguration>' +
        `<QueueConfiguration><Id>raw</Id><Queue>${QUEUE}</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration>` +
        '</NotificationConfiguration>';
      const send = (value: string) =>
        signedRequest(t.url, t, {
          method: 'PUT',
          path: `/${bucket}`,
          query: { notification: '' },
          headers: { 'x-amz-skip-destination-validation': value },
          body,
        });
      expect((await send('false')).status).toBe(400);
      expect((await send('true')).status).toBe(200);
      expect((await get()).QueueConfigurations?.[0]?.Id).toBe('raw');
      await put(stored);
    });

    const rejected: [string, NotificationConfiguration, Record<string, unknown>][] = [
      [
        'an unparseable queue ARN',
        { QueueConfigurations: [{ QueueArn: 'invalid-queue', Events: ['s3:ObjectCreated:*'] }] },
        {
          name: 'InvalidArgument',
          message: 'The ARN could not be parsed',
          ArgumentName: 'Queue',
          ArgumentValue: 'invalid-queue',
        },
      ],
      [
        'an unparseable topic ARN',
        { TopicConfigurations: [{ TopicArn: QUEUE, Events: ['s3:ObjectCreated:*'] }] },
        {
          name: 'InvalidArgument',
          message: 'The ARN could not be parsed',
          ArgumentName: 'Topic',
          ArgumentValue: QUEUE,
        },
      ],
      [
        'an unparseable function ARN',
        {
          LambdaFunctionConfigurations: [
            { LambdaFunctionArn: 'invalid-queue', Events: ['s3:ObjectCreated:*'] },
          ],
        },
        {
          name: 'InvalidArgument',
          message: 'The ARN could not be parsed',
          ArgumentName: 'CloudFunction',
          ArgumentValue: 'invalid-queue',
        },
      ],
      [
        'an unknown event',
        { QueueConfigurations: [{ QueueArn: QUEUE, Events: ['s3:ObjectAccessed:Get' as never] }] },
        {
          name: 'InvalidArgument',
          message: 'The event is not supported for notifications',
          ArgumentName: 'Event',
          ArgumentValue: 's3:ObjectAccessed:Get',
        },
      ],
      [
        'a filter rule name other than prefix or suffix',
        {
          QueueConfigurations: [
            {
              QueueArn: QUEUE,
              Events: ['s3:ObjectCreated:*'],
              Filter: { Key: { FilterRules: [{ Name: 'INVALID' as FilterRuleName, Value: 'x' }] } },
            },
          ],
        },
        {
          name: 'InvalidArgument',
          message: 'filter rule name must be either prefix or suffix',
          ArgumentName: 'FilterRule.Name',
          ArgumentValue: 'INVALID',
        },
      ],
      [
        'two suffix rules',
        {
          QueueConfigurations: [
            {
              QueueArn: QUEUE,
              Events: ['s3:ObjectCreated:*'],
              Filter: {
                Key: {
                  FilterRules: [
                    { Name: 'suffix', Value: '.jpg' },
                    { Name: 'suffix', Value: '.png' },
                  ],
                },
              },
            },
          ],
        },
        {
          name: 'InvalidArgument',
          message: 'Cannot specify more than one suffix rule in a filter.',
        },
      ],
      [
        'a filter rule without a value',
        {
          QueueConfigurations: [
            {
              QueueArn: QUEUE,
              Events: ['s3:ObjectCreated:*'],
              Filter: { Key: { FilterRules: [{ Name: 'prefix' }] } },
            },
          ],
        },
        {
          name: 'MalformedXML',
          message:
            'The XML you provided was not well-formed or did not validate against our published schema',
        },
      ],
      [
        'the same event type twice without filters',
        {
          QueueConfigurations: [{ QueueArn: QUEUE, Events: ['s3:ObjectRemoved:*'] }],
          TopicConfigurations: [{ TopicArn: TOPIC, Events: ['s3:ObjectRemoved:*'] }],
        },
        {
          name: 'InvalidArgument',
          message: OVERLAP,
          ArgumentName: 'Event',
          ArgumentValue: 's3:ObjectRemoved:*, s3:ObjectRemoved:*',
        },
      ],
      [
        'overlapping suffixes for a wildcard and a specific event',
        {
          TopicConfigurations: [
            {
              TopicArn: TOPIC,
              Events: ['s3:ObjectCreated:*'],
              Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: 'jpg' }] } },
            },
            {
              TopicArn: `${TOPIC}-2`,
              Events: ['s3:ObjectCreated:Put'],
              Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: 'pg' }] } },
            },
          ],
        },
        { name: 'InvalidArgument', message: AMBIGUOUS },
      ],
    ];

    it.each(rejected)(
      'rejects %s, even when skipping destination validation',
      async (_l, config, expected) => {
        expect(await s3Error(put(config))).toEqual({ status: 400, ...expected });
        expect(await get()).toEqual(stored);
      },
    );

    it('checks ARN syntax before any destination exists (LocalStack one-invalid-one-not-existent)', async () => {
      const result = await s3Error(
        put(
          {
            QueueConfigurations: [
              { QueueArn: QUEUE, Events: ['s3:ObjectCreated:*'] },
              { QueueArn: 'invalid_arn_2', Events: ['s3:ObjectRemoved:*'] },
            ],
          },
          false,
        ),
      );
      expect(result).toEqual({
        status: 400,
        name: 'InvalidArgument',
        message: 'The ARN could not be parsed',
        ArgumentName: 'Queue',
        ArgumentValue: 'invalid_arn_2',
      });
    });

    it('reports NoSuchBucket on put', async () => {
      const error = await errorOf(
        t.s3.send(
          new PutBucketNotificationConfigurationCommand({
            Bucket: bucketName('none'),
            NotificationConfiguration: {},
          }),
        ),
      );
      expect(error.name).toBe('NoSuchBucket');
    });
  });
});

/** Destinations that exist, and every question S3 asked. */
class RecordingDestinations implements NotificationDestinations {
  readonly asked: [DestinationKind, string, string][] = [];
  readonly stored: {
    bucket: string;
    added: DestinationConfiguration[];
    ids: { requestId: string; hostId: string };
  }[] = [];
  constructor(private readonly existing: Set<string>) {}

  problemWith(kind: DestinationKind, arn: string, bucket: string): string | undefined {
    this.asked.push([kind, arn, bucket]);
    if (this.existing.has(arn)) return undefined;
    return kind === 'queue'
      ? 'Permissions on the destination queue do not allow S3 to publish notifications from this bucket'
      : `The destination ${kind} does not exist`;
  }

  configurationStored(
    bucket: string,
    added: readonly DestinationConfiguration[],
    ids: { requestId: string; hostId: string },
  ): void {
    this.stored.push({ bucket, added: [...added], ids });
  }
}

describe('bucket notification configuration with a notification system attached', () => {
  const ACCESS_KEY = 'AKIAVIGILTESTKEY0001';
  const SECRET = 'vigil-test-secret-key-000000000000000000';
  const destinations = new RecordingDestinations(new Set([QUEUE, TOPIC, LAMBDA]));
  const bucket = bucketName('attached');
  let dataDir: string;
  let engine: StorageEngine;
  let http: VigilHttpServer;
  let s3: S3Client;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-test-'));
    engine = await StorageEngine.open({ dataDir, fsync: false });
    const logger = pino({ level: 'silent' });
    const api = createS3Api(
      {
        engine,
        multipart: new MultipartUploads(engine),
        region: 'us-east-1',
        accountId: '111111111111',
        logger,
        notifications: destinations,
      },
      {
        gate: openIdentity(engine, {
          accountId: '111111111111',
          root: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET },
        }).gate,
        domains: [],
      },
    );
    http = createHttpServer({ s3: api, logger });
    const address = await http.listen(0, '127.0.0.1');
    s3 = new S3Client({
      endpoint: `http://127.0.0.1:${address.port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET },
    });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  afterAll(async () => {
    s3.destroy();
    await http.shutdown();
    engine.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const put = (config: NotificationConfiguration, skip = false) =>
    s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: config,
        ...(skip ? { SkipDestinationValidation: true } : {}),
      }),
    );
  const reset = () => {
    destinations.asked.length = 0;
    destinations.stored.length = 0;
  };

  it('asks about each destination once, stores, and names every new destination', async () => {
    reset();
    const response = await put({
      QueueConfigurations: [
        { Id: 'q1', QueueArn: QUEUE, Events: ['s3:ObjectCreated:*'] },
        { Id: 'q2', QueueArn: QUEUE, Events: ['s3:ObjectRemoved:*'] },
      ],
      TopicConfigurations: [{ Id: 't', TopicArn: TOPIC, Events: ['s3:ObjectTagging:*'] }],
    });
    expect(destinations.asked).toEqual([
      ['queue', QUEUE, bucket],
      ['topic', TOPIC, bucket],
    ]);
    expect(destinations.stored).toEqual([
      {
        bucket,
        added: [
          { kind: 'queue', id: 'q1', arn: QUEUE, events: ['s3:ObjectCreated:*'], filterRules: [] },
          { kind: 'queue', id: 'q2', arn: QUEUE, events: ['s3:ObjectRemoved:*'], filterRules: [] },
          { kind: 'topic', id: 't', arn: TOPIC, events: ['s3:ObjectTagging:*'], filterRules: [] },
        ],
        ids: {
          requestId: response.$metadata.requestId,
          hostId: response.$metadata.extendedRequestId,
        },
      },
    ]);
  });

  it('passes on only destinations that were not in the previous configuration', async () => {
    reset();
    await put({
      TopicConfigurations: [{ Id: 't2', TopicArn: TOPIC, Events: ['s3:ObjectRemoved:*'] }],
      LambdaFunctionConfigurations: [
        { Id: 'f', LambdaFunctionArn: LAMBDA, Events: ['s3:ObjectCreated:*'] },
      ],
    });
    expect(destinations.stored.map((s) => s.added.map((d) => d.id))).toEqual([['f']]);
  });

  it("reports the notification system's reasons and stores nothing", async () => {
    reset();
    const missing = 'arn:aws:sqs:us-east-1:111111111111:absent';
    const result = await s3Error(
      put({
        QueueConfigurations: [
          { QueueArn: missing, Events: ['s3:ObjectCreated:*'] },
          { QueueArn: QUEUE, Events: ['s3:ObjectRemoved:*'] },
        ],
        TopicConfigurations: [{ TopicArn: `${TOPIC}-absent`, Events: ['s3:ObjectTagging:*'] }],
      }),
    );
    expect(result).toEqual({
      status: 400,
      name: 'InvalidArgument',
      message: 'Unable to validate the following destination configurations',
      ArgumentName1: missing,
      ArgumentValue1:
        'Permissions on the destination queue do not allow S3 to publish notifications from this bucket',
      ArgumentName2: `${TOPIC}-absent`,
      ArgumentValue2: 'The destination topic does not exist',
    });
    expect(destinations.asked).toHaveLength(3);
    expect(destinations.stored).toEqual([]);
    const { $metadata: _m, ...current } = await s3.send(
      new GetBucketNotificationConfigurationCommand({ Bucket: bucket }),
    );
    expect(current.LambdaFunctionConfigurations?.[0]?.Id).toBe('f');
  });

  it('asks nothing when destination validation is skipped', async () => {
    reset();
    const missing = 'arn:aws:sqs:us-east-1:111111111111:absent';
    await put(
      { QueueConfigurations: [{ Id: 'm', QueueArn: missing, Events: ['s3:ObjectCreated:*'] }] },
      true,
    );
    expect(destinations.asked).toEqual([]);
    expect(destinations.stored.map((s) => s.added.map((d) => d.arn))).toEqual([[missing]]);
  });

  it('removes everything with an empty configuration and reports nothing new', async () => {
    reset();
    await put({});
    expect(destinations.stored.map((s) => s.added)).toEqual([[]]);
    const { $metadata: _m, ...current } = await s3.send(
      new GetBucketNotificationConfigurationCommand({ Bucket: bucket }),
    );
    expect(current).toEqual({});
  });
});
