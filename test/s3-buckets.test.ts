import {
  CreateBucketCommand,
  DeleteBucketCommand,
  GetBucketLocationCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from './support/errors.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

describe('buckets through the AWS SDK', () => {
  let t: TestVigil;
  beforeAll(async () => {
    t = await startTestVigil();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('creates, lists, heads, locates and deletes a bucket', async () => {
    const name = bucketName();
    await t.s3.send(new CreateBucketCommand({ Bucket: name }));
    const listed = await t.s3.send(new ListBucketsCommand({}));
    expect(listed.Buckets?.map((b) => b.Name)).toContain(name);
    expect(listed.Owner?.ID).toMatch(/^[0-9a-f]{64}$/);
    const head = await t.s3.send(new HeadBucketCommand({ Bucket: name }));
    expect(head.$metadata.httpStatusCode).toBe(200);
    expect(head.BucketRegion).toBe('us-east-1');
    const location = await t.s3.send(new GetBucketLocationCommand({ Bucket: name }));
    expect(location.LocationConstraint ?? '').toBe('');
    await t.s3.send(new DeleteBucketCommand({ Bucket: name }));
    const error = await errorOf(t.s3.send(new HeadBucketCommand({ Bucket: name })));
    expect(error.$metadata.httpStatusCode).toBe(404);
  });

  it('answers 200 when re-creating an owned bucket in us-east-1', async () => {
    const name = bucketName();
    await t.s3.send(new CreateBucketCommand({ Bucket: name }));
    const again = await t.s3.send(new CreateBucketCommand({ Bucket: name }));
    expect(again.$metadata.httpStatusCode).toBe(200);
  });

  it.each([
    ['ab', 'too short'],
    ['a'.repeat(64), 'too long'],
    ['Upper-Case', 'uppercase'],
    ['-leading-hyphen', 'leading hyphen'],
    ['double..dots', 'adjacent periods'],
    ['192.168.5.4', 'IP address'],
    ['xn--punycode', 'reserved prefix'],
    ['bucket-s3alias', 'reserved suffix'],
    ['under_score', 'underscore'],
  ])('rejects the invalid name %s (%s) with InvalidBucketName', async (name) => {
    const error = await errorOf(t.s3.send(new CreateBucketCommand({ Bucket: name })));
    expect(error.name).toBe('InvalidBucketName');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('refuses to delete a bucket that is not empty', async () => {
    const name = bucketName();
    await t.s3.send(new CreateBucketCommand({ Bucket: name }));
    await t.s3.send(new PutObjectCommand({ Bucket: name, Key: 'k', Body: 'x' }));
    const error = await errorOf(t.s3.send(new DeleteBucketCommand({ Bucket: name })));
    expect(error.name).toBe('BucketNotEmpty');
    expect(error.$metadata.httpStatusCode).toBe(409);
  });

  it('reports NoSuchBucket for unknown buckets', async () => {
    const error = await errorOf(
      t.s3.send(new DeleteBucketCommand({ Bucket: bucketName('missing') })),
    );
    expect(error.name).toBe('NoSuchBucket');
    expect(error.$metadata.httpStatusCode).toBe(404);
  });

  it('rejects a public canned ACL with a clear error', async () => {
    const error = await errorOf(
      t.s3.send(new CreateBucketCommand({ Bucket: bucketName(), ACL: 'public-read' })),
    );
    expect(error.name).toBe('NotImplemented');
    expect(error.message).toMatch(/private/);
  });

  it('accepts the private canned ACL', async () => {
    const name = bucketName();
    await t.s3.send(new CreateBucketCommand({ Bucket: name, ACL: 'private' }));
    await t.s3.send(
      new PutObjectCommand({ Bucket: name, Key: 'k', Body: 'x', ACL: 'bucket-owner-full-control' }),
    );
  });
});

describe('buckets outside us-east-1', () => {
  let t: TestVigil;
  beforeAll(async () => {
    t = await startTestVigil({ region: 'eu-west-1' });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('answers BucketAlreadyOwnedByYou when re-creating, and reports the region', async () => {
    const name = bucketName();
    await t.s3.send(
      new CreateBucketCommand({
        Bucket: name,
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
      }),
    );
    const error = await errorOf(
      t.s3.send(
        new CreateBucketCommand({
          Bucket: name,
          CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
        }),
      ),
    );
    expect(error.name).toBe('BucketAlreadyOwnedByYou');
    const location = await t.s3.send(new GetBucketLocationCommand({ Bucket: name }));
    expect(location.LocationConstraint).toBe('eu-west-1');
  });
});
