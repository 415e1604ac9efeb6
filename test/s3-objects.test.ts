import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from './support/errors.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

const md5 = (data: Uint8Array | string) => createHash('md5').update(data).digest('hex');

describe('objects through the AWS SDK', () => {
  let t: TestVigil;
  const bucket = bucketName('objects');
  beforeAll(async () => {
    t = await startTestVigil();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  afterAll(async () => {
    await t.stop();
  });

  const get = (
    Key: string,
    extra: Partial<ConstructorParameters<typeof GetObjectCommand>[0]> = {},
  ) => t.s3.send(new GetObjectCommand({ Bucket: bucket, Key, ...extra }));

  it('round-trips bytes, ETag and the stored headers', async () => {
    const body = randomBytes(100_000);
    const put = await t.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'photos/cat.jpg',
        Body: body,
        ContentType: 'image/jpeg',
        CacheControl: 'max-age=60',
        ContentDisposition: 'attachment; filename="cat.jpg"',
        ContentEncoding: 'identity',
        ContentLanguage: 'en',
        Metadata: { owner: 'alice', 'camera-model': 'X100' },
      }),
    );
    expect(put.ETag).toBe(`"${md5(body)}"`);
    const got = await get('photos/cat.jpg');
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
    expect(got.ETag).toBe(`"${md5(body)}"`);
    expect(got.ContentType).toBe('image/jpeg');
    expect(got.CacheControl).toBe('max-age=60');
    expect(got.ContentDisposition).toBe('attachment; filename="cat.jpg"');
    expect(got.ContentEncoding).toBe('identity');
    expect(got.ContentLanguage).toBe('en');
    expect(got.Metadata).toEqual({ owner: 'alice', 'camera-model': 'X100' });
    expect(got.ContentLength).toBe(body.length);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'photos/cat.jpg' }));
    expect(head.ContentLength).toBe(body.length);
    expect(head.LastModified).toBeInstanceOf(Date);
    expect(head.Metadata).toEqual({ owner: 'alice', 'camera-model': 'X100' });
  });

  it('stores and verifies the SDK default checksum (CRC32) and returns it on request', async () => {
    const put = await t.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'crc', Body: '123456789' }),
    );
    expect(put.ChecksumCRC32).toBe('y/Q5Jg==');
    const got = await get('crc', { ChecksumMode: 'ENABLED' });
    expect(got.ChecksumCRC32).toBe('y/Q5Jg==');
    expect(await got.Body!.transformToString()).toBe('123456789');
  });

  it.each(['CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'] as const)(
    'accepts %s checksums',
    async (algorithm) => {
      const put = await t.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `sum-${algorithm}`,
          Body: randomBytes(3000),
          ChecksumAlgorithm: algorithm,
        }),
      );
      expect(put[`Checksum${algorithm}`]).toBeTruthy();
    },
  );

  it('keeps keys, metadata and values that look like numbers as strings', async () => {
    for (const key of ['123', '1e5', '0x10', '007', 'true']) {
      await t.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `numbers/${key}`,
          Body: key,
          Metadata: { n: key },
        }),
      );
    }
    const listed = await t.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'numbers/' }),
    );
    expect(listed.Contents?.map((c) => c.Key)).toEqual([
      'numbers/007',
      'numbers/0x10',
      'numbers/123',
      'numbers/1e5',
      'numbers/true',
    ]);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'numbers/1e5' }));
    expect(head.Metadata?.['n']).toBe('1e5');
  });

  it('takes UTF-8 metadata as the SDK signs and sends it, answering it RFC 2047-encoded as S3 does', async () => {
    // Node sends these header bytes as UTF-8 (the body goes out in the same write), and the
    // SDK signs the UTF-8 text: the canonical request must read the bytes as UTF-8 too.
    await t.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'latin',
        Body: 'u',
        Metadata: { title: 'Zoë ünï café' },
      }),
    );
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'latin' }));
    expect(head.Metadata?.['title']).toBe(
      `=?UTF-8?B?${Buffer.from('Zoë ünï café', 'utf8').toString('base64')}?=`,
    );
  });

  it('round-trips Unicode keys and RFC 2047-encoded Unicode metadata', async () => {
    const key = 'ünïcødé/日本語 ファイル+plus&amp;?.txt';
    const encoded = `=?UTF-8?B?${Buffer.from('Zoë 🚀', 'utf8').toString('base64')}?=`;
    await t.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'u', Metadata: { title: encoded } }),
    );
    const got = await get(key);
    expect(await got.Body!.transformToString()).toBe('u');
    expect(got.Metadata?.['title']).toBe(encoded);
    const listed = await t.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'ünïcødé/' }),
    );
    expect(listed.Contents?.[0]?.Key).toBe(key);
  });

  it('serves byte ranges and rejects unsatisfiable ones with InvalidRange', async () => {
    const body = Buffer.from('0123456789');
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'range', Body: body }));
    const cases: [string, string, string][] = [
      ['bytes=2-5', '2345', 'bytes 2-5/10'],
      ['bytes=7-', '789', 'bytes 7-9/10'],
      ['bytes=-3', '789', 'bytes 7-9/10'],
      ['bytes=8-100', '89', 'bytes 8-9/10'],
    ];
    for (const [Range, expected, contentRange] of cases) {
      const got = await get('range', { Range });
      expect(await got.Body!.transformToString()).toBe(expected);
      expect(got.ContentRange).toBe(contentRange);
      expect(got.$metadata.httpStatusCode).toBe(206);
    }
    const error = await errorOf(get('range', { Range: 'bytes=10-20' }));
    expect(error.name).toBe('InvalidRange');
    expect(error.$metadata.httpStatusCode).toBe(416);
  });

  it('honours If-Match, If-None-Match, If-Modified-Since and If-Unmodified-Since', async () => {
    const put = await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cond', Body: 'c' }));
    const etag = put.ETag!;
    const past = new Date(Date.now() - 3600_000);
    const future = new Date(Date.now() + 3600_000);
    expect((await get('cond', { IfMatch: etag })).$metadata.httpStatusCode).toBe(200);
    expect((await errorOf(get('cond', { IfMatch: '"nope"' }))).$metadata.httpStatusCode).toBe(412);
    expect((await errorOf(get('cond', { IfNoneMatch: etag }))).$metadata.httpStatusCode).toBe(304);
    expect((await get('cond', { IfNoneMatch: '"other"' })).$metadata.httpStatusCode).toBe(200);
    expect((await errorOf(get('cond', { IfModifiedSince: future }))).$metadata.httpStatusCode).toBe(
      304,
    );
    expect((await get('cond', { IfModifiedSince: past })).$metadata.httpStatusCode).toBe(200);
    expect((await errorOf(get('cond', { IfUnmodifiedSince: past }))).$metadata.httpStatusCode).toBe(
      412,
    );
    expect((await get('cond', { IfUnmodifiedSince: future })).$metadata.httpStatusCode).toBe(200);
    // If-Match that holds wins over a failing If-Unmodified-Since (RFC 9110, as S3 does).
    expect(
      (await get('cond', { IfMatch: etag, IfUnmodifiedSince: past })).$metadata.httpStatusCode,
    ).toBe(200);
    const error = await errorOf(
      t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'cond', IfMatch: '"nope"' })),
    );
    expect(error.$metadata.httpStatusCode).toBe(412);
  });

  it('supports conditional writes with If-None-Match: *', async () => {
    await t.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'once', Body: '1', IfNoneMatch: '*' }),
    );
    const error = await errorOf(
      t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'once', Body: '2', IfNoneMatch: '*' })),
    );
    expect(error.$metadata.httpStatusCode).toBe(412);
    expect(await (await get('once')).Body!.transformToString()).toBe('1');
  });

  it('applies response-* overrides', async () => {
    await t.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'override',
        Body: 'o',
        ContentType: 'text/plain',
      }),
    );
    const got = await get('override', {
      ResponseContentType: 'application/x-custom',
      ResponseContentDisposition: 'inline',
      ResponseCacheControl: 'no-store',
      ResponseContentLanguage: 'fr',
      ResponseContentEncoding: 'identity',
    });
    expect(got.ContentType).toBe('application/x-custom');
    expect(got.ContentDisposition).toBe('inline');
    expect(got.CacheControl).toBe('no-store');
    expect(got.ContentLanguage).toBe('fr');
    expect(got.ContentEncoding).toBe('identity');
  });

  it('reports NoSuchKey and NoSuchBucket', async () => {
    const missingKey = await errorOf(get('no/such/key'));
    expect(missingKey.name).toBe('NoSuchKey');
    expect(missingKey.$metadata.httpStatusCode).toBe(404);
    const missingBucket = await errorOf(
      t.s3.send(new GetObjectCommand({ Bucket: bucketName('nope'), Key: 'k' })),
    );
    expect(missingBucket.name).toBe('NoSuchBucket');
    const headMissing = await errorOf(
      t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'no/such/key' })),
    );
    expect(headMissing.$metadata.httpStatusCode).toBe(404);
  });

  it('deletes objects; deleting a missing key succeeds', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'gone', Body: 'g' }));
    const deleted = await t.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'gone' }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect((await errorOf(get('gone'))).name).toBe('NoSuchKey');
    const again = await t.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'gone' }));
    expect(again.$metadata.httpStatusCode).toBe(204);
  });

  it('deletes many objects with DeleteObjects, reporting every key named', async () => {
    const keys = ['multi/a', 'multi/b', 'multi/1e5', 'multi/ spaced '];
    for (const Key of keys)
      await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key }));
    const result = await t.s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: [...keys, 'multi/never-existed'].map((Key) => ({ Key })) },
      }),
    );
    expect(result.Deleted?.map((d) => d.Key).sort()).toEqual(
      [...keys, 'multi/never-existed'].sort(),
    );
    expect(result.Errors ?? []).toEqual([]);
    const listed = await t.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'multi/' }));
    expect(listed.KeyCount).toBe(0);
    const quiet = await t.s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: [{ Key: 'multi/x' }], Quiet: true },
      }),
    );
    expect(quiet.Deleted ?? []).toEqual([]);
  });

  it('copies objects with COPY and REPLACE metadata and tagging directives', async () => {
    await t.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'copy/src',
        Body: 'source bytes',
        ContentType: 'text/plain',
        Metadata: { a: '1' },
        Tagging: 'team=blue',
      }),
    );
    const copied = await t.s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'copy/same-meta',
        CopySource: `${bucket}/copy/src`,
      }),
    );
    expect(copied.CopyObjectResult?.ETag).toBe(`"${md5('source bytes')}"`);
    const same = await get('copy/same-meta');
    expect(await same.Body!.transformToString()).toBe('source bytes');
    expect(same.Metadata).toEqual({ a: '1' });
    expect(same.ContentType).toBe('text/plain');
    expect(same.TagCount).toBe(1);

    await t.s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'copy/replaced',
        CopySource: `${bucket}/copy/src`,
        MetadataDirective: 'REPLACE',
        Metadata: { b: '2' },
        ContentType: 'application/json',
        TaggingDirective: 'REPLACE',
        Tagging: 'x=1&y=2',
      }),
    );
    const replaced = await t.s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: 'copy/replaced' }),
    );
    expect(replaced.Metadata).toEqual({ b: '2' });
    expect(replaced.ContentType).toBe('application/json');
    expect(replaced.TagCount).toBe(2);
  });

  it('copies keys that need URL encoding, and refuses a no-op copy onto itself', async () => {
    const key = 'copy/with space+plus/ü.txt';
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'enc' }));
    await t.s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'copy/enc-dst',
        CopySource: encodeURIComponent(`${bucket}/${key}`),
      }),
    );
    expect(await (await get('copy/enc-dst')).Body!.transformToString()).toBe('enc');
    const error = await errorOf(
      t.s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: 'copy/enc-dst',
          CopySource: `${bucket}/copy/enc-dst`,
        }),
      ),
    );
    expect(error.name).toBe('InvalidRequest');
    const missing = await errorOf(
      t.s3.send(
        new CopyObjectCommand({ Bucket: bucket, Key: 'x', CopySource: `${bucket}/copy/missing` }),
      ),
    );
    expect(missing.name).toBe('NoSuchKey');
    const precondition = await errorOf(
      t.s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: 'x',
          CopySource: `${bucket}/${key}`,
          CopySourceIfMatch: '"nope"',
        }),
      ),
    );
    expect(precondition.$metadata.httpStatusCode).toBe(412);
  });

  it('handles empty objects', async () => {
    const put = await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'empty', Body: '' }));
    expect(put.ETag).toBe(`"${md5('')}"`);
    const got = await get('empty');
    expect(got.ContentLength).toBe(0);
    expect((await got.Body!.transformToByteArray()).length).toBe(0);
  });
});
