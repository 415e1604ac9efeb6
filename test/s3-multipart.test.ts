import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from './support/errors.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

const MiB = 1024 * 1024;
const md5 = (data: Uint8Array) => createHash('md5').update(data).digest();

describe('multipart uploads through the AWS SDK', () => {
  let t: TestVigil;
  const bucket = bucketName('mpu');
  beforeAll(async () => {
    t = await startTestVigil();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  afterAll(async () => {
    await t.stop();
  });

  const create = async (Key: string, extra: Record<string, unknown> = {}) =>
    (await t.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key, ...extra })))
      .UploadId!;
  const upload = async (Key: string, UploadId: string, PartNumber: number, Body: Buffer) =>
    (await t.s3.send(new UploadPartCommand({ Bucket: bucket, Key, UploadId, PartNumber, Body })))
      .ETag!;

  it('assembles parts into one object with the md5-of-md5s-N ETag', async () => {
    const key = 'big/1e5';
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(1234)];
    const uploadId = await create(key, {
      ContentType: 'video/mp4',
      Metadata: { m: '1' },
      Tagging: 'kind=video',
    });
    const etags: string[] = [];
    // Out of order, and part 2 uploaded twice: the last upload wins.
    etags[2] = await upload(key, uploadId, 3, parts[2]!);
    await upload(key, uploadId, 2, randomBytes(5 * MiB));
    etags[1] = await upload(key, uploadId, 2, parts[1]!);
    etags[0] = await upload(key, uploadId, 1, parts[0]!);
    const listed = await t.s3.send(
      new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId }),
    );
    expect(listed.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag])).toEqual([
      [1, 5 * MiB, etags[0]],
      [2, 5 * MiB, etags[1]],
      [3, 1234, etags[2]],
    ]);
    const inProgress = await t.s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(inProgress.Uploads?.map((u) => u.UploadId)).toContain(uploadId);

    const done = await t.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    const expected = createHash('md5')
      .update(Buffer.concat(parts.map(md5)))
      .digest('hex');
    expect(done.ETag).toBe(`"${expected}-3"`);
    expect(done.Key).toBe(key);
    const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(parts))).toBe(
      true,
    );
    expect(got.ContentType).toBe('video/mp4');
    expect(got.Metadata).toEqual({ m: '1' });
    const tags = await t.s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
    expect(tags.TagSet).toEqual([{ Key: 'kind', Value: 'video' }]);
    // A range spanning the boundary between two parts.
    const span = await t.s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        Range: `bytes=${5 * MiB - 3}-${5 * MiB + 2}`,
      }),
    );
    expect(Buffer.from(await span.Body!.transformToByteArray())).toEqual(
      Buffer.concat(parts).subarray(5 * MiB - 3, 5 * MiB + 3),
    );
    const part2 = await t.s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: key, PartNumber: 2 }),
    );
    expect(part2.PartsCount).toBe(3);
    expect(part2.ContentLength).toBe(5 * MiB);
    const after = await t.s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(after.Uploads?.map((u) => u.UploadId) ?? []).not.toContain(uploadId);
  });

  // Reading an object of more than ten parts once added a 'close' listener per part to one
  // stream: MaxListenersExceededWarning under load.
  it('reads objects of many parts, whole and by range, without piling up listeners', async () => {
    const key = 'big/eleven-parts';
    const parts = [...Array.from({ length: 10 }, () => randomBytes(5 * MiB)), randomBytes(999)];
    const uploadId = await create(key);
    const etags = await Promise.all(parts.map((body, i) => upload(key, uploadId, i + 1, body)));
    await t.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    const whole = Buffer.concat(parts);
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const read = async (Range?: string) =>
        Buffer.from(
          await (
            await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range }))
          ).Body!.transformToByteArray(),
        );
      const [all, span] = await Promise.all([read(), read(`bytes=7-${whole.length - 8}`)]);
      expect(md5(all)).toEqual(md5(whole));
      expect(md5(span)).toEqual(md5(whole.subarray(7, whole.length - 7)));
      await new Promise((resolve) => setImmediate(resolve)); // warnings arrive on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
  });

  it('enforces part order, part existence, ETags and the 5 MiB minimum', async () => {
    const key = 'rules';
    const uploadId = await create(key);
    const e1 = await upload(key, uploadId, 1, randomBytes(1024));
    const e2 = await upload(key, uploadId, 2, randomBytes(1024));
    const complete = (Parts: { ETag: string; PartNumber: number }[]) =>
      t.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts },
        }),
      );
    expect(
      (
        await errorOf(
          complete([
            { ETag: e2, PartNumber: 2 },
            { ETag: e1, PartNumber: 1 },
          ]),
        )
      ).name,
    ).toBe('InvalidPartOrder');
    expect(
      (
        await errorOf(
          complete([
            { ETag: e1, PartNumber: 1 },
            { ETag: e1, PartNumber: 3 },
          ]),
        )
      ).name,
    ).toBe('InvalidPart');
    expect((await errorOf(complete([{ ETag: '"0123"', PartNumber: 1 }]))).name).toBe('InvalidPart');
    expect(
      (
        await errorOf(
          complete([
            { ETag: e1, PartNumber: 1 },
            { ETag: e2, PartNumber: 2 },
          ]),
        )
      ).name,
    ).toBe('EntityTooSmall');
    // A single small part is fine: only parts before the last must be 5 MiB.
    const ok = await complete([{ ETag: e1, PartNumber: 1 }]);
    expect(ok.ETag).toMatch(/-1"$/);
  });

  it('rejects part numbers outside 1..10000', async () => {
    const uploadId = await create('bad-part');
    const error = await errorOf(upload('bad-part', uploadId, 10001, randomBytes(10)));
    expect(error.name).toBe('InvalidArgument');
  });

  it('answers a retried CompleteMultipartUpload with the same result, writing nothing again', async () => {
    const uploadId = await create('retried');
    const part = await upload('retried', uploadId, 1, randomBytes(100));
    const complete = (parts: { ETag: string; PartNumber: number }[]) =>
      t.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: 'retried',
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    const first = await complete([{ ETag: part, PartNumber: 1 }]);
    const written = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'retried' }));
    const again = await complete([{ ETag: part, PartNumber: 1 }]);
    expect(again.ETag).toBe(first.ETag);
    expect(again.Key).toBe('retried');
    const after = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'retried' }));
    expect(after.LastModified).toEqual(written.LastModified);
    // Other parts than the completion named are not a retry of it.
    const other = await errorOf(
      complete([{ ETag: '"00000000000000000000000000000000"', PartNumber: 1 }]),
    );
    expect(other.name).toBe('NoSuchUpload');
  });

  it('aborts uploads; their id is then unknown', async () => {
    const uploadId = await create('aborted');
    await upload('aborted', uploadId, 1, randomBytes(100));
    await t.s3.send(
      new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'aborted', UploadId: uploadId }),
    );
    const error = await errorOf(upload('aborted', uploadId, 2, randomBytes(100)));
    expect(error.name).toBe('NoSuchUpload');
    const abortAgain = await errorOf(
      t.s3.send(
        new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'aborted', UploadId: uploadId }),
      ),
    );
    expect(abortAgain.name).toBe('NoSuchUpload');
  });

  it('copies ranges of existing objects into parts with UploadPartCopy', async () => {
    const source = randomBytes(6 * MiB);
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'copy-source', Body: source }));
    const uploadId = await create('copied');
    const p1 = await t.s3.send(
      new UploadPartCopyCommand({
        Bucket: bucket,
        Key: 'copied',
        UploadId: uploadId,
        PartNumber: 1,
        CopySource: `${bucket}/copy-source`,
        CopySourceRange: `bytes=0-${5 * MiB - 1}`,
      }),
    );
    const p2 = await t.s3.send(
      new UploadPartCopyCommand({
        Bucket: bucket,
        Key: 'copied',
        UploadId: uploadId,
        PartNumber: 2,
        CopySource: `${bucket}/copy-source`,
        CopySourceRange: `bytes=${5 * MiB}-${6 * MiB - 1}`,
      }),
    );
    await t.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'copied',
        UploadId: uploadId,
        MultipartUpload: {
          Parts: [
            { ETag: p1.CopyPartResult!.ETag!, PartNumber: 1 },
            { ETag: p2.CopyPartResult!.ETag!, PartNumber: 2 },
          ],
        },
      }),
    );
    const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'copied' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(source)).toBe(true);
    const badRange = await errorOf(
      t.s3.send(
        new UploadPartCopyCommand({
          Bucket: bucket,
          Key: 'copied2',
          UploadId: await create('copied2'),
          PartNumber: 1,
          CopySource: `${bucket}/copy-source`,
          CopySourceRange: `bytes=0-${7 * MiB}`,
        }),
      ),
    );
    expect(badRange.name).toBe('InvalidArgument');
  });
});
