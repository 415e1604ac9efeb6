/**
 * Bucket lifecycle through the AWS SDK v3 against a listening Vigil whose days last one
 * second: the configuration round trip and S3's errors, then the rules carried out by the
 * scheduler — expirations (unversioned and versioned: delete markers, noncurrent versions,
 * expired markers), a transition to GLACIER, aborted multipart uploads — each with the
 * LifecycleExpiration / LifecycleTransition event S3 sends.
 */
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketLifecycleCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type LifecycleRule,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from './support/errors.js';
import { receiveRecords } from './support/queue-records.js';
import { until } from './support/until.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

let t: TestVigil;
let s3: S3Client;
const config = {
  queues: [{ name: 'lifecycle-events' }, { name: 'versioned-lifecycle' }],
  scheduler: { daySeconds: 1, maxSleepSeconds: 0.25 },
};
beforeAll(async () => {
  t = await startTestVigil({ fsync: false, config });
  s3 = t.s3;
});
afterAll(async () => {
  await t?.stop();
});

async function bucketWithEvents(queue: string, versioned = false): Promise<string> {
  const Bucket = bucketName('lifecycle');
  await s3.send(new CreateBucketCommand({ Bucket }));
  if (versioned)
    await s3.send(
      new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Id: 'lifecycle',
            QueueArn: `arn:aws:sqs:us-east-1:000000000000:${queue}`,
            Events: ['s3:LifecycleExpiration:*', 's3:LifecycleTransition'],
          },
        ],
      },
    }),
  );
  return Bucket;
}

const putRules = (Bucket: string, Rules: LifecycleRule[]) =>
  s3.send(
    new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules } }),
  );

describe('the configuration', () => {
  it('round-trips, gets S3 ids for rules without one, and is deleted', async () => {
    const Bucket = bucketName('lifecycle-config');
    await s3.send(new CreateBucketCommand({ Bucket }));
    const missing = await errorOf(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket })));
    expect([missing.name, missing.$metadata.httpStatusCode]).toEqual([
      'NoSuchLifecycleConfiguration',
      404,
    ]);
    await putRules(Bucket, [
      {
        ID: 'logs',
        Filter: { Prefix: 'logs/' },
        Status: 'Enabled',
        Transitions: [{ Days: 30, StorageClass: 'GLACIER' }],
        Expiration: { Days: 365 },
      },
      {
        Filter: { And: { Prefix: 'tmp/', Tags: [{ Key: 'kind', Value: 'scratch' }] } },
        Status: 'Disabled',
        NoncurrentVersionExpiration: { NoncurrentDays: 7, NewerNoncurrentVersions: 2 },
      },
    ]);
    const got = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
    expect(got.TransitionDefaultMinimumObjectSize).toBe('all_storage_classes_128K');
    expect(got.Rules?.[0]).toEqual({
      ID: 'logs',
      Filter: { Prefix: 'logs/' },
      Status: 'Enabled',
      Transitions: [{ Days: 30, StorageClass: 'GLACIER' }],
      Expiration: { Days: 365 },
    });
    expect(got.Rules?.[1]?.ID).toMatch(/^[A-Za-z0-9+/=]{20,}$/);
    expect(got.Rules?.[1]?.NoncurrentVersionExpiration).toEqual({
      NoncurrentDays: 7,
      NewerNoncurrentVersions: 2,
    });
    await s3.send(new DeleteBucketLifecycleCommand({ Bucket }));
    expect(
      (await errorOf(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket })))).name,
    ).toBe('NoSuchLifecycleConfiguration');
  });

  it('is refused as S3 refuses it, leaving the old one', async () => {
    const Bucket = bucketName('lifecycle-bad');
    await s3.send(new CreateBucketCommand({ Bucket }));
    await putRules(Bucket, [
      { ID: 'keep', Filter: {}, Status: 'Enabled', Expiration: { Days: 1 } },
    ]);
    const refusals = [
      [{ ID: 'a', Filter: {}, Status: 'Enabled' }],
      [{ ID: 'a', Filter: {}, Status: 'Enabled', Expiration: { Days: 0 } }],
      [
        {
          ID: 'a',
          Filter: {},
          Status: 'Enabled',
          Expiration: { Date: new Date('2030-01-01T12:00:00Z') },
        },
      ],
    ] as LifecycleRule[][];
    const codes = [];
    for (const Rules of refusals) codes.push((await errorOf(putRules(Bucket, Rules))).name);
    expect(codes).toEqual(['InvalidRequest', 'InvalidArgument', 'InvalidArgument']);
    const got = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
    expect(got.Rules?.map((r) => r.ID)).toEqual(['keep']);
  });
});

describe('rules carried out', () => {
  it('expire, transition and abort in an unversioned bucket, with their events', async () => {
    const Bucket = await bucketWithEvents('lifecycle-events');
    await putRules(Bucket, [
      { ID: 'tmp', Filter: { Prefix: 'tmp/' }, Status: 'Enabled', Expiration: { Days: 1 } },
      {
        ID: 'cold',
        // A size filter lifts the 128 KB default minimum for transitions.
        Filter: { And: { Prefix: 'cold/', ObjectSizeGreaterThan: 0 } },
        Status: 'Enabled',
        Transitions: [{ Days: 1, StorageClass: 'GLACIER' }],
      },
      {
        ID: 'uploads',
        Filter: { Prefix: '' },
        Status: 'Enabled',
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      },
    ]);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'tmp/a b', Body: 'soon gone' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'cold/x', Body: 'archive me' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'keep', Body: 'stays' }));
    await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'big' }));

    const records = await receiveRecords(t, 'lifecycle-events', 2);
    const byName = Object.fromEntries(records.map((r) => [r.eventName, r]));
    expect(Object.keys(byName).sort()).toEqual([
      'LifecycleExpiration:Delete',
      'LifecycleTransition',
    ]);
    expect(byName['LifecycleExpiration:Delete']).toMatchObject({
      eventVersion: '2.3',
      userIdentity: { principalId: 's3.amazonaws.com' },
      requestParameters: { sourceIPAddress: 's3.amazonaws.com' },
      s3: { configurationId: 'lifecycle', object: { key: 'tmp/a+b' } },
    });
    expect(Object.keys(byName['LifecycleExpiration:Delete']!.s3.object)).toEqual([
      'key',
      'sequencer',
    ]);
    expect(byName['LifecycleTransition']).toMatchObject({
      eventVersion: '2.3',
      s3: { object: { key: 'cold/x', size: 10 } },
      lifecycleEventData: { transitionEventData: { destinationStorageClass: 'GLACIER' } },
    });
    expect((await errorOf(s3.send(new HeadObjectCommand({ Bucket, Key: 'tmp/a b' })))).name).toBe(
      'NotFound',
    );
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'cold/x' }))).StorageClass).toBe(
      'GLACIER',
    );
    expect((await errorOf(s3.send(new GetObjectCommand({ Bucket, Key: 'cold/x' })))).name).toBe(
      'InvalidObjectState',
    );
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'keep' }))).ContentLength).toBe(5);
    await until(async () => {
      const { Uploads = [] } = await s3.send(new ListMultipartUploadsCommand({ Bucket }));
      return Uploads.length === 0 ? true : undefined;
    }, 10_000);
  });

  it('in a versioned bucket: a marker, then the noncurrent version, then the expired marker', async () => {
    const Bucket = await bucketWithEvents('versioned-lifecycle', true);
    await putRules(Bucket, [
      {
        ID: 'age',
        Filter: {},
        Status: 'Enabled',
        Expiration: { Days: 1 },
        NoncurrentVersionExpiration: { NoncurrentDays: 1 },
      },
      {
        ID: 'markers',
        Filter: {},
        Status: 'Enabled',
        Expiration: { ExpiredObjectDeleteMarker: true },
      },
    ]);
    const written = await s3.send(new PutObjectCommand({ Bucket, Key: 'v', Body: 'version' }));
    const records = await receiveRecords(t, 'versioned-lifecycle', 3);
    expect(records.map((r) => r.eventName)).toEqual([
      'LifecycleExpiration:DeleteMarkerCreated',
      'LifecycleExpiration:Delete',
      'LifecycleExpiration:Delete',
    ]);
    const [marker, version, markerGone] = records;
    expect(marker!.s3.object['versionId']).toEqual(expect.stringMatching(/^[0-9a-f]{32}$/));
    expect(version!.s3.object['versionId']).toBe(written.VersionId);
    expect(markerGone!.s3.object['versionId']).toBe(marker!.s3.object['versionId']);
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    expect([listed.Versions ?? [], listed.DeleteMarkers ?? []]).toEqual([[], []]);
  });
});

describe('across a restart', () => {
  it('an object that came due while Vigil was down expires when it starts again', async () => {
    const Bucket = await bucketWithEvents('lifecycle-events');
    await putRules(Bucket, [
      { ID: 'tmp', Filter: { Prefix: 'tmp/' }, Status: 'Enabled', Expiration: { Days: 1 } },
    ]);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'tmp/restart', Body: 'x' }));
    const { dataDir } = t;
    await t.stop({ keepData: true });
    // Longer than a one-second day rounded up to the next: due while nobody runs.
    await new Promise((resolve) => setTimeout(resolve, 2200));
    t = await startTestVigil({ fsync: false, config, dataDir });
    s3 = t.s3;
    const records = await receiveRecords(t, 'lifecycle-events', 1);
    expect(records.map((r) => [r.eventName, r.s3.object['key']])).toEqual([
      ['LifecycleExpiration:Delete', 'tmp/restart'],
    ]);
    expect(
      (await errorOf(s3.send(new HeadObjectCommand({ Bucket, Key: 'tmp/restart' })))).name,
    ).toBe('NotFound');
  });
});
