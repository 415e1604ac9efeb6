import {
  CreateBucketCommand,
  DeleteObjectTaggingCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from './support/errors.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

describe('object tagging through the AWS SDK', () => {
  let t: TestVigil;
  const bucket = bucketName('tags');
  beforeAll(async () => {
    t = await startTestVigil();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  afterAll(async () => {
    await t.stop();
  });

  const tagsOf = async (Key: string) =>
    (await t.s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key }))).TagSet ?? [];

  it('puts, gets and deletes tags, and counts them on GET and HEAD', async () => {
    await t.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'img.jpg',
        Body: 'i',
        Tagging: 'a=1&b=two%20words',
      }),
    );
    expect(await tagsOf('img.jpg')).toEqual([
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: 'two words' },
    ]);
    await t.s3.send(
      new PutObjectTaggingCommand({
        Bucket: bucket,
        Key: 'img.jpg',
        Tagging: {
          TagSet: [
            { Key: 'BlockedContent', Value: 'true' },
            { Key: 'n', Value: '1e5' },
            { Key: 'empty', Value: '' },
          ],
        },
      }),
    );
    expect(await tagsOf('img.jpg')).toEqual([
      { Key: 'BlockedContent', Value: 'true' },
      { Key: 'n', Value: '1e5' },
      { Key: 'empty', Value: '' },
    ]);
    expect(
      (await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'img.jpg' }))).$metadata
        .httpStatusCode,
    ).toBe(200);
    const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'img.jpg' }));
    expect(got.TagCount).toBe(3);
    await t.s3.send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key: 'img.jpg' }));
    expect(await tagsOf('img.jpg')).toEqual([]);
    const after = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'img.jpg' }));
    expect(after.TagCount).toBeUndefined();
  });

  it.each([
    ['more than 10 tags', Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }))],
    ['a 129-character key', [{ Key: 'k'.repeat(129), Value: 'v' }]],
    ['a 257-character value', [{ Key: 'k', Value: 'v'.repeat(257) }]],
    [
      'duplicate keys',
      [
        { Key: 'k', Value: '1' },
        { Key: 'k', Value: '2' },
      ],
    ],
    ['an aws: prefix', [{ Key: 'aws:reserved', Value: 'v' }]],
  ])('rejects %s with InvalidTag and keeps the old tags', async (_name, TagSet) => {
    await t.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'limits', Body: 'l', Tagging: 'keep=me' }),
    );
    const error = await errorOf(
      t.s3.send(
        new PutObjectTaggingCommand({ Bucket: bucket, Key: 'limits', Tagging: { TagSet } }),
      ),
    );
    expect(error.name).toBe('InvalidTag');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(await tagsOf('limits')).toEqual([{ Key: 'keep', Value: 'me' }]);
  });

  it('keeps tags in the order they were given, on PutObject and PutObjectTagging', async () => {
    await t.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'order', Body: 'o', Tagging: 'z=1&a=2&m=3' }),
    );
    expect((await tagsOf('order')).map((tag) => tag.Key)).toEqual(['z', 'a', 'm']);
    await t.s3.send(
      new PutObjectTaggingCommand({
        Bucket: bucket,
        Key: 'order',
        Tagging: { TagSet: ['q', 'b', 'x', 'c'].map((Key) => ({ Key, Value: Key })) },
      }),
    );
    expect((await tagsOf('order')).map((tag) => tag.Key)).toEqual(['q', 'b', 'x', 'c']);
  });

  it('accepts the limits exactly (10 tags, 128-character keys, 256-character values)', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'edge', Body: 'e' }));
    const TagSet = Array.from({ length: 10 }, (_, i) => ({
      Key: `${i}`.padEnd(128, 'k'),
      Value: 'v'.repeat(256),
    }));
    await t.s3.send(
      new PutObjectTaggingCommand({ Bucket: bucket, Key: 'edge', Tagging: { TagSet } }),
    );
    expect(await tagsOf('edge')).toEqual(TagSet);
  });

  it('rejects an oversized x-amz-tagging header on PutObject and writes nothing', async () => {
    const tagging = Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&');
    const error = await errorOf(
      t.s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'never', Body: 'n', Tagging: tagging }),
      ),
    );
    expect(error.name).toBe('InvalidTag');
    expect(
      (await errorOf(t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'never' })))).$metadata
        .httpStatusCode,
    ).toBe(404);
  });

  it('reports NoSuchKey when tagging a missing object', async () => {
    const error = await errorOf(
      t.s3.send(
        new PutObjectTaggingCommand({
          Bucket: bucket,
          Key: 'missing',
          Tagging: { TagSet: [{ Key: 'a', Value: 'b' }] },
        }),
      ),
    );
    expect(error.name).toBe('NoSuchKey');
  });
});
