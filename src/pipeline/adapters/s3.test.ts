import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketName, startTestVigil, type TestVigil } from '../../../test/support/vigil.js';
import { ObjectChangedError } from '../ports.js';
import { S3ObjectStore } from './s3.js';

let vigil: TestVigil;
let objects: S3ObjectStore;
let bucket: string;

beforeAll(async () => {
  vigil = await startTestVigil({ fsync: false });
  objects = new S3ObjectStore(vigil.s3);
  bucket = bucketName('pipeline-s3');
  await vigil.s3.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(async () => {
  await vigil.stop();
});

async function put(key: string, body: string, tagging?: string): Promise<string> {
  await vigil.s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentType: 'image/jpeg',
      ...(tagging !== undefined ? { Tagging: tagging } : {}),
    }),
  );
  return createHash('md5').update(body).digest('hex');
}

describe('S3ObjectStore against Vigil', () => {
  it('heads an object: unquoted ETag, size, content type', async () => {
    const etag = await put('content/images/a b+c ü.jpg', 'jpeg bytes');
    expect(await objects.headObject({ bucket, key: 'content/images/a b+c ü.jpg' })).toEqual({
      etag,
      size: 10,
      contentType: 'image/jpeg',
    });
  });

  it('heads nothing for a missing object or bucket', async () => {
    expect(await objects.headObject({ bucket, key: 'missing.jpg' })).toBeUndefined();
    expect(await objects.headObject({ bucket: bucketName('none'), key: 'x' })).toBeUndefined();
  });

  it('reads the bytes of the version it names', async () => {
    const etag = await put('read.jpg', 'first version');
    expect((await objects.getObjectBytes({ bucket, key: 'read.jpg' }, { etag })).toString()).toBe(
      'first version',
    );
  });

  it('refuses to read a replaced or deleted object', async () => {
    const old = await put('moving.jpg', 'old');
    await put('moving.jpg', 'new');
    const replaced = await objects
      .getObjectBytes({ bucket, key: 'moving.jpg' }, { etag: old })
      .catch((e: unknown) => e);
    expect(replaced).toBeInstanceOf(ObjectChangedError);
    expect(replaced).toMatchObject({ state: 'replaced' });
    await expect(
      objects.getObjectBytes({ bucket, key: 'never.jpg' }, { etag: old }),
    ).rejects.toMatchObject({
      state: 'deleted',
    });
  });

  it('reads and writes whole tag sets, in order', async () => {
    await put('tags.jpg', 'x', 'owner=ann&project=zoo');
    const ref = { bucket, key: 'tags.jpg' };
    expect(await objects.getTags(ref)).toEqual([
      { Key: 'owner', Value: 'ann' },
      { Key: 'project', Value: 'zoo' },
    ]);
    const merged = [...(await objects.getTags(ref)), { Key: 'BlockedContent', Value: 'true' }];
    await objects.putTags(ref, merged);
    expect(await objects.getTags(ref)).toEqual(merged);
  });

  it('meets S3’s 10-tag limit as an S3 error', async () => {
    await put('many.jpg', 'x');
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await expect(objects.putTags({ bucket, key: 'many.jpg' }, eleven)).rejects.toMatchObject({
      name: 'InvalidTag',
    });
  });

  it('reports tagging a missing object as deleted', async () => {
    await expect(objects.getTags({ bucket, key: 'gone.jpg' })).rejects.toBeInstanceOf(
      ObjectChangedError,
    );
    await expect(objects.putTags({ bucket, key: 'gone.jpg' }, [])).rejects.toMatchObject({
      state: 'deleted',
    });
  });
});
