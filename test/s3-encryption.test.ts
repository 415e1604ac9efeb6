/**
 * Server-side encryption through the AWS SDK v3: every object encrypted at rest (SSE-S3),
 * SSE-C refused as S3 refuses it over plain HTTP, SSE-KMS with a clear error. Refusals store
 * nothing. (Storage classes: test/s3-storage-classes.test.ts.)
 */
import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
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

describe('SSE-S3 (AES256)', () => {
  it('encrypts every new object at rest, asked for or not, and says so', async () => {
    const asked = await t.s3.send(
      new PutObjectCommand({ Bucket, Key: 'asked', Body: 'x', ServerSideEncryption: 'AES256' }),
    );
    const unasked = await t.s3.send(
      new PutObjectCommand({ Bucket, Key: 'unasked', Body: Buffer.alloc(100_000, 1) }),
    );
    expect([asked.ServerSideEncryption, unasked.ServerSideEncryption]).toEqual([
      'AES256',
      'AES256',
    ]);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'unasked' }));
    expect(head.ServerSideEncryption).toBe('AES256');
    const got = await t.s3.send(new GetObjectCommand({ Bucket, Key: 'unasked' }));
    expect(
      Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.alloc(100_000, 1)),
    ).toBe(true);
    // The key lives in the data directory, readable by its owner only.
    expect((await stat(join(t.dataDir, 'keys', 'sse-s3.key'))).mode & 0o777).toBe(0o600);
  });

  it('is the default encryption of every bucket; KMS defaults are refused', async () => {
    const got = await t.s3.send(new GetBucketEncryptionCommand({ Bucket }));
    expect(
      got.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault,
    ).toEqual({
      SSEAlgorithm: 'AES256',
    });
    await t.s3.send(
      new PutBucketEncryptionCommand({
        Bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      }),
    );
    const kms = await errorOf(
      t.s3.send(
        new PutBucketEncryptionCommand({
          Bucket,
          ServerSideEncryptionConfiguration: {
            Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
          },
        }),
      ),
    );
    expect([kms.name, kms.$metadata.httpStatusCode]).toEqual(['InvalidArgument', 400]);
  });
});

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
