/**
 * S3 versioning through the AWS SDK v3 against a listening Vigil: bucket versioning states,
 * version ids on writes, version-addressed reads, tags and copies, delete markers, null
 * versions in suspended buckets, ListObjectVersions paging, and the events each change
 * emits (versionId, ObjectRemoved:DeleteMarkerCreated).
 */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from './support/errors.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

const VERSION_ID = /^[A-Za-z0-9_-]{32}$/;

let t: TestVigil;
let s3: S3Client;

beforeAll(async () => {
  t = await startTestVigil({
    config: {
      queues: [{ name: 'versioned-events' }],
      delivery: { backoffBaseMs: 20, backoffMaxMs: 200, pollIntervalMs: 50 },
    },
  });
  s3 = t.s3;
});
afterAll(async () => {
  await t?.stop();
});

async function versionedBucket(status: 'Enabled' | 'Suspended' = 'Enabled'): Promise<string> {
  const Bucket = bucketName('versions');
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(
    new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: status } }),
  );
  return Bucket;
}

const put = (Bucket: string, Key: string, Body: string | Buffer) =>
  s3.send(new PutObjectCommand({ Bucket, Key, Body }));

const body = async (Bucket: string, Key: string, VersionId?: string) =>
  (await s3.send(new GetObjectCommand({ Bucket, Key, VersionId }))).Body!.transformToString();

/** Every version and marker of the bucket, as [key, versionId, latest, kind]. */
async function versionsOf(Bucket: string) {
  const listed = await s3.send(new ListObjectVersionsCommand({ Bucket }));
  return [
    ...(listed.Versions ?? []).map((v) => ({
      key: v.Key,
      id: v.VersionId,
      latest: v.IsLatest,
      marker: false,
      at: v.LastModified,
    })),
    ...(listed.DeleteMarkers ?? []).map((m) => ({
      key: m.Key,
      id: m.VersionId,
      latest: m.IsLatest,
      marker: true,
      at: m.LastModified,
    })),
  ];
}

describe('bucket versioning', () => {
  it('is unset on a new bucket, then Enabled, then Suspended', async () => {
    const Bucket = bucketName('state');
    await s3.send(new CreateBucketCommand({ Bucket }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBeUndefined();
    for (const Status of ['Enabled', 'Suspended'] as const) {
      await s3.send(
        new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status } }),
      );
      expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBe(Status);
    }
  });

  it('refuses a status S3 does not know, and MFA delete', async () => {
    const Bucket = bucketName('state-bad');
    await s3.send(new CreateBucketCommand({ Bucket }));
    const bad = await errorOf(
      s3.send(
        new PutBucketVersioningCommand({
          Bucket,
          VersioningConfiguration: { Status: 'On' as 'Enabled' },
        }),
      ),
    );
    expect([bad.name, bad.$metadata.httpStatusCode]).toEqual(['MalformedXML', 400]);
    const mfa = await errorOf(
      s3.send(
        new PutBucketVersioningCommand({
          Bucket,
          VersioningConfiguration: { Status: 'Enabled', MFADelete: 'Enabled' },
        }),
      ),
    );
    expect(mfa.name).toBe('NotImplemented');
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBeUndefined();
  });
});

describe('versions', () => {
  it('gives every write a version id and reads each version back', async () => {
    const Bucket = await versionedBucket();
    const first = await put(Bucket, 'doc.txt', 'one');
    const second = await put(Bucket, 'doc.txt', 'two');
    expect(first.VersionId).toMatch(VERSION_ID);
    expect(second.VersionId).toMatch(VERSION_ID);
    expect(second.VersionId).not.toBe(first.VersionId);

    expect(await body(Bucket, 'doc.txt')).toBe('two');
    expect(await body(Bucket, 'doc.txt', first.VersionId)).toBe('one');
    const head = await s3.send(
      new HeadObjectCommand({ Bucket, Key: 'doc.txt', VersionId: first.VersionId }),
    );
    expect(head.VersionId).toBe(first.VersionId);
    expect(head.ContentLength).toBe(3);

    expect(
      (await versionsOf(Bucket)).map(({ id, latest, marker }) => [id, latest, marker]),
    ).toEqual([
      [second.VersionId, true, false],
      [first.VersionId, false, false],
    ]);
    // ListObjectsV2 shows the current version only.
    const listed = await s3.send(new ListObjectsV2Command({ Bucket }));
    expect(listed.Contents?.map((c) => [c.Key, c.Size])).toEqual([['doc.txt', 3]]);
  });

  it('answers a version id it never gave as S3 does', async () => {
    const Bucket = await versionedBucket();
    await put(Bucket, 'k', 'x');
    const missing = await errorOf(
      s3.send(new GetObjectCommand({ Bucket, Key: 'k', VersionId: 'A'.repeat(32) })),
    );
    expect([missing.name, missing.$metadata.httpStatusCode]).toEqual(['NoSuchVersion', 404]);
    const malformed = await errorOf(
      s3.send(new GetObjectCommand({ Bucket, Key: 'k', VersionId: 'not a version' })),
    );
    expect([malformed.name, malformed.$metadata.httpStatusCode]).toEqual(['InvalidArgument', 400]);
  });

  it('keeps noncurrent versions in blob files across a restart', async () => {
    const Bucket = await versionedBucket();
    const big = randomBytes(200 * 1024); // past the inline limit: a blob file of its own
    const first = await put(Bucket, 'big.bin', big);
    await put(Bucket, 'big.bin', 'small now');
    const dataDir = t.dataDir;
    await t.vigil.stop();
    t = await startTestVigil({ dataDir });
    s3 = t.s3;
    const back = await s3.send(
      new GetObjectCommand({ Bucket, Key: 'big.bin', VersionId: first.VersionId }),
    );
    expect(Buffer.from(await back.Body!.transformToByteArray()).equals(big)).toBe(true);
  });

  it('tags a noncurrent version on its own', async () => {
    const Bucket = await versionedBucket();
    const first = await put(Bucket, 'tagged', 'one');
    await put(Bucket, 'tagged', 'two');
    const tagged = await s3.send(
      new PutObjectTaggingCommand({
        Bucket,
        Key: 'tagged',
        VersionId: first.VersionId,
        Tagging: { TagSet: [{ Key: 'BlockedContent', Value: 'true' }] },
      }),
    );
    expect(tagged.VersionId).toBe(first.VersionId);
    const tagsOf = async (VersionId?: string) =>
      (await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'tagged', VersionId }))).TagSet;
    expect(await tagsOf(first.VersionId)).toEqual([{ Key: 'BlockedContent', Value: 'true' }]);
    expect(await tagsOf()).toEqual([]);
  });

  it('copies from a named version', async () => {
    const Bucket = await versionedBucket();
    const first = await put(Bucket, 'src', 'original');
    await put(Bucket, 'src', 'changed');
    const copied = await s3.send(
      new CopyObjectCommand({
        Bucket,
        Key: 'dst',
        CopySource: `${Bucket}/src?versionId=${first.VersionId}`,
      }),
    );
    expect(copied.CopySourceVersionId).toBe(first.VersionId);
    expect(copied.VersionId).toMatch(VERSION_ID);
    expect(await body(Bucket, 'dst')).toBe('original');
  });
});

describe('delete markers', () => {
  it('hide a key without removing its versions, and go when deleted by id', async () => {
    const Bucket = await versionedBucket();
    const first = await put(Bucket, 'gone.txt', 'v1');
    const deleted = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'gone.txt' }));
    expect(deleted.DeleteMarker).toBe(true);
    expect(deleted.VersionId).toMatch(VERSION_ID);

    const hidden = await errorOf(s3.send(new GetObjectCommand({ Bucket, Key: 'gone.txt' })));
    expect([hidden.name, hidden.$metadata.httpStatusCode]).toEqual(['NoSuchKey', 404]);
    expect(hidden.$response?.headers['x-amz-delete-marker']).toBe('true');
    expect(hidden.$response?.headers['x-amz-version-id']).toBe(deleted.VersionId);
    const markerRead = await errorOf(
      s3.send(new GetObjectCommand({ Bucket, Key: 'gone.txt', VersionId: deleted.VersionId })),
    );
    expect(markerRead.$metadata.httpStatusCode).toBe(405);
    expect((await s3.send(new ListObjectsV2Command({ Bucket }))).KeyCount).toBe(0);
    expect(
      (await versionsOf(Bucket)).map(({ id, latest, marker }) => [id, latest, marker]),
    ).toEqual([
      [first.VersionId, false, false],
      [deleted.VersionId, true, true],
    ]);

    const unmarked = await s3.send(
      new DeleteObjectCommand({ Bucket, Key: 'gone.txt', VersionId: deleted.VersionId }),
    );
    expect(unmarked.DeleteMarker).toBe(true);
    expect(await body(Bucket, 'gone.txt')).toBe('v1');
  });

  it('deleting the current version by id makes the previous one current', async () => {
    const Bucket = await versionedBucket();
    const first = await put(Bucket, 'k', 'first');
    const second = await put(Bucket, 'k', 'second');
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: second.VersionId }));
    expect(await body(Bucket, 'k')).toBe('first');
    expect((await versionsOf(Bucket)).map((v) => [v.id, v.latest])).toEqual([
      [first.VersionId, true],
    ]);
  });

  it('DeleteObjects makes markers, or deletes the versions named', async () => {
    const Bucket = await versionedBucket();
    const a = await put(Bucket, 'a', 'a');
    await put(Bucket, 'b', 'b');
    const result = await s3.send(
      new DeleteObjectsCommand({
        Bucket,
        Delete: { Objects: [{ Key: 'a', VersionId: a.VersionId }, { Key: 'b' }] },
      }),
    );
    expect(result.Deleted).toEqual([
      { Key: 'a', VersionId: a.VersionId },
      {
        Key: 'b',
        DeleteMarker: true,
        DeleteMarkerVersionId: expect.stringMatching(VERSION_ID) as string,
      },
    ]);
    expect((await versionsOf(Bucket)).map((v) => [v.key, v.marker, v.latest])).toEqual([
      ['b', false, false],
      ['b', true, true],
    ]);
  });

  it('keep a bucket from being deleted until every version is gone', async () => {
    const Bucket = await versionedBucket();
    const written = await put(Bucket, 'k', 'x');
    const marker = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k' }));
    const refused = await errorOf(s3.send(new DeleteBucketCommand({ Bucket })));
    expect(refused.name).toBe('BucketNotEmpty');
    for (const VersionId of [written.VersionId, marker.VersionId])
      await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId }));
    await s3.send(new DeleteBucketCommand({ Bucket }));
  });
});

describe('a suspended bucket', () => {
  it('writes the null version, replacing the null one and keeping older versions', async () => {
    const Bucket = await versionedBucket();
    const kept = await put(Bucket, 'k', 'versioned');
    await s3.send(
      new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } }),
    );
    const nullOne = await put(Bucket, 'k', 'null one');
    expect(nullOne.VersionId).toBe('null');
    await put(Bucket, 'k', 'null two');
    expect(await body(Bucket, 'k', 'null')).toBe('null two');
    expect((await versionsOf(Bucket)).map((v) => [v.id, v.latest])).toEqual([
      ['null', true],
      [kept.VersionId, false],
    ]);
    const marker = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k' }));
    expect([marker.DeleteMarker, marker.VersionId]).toEqual([true, 'null']);
    expect((await versionsOf(Bucket)).map((v) => [v.id, v.marker])).toEqual([
      [kept.VersionId, false],
      ['null', true],
    ]);
  });
});

describe('ListObjectVersions', () => {
  it('pages by key and version-id markers, with common prefixes', async () => {
    const Bucket = await versionedBucket();
    const ids: string[] = [];
    for (const text of ['1', '2', '3']) ids.unshift((await put(Bucket, 'a/x', text)).VersionId!);
    ids.push((await put(Bucket, 'b', 'b')).VersionId!);
    await put(Bucket, 'c/deep/y', 'y');
    const seen: string[] = [];
    let KeyMarker: string | undefined;
    let VersionIdMarker: string | undefined;
    for (let page = 0; page < 10; page++) {
      const listed = await s3.send(
        new ListObjectVersionsCommand({ Bucket, MaxKeys: 2, KeyMarker, VersionIdMarker }),
      );
      seen.push(...(listed.Versions ?? []).map((v) => `${v.Key}@${v.VersionId}`));
      if (!listed.IsTruncated) break;
      KeyMarker = listed.NextKeyMarker;
      VersionIdMarker = listed.NextVersionIdMarker;
    }
    expect(seen.slice(0, 4)).toEqual([...ids.slice(0, 3).map((id) => `a/x@${id}`), `b@${ids[3]}`]);
    expect(seen).toHaveLength(5);

    const rolled = await s3.send(new ListObjectVersionsCommand({ Bucket, Delimiter: '/' }));
    expect(rolled.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'c/']);
    expect(rolled.Versions?.map((v) => v.Key)).toEqual(['b']);
  });
});

describe('events', () => {
  it('carry versionId, and a delete that makes a marker is ObjectRemoved:DeleteMarkerCreated', async () => {
    const Bucket = await versionedBucket();
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket,
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              Id: 'all',
              QueueArn: 'arn:aws:sqs:us-east-1:000000000000:versioned-events',
              Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
            },
          ],
        },
      }),
    );
    const written = await put(Bucket, 'e.txt', 'e');
    const marker = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'e.txt' }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'e.txt', VersionId: written.VersionId }));

    const sqs = new SQSClient({
      endpoint: t.url,
      region: 'us-east-1',
      credentials: { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey },
    });
    const QueueUrl = `${t.url}/000000000000/versioned-events`;
    const records: { eventName: string; s3: { object: Record<string, unknown> } }[] = [];
    try {
      const deadline = Date.now() + 10_000;
      while (records.length < 3 && Date.now() < deadline) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        for (const m of Messages) {
          // The s3:TestEvent the configuration sent has no Records.
          records.push(...((JSON.parse(m.Body!) as { Records?: typeof records }).Records ?? []));
          await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
        }
      }
    } finally {
      sqs.destroy();
    }
    expect(records.map((r) => [r.eventName, r.s3.object])).toEqual([
      [
        'ObjectCreated:Put',
        {
          key: 'e.txt',
          size: 1,
          eTag: 'e1671797c52e15f763380b45e841ec32',
          versionId: written.VersionId,
          sequencer: expect.any(String) as string,
        },
      ],
      [
        'ObjectRemoved:DeleteMarkerCreated',
        {
          key: 'e.txt',
          eTag: 'd41d8cd98f00b204e9800998ecf8427e',
          versionId: marker.VersionId,
          sequencer: expect.any(String) as string,
        },
      ],
      [
        'ObjectRemoved:Delete',
        { key: 'e.txt', versionId: written.VersionId, sequencer: expect.any(String) as string },
      ],
    ]);
  });
});
