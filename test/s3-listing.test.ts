import {
  CreateBucketCommand,
  ListObjectVersionsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from './support/errors.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

// Chosen so UTF-8 byte order differs from UTF-16 order (U+FF21 vs U+1F600) and from
// locale order (uppercase before lowercase).
const KEYS = [
  'a/1.jpg',
  'a/2.jpg',
  'a/b/3.jpg',
  'a/b/4.png',
  'a/c/5.jpg',
  'B-upper',
  'b/6.txt',
  'c d/7.txt',
  'z/😀',
  'z/Ａ',
  'zz',
];
const BYTE_ORDER = [...KEYS].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));

describe('listing through the AWS SDK', () => {
  let t: TestVigil;
  const bucket = bucketName('list');
  beforeAll(async () => {
    t = await startTestVigil();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const Key of [...KEYS].reverse()) {
      await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key }));
    }
  });
  afterAll(async () => {
    await t.stop();
  });

  it('lists every key in UTF-8 binary order', async () => {
    const listed = await t.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(listed.Contents?.map((c) => c.Key)).toEqual(BYTE_ORDER);
    expect(BYTE_ORDER.indexOf('z/Ａ')).toBeLessThan(BYTE_ORDER.indexOf('z/😀'));
    expect(listed.KeyCount).toBe(KEYS.length);
    expect(listed.IsTruncated).toBe(false);
    expect(listed.Contents?.[0]?.Size).toBe(Buffer.byteLength(BYTE_ORDER[0]!));
    expect(listed.Contents?.[0]?.StorageClass).toBe('STANDARD');
  });

  it('rolls keys into CommonPrefixes with a delimiter', async () => {
    const top = await t.s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/' }));
    expect(top.Contents?.map((c) => c.Key)).toEqual(['B-upper', 'zz']);
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'b/', 'c d/', 'z/']);
    const inA = await t.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'a/', Delimiter: '/' }),
    );
    expect(inA.Contents?.map((c) => c.Key)).toEqual(['a/1.jpg', 'a/2.jpg']);
    expect(inA.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/b/', 'a/c/']);
  });

  it('pages with max-keys and continuation tokens, counting common prefixes', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page: ListObjectsV2CommandOutput = await t.s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Delimiter: '/',
          MaxKeys: 2,
          ContinuationToken: token,
        }),
      );
      seen.push(
        ...(page.Contents ?? []).map((c) => c.Key!),
        ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!),
      );
      expect(page.KeyCount).toBeLessThanOrEqual(2);
      token = page.NextContinuationToken;
      if (page.IsTruncated) expect(token).toBeTruthy();
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(['B-upper', 'a/', 'b/', 'c d/', 'z/', 'zz'].sort());
  });

  it('starts after a key', async () => {
    const listed = await t.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, StartAfter: 'b/6.txt' }),
    );
    expect(listed.Contents?.map((c) => c.Key)).toEqual(
      BYTE_ORDER.slice(BYTE_ORDER.indexOf('b/6.txt') + 1),
    );
  });

  it('URL-encodes keys and prefixes with encoding-type=url', async () => {
    const listed = await t.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'c d/', EncodingType: 'url' }),
    );
    expect(listed.EncodingType).toBe('url');
    expect(listed.Contents?.map((c) => c.Key)).toEqual(['c%20d/7.txt']);
    expect(listed.Prefix).toBe('c%20d/');
  });

  it('encodes as ceph s3-tests expect of S3: a space as %20, a + as %2B, / kept', async () => {
    const name = bucketName('encoding');
    await t.s3.send(new CreateBucketCommand({ Bucket: name }));
    for (const Key of ['foo+1/bar', 'foo/bar/xyzzy', 'quux ab/thud', 'asdf+b', 'tilde~star*'])
      await t.s3.send(new PutObjectCommand({ Bucket: name, Key, Body: 'x' }));
    const listed = await t.s3.send(
      new ListObjectsCommand({ Bucket: name, Delimiter: '/', EncodingType: 'url' }),
    );
    expect(listed.Contents?.map((c) => c.Key)).toEqual(['asdf%2Bb', 'tilde~star%2A']);
    expect(listed.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['foo%2B1/', 'foo/', 'quux%20ab/']);
  });

  it('refuses an empty continuation token, as S3 does', async () => {
    const error = await errorOf(
      t.s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: '' })),
    );
    expect([error.name, error.$metadata.httpStatusCode, error.message]).toEqual([
      'InvalidArgument',
      400,
      'The continuation token provided is incorrect',
    ]);
  });

  it('rejects bad listing arguments', async () => {
    expect(
      (
        await errorOf(
          t.s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: 'garbage' })),
        )
      ).name,
    ).toBe('InvalidArgument');
    expect(
      (
        await errorOf(
          t.s3.send(new ListObjectsV2Command({ Bucket: bucket, EncodingType: 'base64' as 'url' })),
        )
      ).name,
    ).toBe('InvalidArgument');
    expect(
      (await errorOf(t.s3.send(new ListObjectsV2Command({ Bucket: bucketName('none') })))).name,
    ).toBe('NoSuchBucket');
  });

  it('pages ListObjects (v1) with markers', async () => {
    const first = await t.s3.send(new ListObjectsCommand({ Bucket: bucket, MaxKeys: 4 }));
    expect(first.Contents?.map((c) => c.Key)).toEqual(BYTE_ORDER.slice(0, 4));
    expect(first.IsTruncated).toBe(true);
    const second = await t.s3.send(
      new ListObjectsCommand({ Bucket: bucket, Marker: first.Contents!.at(-1)!.Key }),
    );
    expect(second.Contents?.map((c) => c.Key)).toEqual(BYTE_ORDER.slice(4));
    const delimited = await t.s3.send(
      new ListObjectsCommand({ Bucket: bucket, Delimiter: '/', MaxKeys: 1 }),
    );
    expect(delimited.NextMarker).toBe('B-upper');
  });

  it('lists every object as version null with ListObjectVersions', async () => {
    const versions = await t.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 5 }));
    expect(versions.Versions?.map((v) => v.Key)).toEqual(BYTE_ORDER.slice(0, 5));
    expect(versions.Versions?.every((v) => v.VersionId === 'null' && v.IsLatest === true)).toBe(
      true,
    );
    expect(versions.IsTruncated).toBe(true);
    const rest = await t.s3.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        KeyMarker: versions.NextKeyMarker,
        VersionIdMarker: versions.NextVersionIdMarker,
      }),
    );
    expect(rest.Versions?.map((v) => v.Key)).toEqual(BYTE_ORDER.slice(5));
  });
});
