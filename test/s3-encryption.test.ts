/**
 * Server-side encryption headers through the AWS SDK v3: SSE-C is refused as S3 refuses it
 * over plain HTTP, SSE-KMS with a clear error, and neither stores anything.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from './support/errors.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

let t: TestVigil;
const Bucket = bucketName('sse');
beforeAll(async () => {
  t = await startTestVigil({ fsync: false });
  await t.s3.send(new CreateBucketCommand({ Bucket }));
});
afterAll(async () => {
  await t?.stop();
});

const customerKey = {
  SSECustomerAlgorithm: 'AES256',
  SSECustomerKey: randomBytes(32).toString('base64'),
};

describe('server-side encryption headers', () => {
  it('refuse SSE-C as S3 does over plain HTTP, on writes and reads', async () => {
    const put = await errorOf(
      t.s3.send(new PutObjectCommand({ Bucket, Key: 'ssec', Body: 'secret', ...customerKey })),
    );
    expect([put.name, put.$metadata.httpStatusCode, put.message]).toEqual([
      'InvalidRequest',
      400,
      'Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.',
    ]);
    await t.s3.send(new PutObjectCommand({ Bucket, Key: 'plain', Body: 'x' }));
    const get = await errorOf(
      t.s3.send(new GetObjectCommand({ Bucket, Key: 'plain', ...customerKey })),
    );
    expect(get.name).toBe('InvalidRequest');
    expect((await errorOf(t.s3.send(new GetObjectCommand({ Bucket, Key: 'ssec' })))).name).toBe(
      'NoSuchKey',
    );
  });

  it('refuse SSE-KMS with a clear error, and store nothing', async () => {
    const kms = await errorOf(
      t.s3.send(
        new PutObjectCommand({ Bucket, Key: 'kms', Body: 'x', ServerSideEncryption: 'aws:kms' }),
      ),
    );
    expect([kms.name, kms.$metadata.httpStatusCode]).toEqual(['InvalidArgument', 400]);
    expect(kms.message).toMatch(/no key management service/);
    expect((await errorOf(t.s3.send(new GetObjectCommand({ Bucket, Key: 'kms' })))).name).toBe(
      'NoSuchKey',
    );
  });
});
