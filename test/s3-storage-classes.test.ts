/**
 * Storage classes and RestoreObject through the AWS SDK v3 against a listening Vigil: archive
 * classes refuse reads until restored, restores complete and expire on the scheduler (days
 * shortened to a second here), ObjectRestore:Post / :Completed / :Delete reach a queue, and
 * a restore under way survives a restart.
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  RestoreObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from './support/errors.js';
import { receiveRecords, type EventRecord } from './support/queue-records.js';
import { WebhookReceiver } from './support/webhook-receiver.js';
import { until } from './support/until.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

const hooks = await WebhookReceiver.start();

/** Restores take 1.5 s: long enough to see one under way on a loaded machine. A day is 1 s. */
const config = {
  queues: [{ name: 'restore-events' }],
  webhooks: [{ name: 'restores-hook', url: hooks.url, secret: 'a-secret-of-sixteen+' }],
  // Restore events of every bucket with an EventBridgeConfiguration, to a webhook.
  eventBridge: {
    rules: [
      {
        name: 'restores',
        eventPattern: {
          source: ['aws.s3'],
          'detail-type': [{ prefix: 'Object Restore' }],
        },
        targets: [{ id: 'hook', arn: 'arn:vigil:webhook:us-east-1:000000000000:restores-hook' }],
      },
    ],
  },
  scheduler: {
    restoreSeconds: {
      GLACIER: { Expedited: 1.5, Standard: 1.5, Bulk: 1.5 },
      DEEP_ARCHIVE: { Standard: 0.6, Bulk: 0.6 },
    },
    daySeconds: 1,
    maxSleepSeconds: 0.5,
  },
};

let t: TestVigil;
let s3: S3Client;
const Bucket = bucketName('classes');
beforeAll(async () => {
  t = await startTestVigil({ fsync: false, config });
  s3 = t.s3;
  await s3.send(new CreateBucketCommand({ Bucket }));
});
afterAll(async () => {
  await t?.stop();
  await hooks.stop();
});

const put = (
  Key: string,
  StorageClass?: 'GLACIER' | 'DEEP_ARCHIVE' | 'GLACIER_IR' | 'STANDARD_IA',
) => s3.send(new PutObjectCommand({ Bucket, Key, Body: `bytes of ${Key}`, StorageClass }));
const body = async (Key: string) =>
  (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToString();

describe('storage classes', () => {
  it('are stored, echoed on HEAD and in listings; archived ones refuse GET until restored', async () => {
    await put('cold', 'GLACIER');
    await put('deep', 'DEEP_ARCHIVE');
    await put('instant', 'GLACIER_IR');
    await put('infrequent', 'STANDARD_IA');
    await put('plain');
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'cold' }));
    expect([head.StorageClass, head.Restore, head.ContentLength]).toEqual([
      'GLACIER',
      undefined,
      13,
    ]);
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'plain' }))).StorageClass).toBe(
      undefined,
    );
    const listed = await s3.send(new ListObjectsV2Command({ Bucket }));
    expect(Object.fromEntries((listed.Contents ?? []).map((o) => [o.Key, o.StorageClass]))).toEqual(
      {
        cold: 'GLACIER',
        deep: 'DEEP_ARCHIVE',
        instant: 'GLACIER_IR',
        infrequent: 'STANDARD_IA',
        plain: 'STANDARD',
      },
    );
    for (const Key of ['cold', 'deep']) {
      const refused = await errorOf(s3.send(new GetObjectCommand({ Bucket, Key })));
      expect([refused.name, refused.$metadata.httpStatusCode, refused.message]).toEqual([
        'InvalidObjectState',
        403,
        "The operation is not valid for the object's storage class",
      ]);
      expect((refused as unknown as { StorageClass?: string }).StorageClass).toBe(
        Key === 'cold' ? 'GLACIER' : 'DEEP_ARCHIVE',
      );
    }
    expect(await body('instant')).toBe('bytes of instant');
    expect(await body('infrequent')).toBe('bytes of infrequent');
    const copy = await errorOf(
      s3.send(new CopyObjectCommand({ Bucket, Key: 'copy', CopySource: `${Bucket}/cold` })),
    );
    expect([copy.name, copy.$metadata.httpStatusCode]).toEqual(['InvalidObjectState', 403]);
  });

  it('refuses the classes of other kinds of storage, storing nothing', async () => {
    const refused = await errorOf(
      s3.send(
        new PutObjectCommand({ Bucket, Key: 'outpost', Body: 'x', StorageClass: 'OUTPOSTS' }),
      ),
    );
    expect([refused.name, refused.$metadata.httpStatusCode]).toEqual(['InvalidStorageClass', 400]);
    expect((await errorOf(s3.send(new HeadObjectCommand({ Bucket, Key: 'outpost' })))).name).toBe(
      'NotFound',
    );
  });

  it('carry through multipart uploads and a copy that names a class', async () => {
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket, Key: 'mp', StorageClass: 'DEEP_ARCHIVE' }),
    );
    const part = await s3.send(
      new UploadPartCommand({ Bucket, Key: 'mp', UploadId, PartNumber: 1, Body: 'part' }),
    );
    const parts = await s3.send(new ListPartsCommand({ Bucket, Key: 'mp', UploadId }));
    expect(parts.StorageClass).toBe('DEEP_ARCHIVE');
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key: 'mp',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'mp' }))).StorageClass).toBe(
      'DEEP_ARCHIVE',
    );
    // A copy onto itself that names a class is how S3 users change one.
    await s3.send(
      new CopyObjectCommand({
        Bucket,
        Key: 'plain',
        CopySource: `${Bucket}/plain`,
        StorageClass: 'GLACIER_IR',
      }),
    );
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'plain' }))).StorageClass).toBe(
      'GLACIER_IR',
    );
  });
});

describe('RestoreObject', () => {
  it('answers S3 errors for a class without restores, a tier the class lacks, a bad request', async () => {
    await put('ir', 'GLACIER_IR');
    await put('deep-tier', 'DEEP_ARCHIVE');
    const notArchived = await errorOf(
      s3.send(new RestoreObjectCommand({ Bucket, Key: 'ir', RestoreRequest: { Days: 1 } })),
    );
    expect([notArchived.name, notArchived.$metadata.httpStatusCode, notArchived.message]).toEqual([
      'InvalidObjectState',
      403,
      "Restore is not allowed for the object's current storage class",
    ]);
    const expedited = await errorOf(
      s3.send(
        new RestoreObjectCommand({
          Bucket,
          Key: 'deep-tier',
          RestoreRequest: { Days: 1, GlacierJobParameters: { Tier: 'Expedited' } },
        }),
      ),
    );
    expect([expedited.name, expedited.$metadata.httpStatusCode]).toEqual(['InvalidArgument', 400]);
    const noDays = await errorOf(
      s3.send(new RestoreObjectCommand({ Bucket, Key: 'deep-tier', RestoreRequest: {} })),
    );
    expect(noDays.name).toBe('MalformedXML');
    const missing = await errorOf(
      s3.send(new RestoreObjectCommand({ Bucket, Key: 'nothing', RestoreRequest: { Days: 1 } })),
    );
    expect(missing.name).toBe('NoSuchKey');
    // Nothing was started.
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'deep-tier' }))).Restore).toBe(
      undefined,
    );
  });

  it('restores after the tier delay, reports it on HEAD, extends, expires; events reach a queue', async () => {
    const events = bucketName('restores');
    await s3.send(new CreateBucketCommand({ Bucket: events }));
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: events,
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              Id: 'restores',
              QueueArn: 'arn:aws:sqs:us-east-1:000000000000:restore-events',
              Events: ['s3:ObjectRestore:*'],
            },
          ],
        },
      }),
    );
    const written = await s3.send(
      new PutObjectCommand({
        Bucket: events,
        Key: 'a b.txt',
        Body: 'archived',
        StorageClass: 'GLACIER',
      }),
    );
    const started = await s3.send(
      new RestoreObjectCommand({
        Bucket: events,
        Key: 'a b.txt',
        RestoreRequest: { Days: 2, GlacierJobParameters: { Tier: 'Expedited' } },
      }),
    );
    expect(started.$metadata.httpStatusCode).toBe(202);
    const head = () => s3.send(new HeadObjectCommand({ Bucket: events, Key: 'a b.txt' }));
    expect((await head()).Restore).toBe('ongoing-request="true"');
    const again = await errorOf(
      s3.send(
        new RestoreObjectCommand({ Bucket: events, Key: 'a b.txt', RestoreRequest: { Days: 1 } }),
      ),
    );
    expect([again.name, again.$metadata.httpStatusCode]).toEqual(['RestoreAlreadyInProgress', 409]);
    expect(
      (await errorOf(s3.send(new GetObjectCommand({ Bucket: events, Key: 'a b.txt' })))).name,
    ).toBe('InvalidObjectState');

    const restored = await until(async () => {
      const h = await head();
      return h.Restore?.startsWith('ongoing-request="false"') ? h : undefined;
    }, 10_000);
    const expiry = /expiry-date="([^"]+)"/.exec(restored.Restore!)![1]!;
    // Two one-second days after completion, rounded up to the next "midnight" (whole second).
    expect(Date.parse(expiry) % 1000).toBe(0);
    const read = await s3.send(new GetObjectCommand({ Bucket: events, Key: 'a b.txt' }));
    expect(await read.Body!.transformToString()).toBe('archived');
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: events, OptionalObjectAttributes: ['RestoreStatus'] }),
    );
    expect(listed.Contents?.[0]?.RestoreStatus).toEqual({
      IsRestoreInProgress: false,
      RestoreExpiryDate: new Date(expiry),
    });
    // A restored copy: a new request moves its expiry and answers 200.
    const extended = await s3.send(
      new RestoreObjectCommand({ Bucket: events, Key: 'a b.txt', RestoreRequest: { Days: 3 } }),
    );
    expect(extended.$metadata.httpStatusCode).toBe(200);

    // The copy expires (3 one-second days), and GET is refused again.
    await until(async () => ((await head()).Restore === undefined ? true : undefined), 15_000);
    expect(
      (await errorOf(s3.send(new GetObjectCommand({ Bucket: events, Key: 'a b.txt' })))).name,
    ).toBe('InvalidObjectState');

    const records = await receiveRecords(t, 'restore-events', 3);
    expect(records.map((r) => r.eventName)).toEqual([
      'ObjectRestore:Post',
      'ObjectRestore:Completed',
      'ObjectRestore:Delete',
    ]);
    const [post, completed, deleted] = records as [EventRecord, EventRecord, EventRecord];
    const sequencer = expect.stringMatching(/^[0-9A-F]{18}$/) as unknown as string;
    expect(post).toMatchObject({
      eventVersion: '2.1',
      userIdentity: { principalId: expect.any(String) as unknown },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      s3: {
        object: { key: 'a+b.txt', size: 8, eTag: written.ETag!.replaceAll('"', ''), sequencer },
      },
    });
    expect(completed).toMatchObject({
      eventVersion: '2.1',
      userIdentity: { principalId: 'AmazonCustomer:000000000000' },
      requestParameters: { sourceIPAddress: 's3.amazonaws.com' },
      s3: { object: { key: 'a+b.txt', size: 8, sequencer } },
      glacierEventData: {
        restoreEventData: {
          lifecycleRestorationExpiryTime: new Date(expiry).toISOString(),
          lifecycleRestoreStorageClass: 'GLACIER',
        },
      },
    });
    expect(deleted).toMatchObject({
      eventVersion: '2.3',
      userIdentity: { principalId: 's3.amazonaws.com' },
      s3: { object: { key: 'a+b.txt', sequencer } },
    });
    expect(Object.keys(deleted.s3.object)).toEqual(['key', 'sequencer']);
  });
});

describe('through EventBridge', () => {
  it('a rule on Object Restore events delivers Initiated and Completed to a webhook', async () => {
    const Bucket = bucketName('restore-bus');
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket,
        NotificationConfiguration: { EventBridgeConfiguration: {} },
      }),
    );
    await s3.send(
      new PutObjectCommand({ Bucket, Key: 'k', Body: 'cold', StorageClass: 'GLACIER' }),
    );
    await s3.send(
      new RestoreObjectCommand({
        Bucket,
        Key: 'k',
        RestoreRequest: { Days: 1, GlacierJobParameters: { Tier: 'Expedited' } },
      }),
    );
    await hooks.waitFor(2, 10_000);
    const events = hooks.received.map(
      (h) => JSON.parse(h.body) as { 'detail-type': string; detail: Record<string, unknown> },
    );
    expect(events.map((e) => e['detail-type'])).toEqual([
      'Object Restore Initiated',
      'Object Restore Completed',
    ]);
    expect(events[0]!.detail).toMatchObject({
      bucket: { name: Bucket },
      object: { key: 'k', size: 4 },
      'source-storage-class': 'GLACIER',
    });
    expect(events[1]!.detail).toMatchObject({
      'source-storage-class': 'GLACIER',
      'restore-expiry-time': expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
    });
  });
});

describe('a restore under way', () => {
  it('completes after a restart, with its event', async () => {
    const dataDir = t.dataDir;
    const Key = 'across-restart';
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket,
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              Id: 'completions',
              QueueArn: 'arn:aws:sqs:us-east-1:000000000000:restore-events',
              Events: ['s3:ObjectRestore:Completed'],
            },
          ],
        },
      }),
    );
    await put(Key, 'GLACIER');
    await s3.send(
      new RestoreObjectCommand({
        Bucket,
        Key,
        RestoreRequest: { Days: 1, GlacierJobParameters: { Tier: 'Standard' } },
      }),
    );
    await t.stop({ keepData: true });
    // Down for longer than the restore takes: it comes due while nobody runs.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    t = await startTestVigil({ fsync: false, config, dataDir });
    s3 = t.s3;
    const records = await receiveRecords(t, 'restore-events', 1);
    expect(records.map((r) => [r.eventName, r.s3.object.key])).toEqual([
      ['ObjectRestore:Completed', Key],
    ]);
    expect(await body(Key)).toBe(`bytes of ${Key}`);
  });
});
