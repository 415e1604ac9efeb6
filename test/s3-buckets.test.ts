import {
  CreateBucketCommand,
  DeleteBucketCommand,
  GetBucketAclCommand,
  GetBucketLocationCommand,
  GetObjectAclCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutBucketAclCommand,
  PutObjectAclCommand,
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

  it('refuses a public canned ACL as a bucket that enforces owner ownership does', async () => {
    const name = bucketName();
    const error = await errorOf(
      t.s3.send(new CreateBucketCommand({ Bucket: name, ACL: 'public-read' })),
    );
    expect([error.name, error.$metadata.httpStatusCode]).toEqual([
      'InvalidBucketAclWithObjectOwnership',
      400,
    ]);
    expect(error.message).toBe(
      "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
    );
    expect((await errorOf(t.s3.send(new HeadBucketCommand({ Bucket: name })))).name).toBe(
      'NotFound',
    );

    await t.s3.send(new CreateBucketCommand({ Bucket: name }));
    for (const write of [
      new PutObjectCommand({ Bucket: name, Key: 'k', Body: 'x', ACL: 'public-read' }),
      new PutObjectCommand({
        Bucket: name,
        Key: 'k',
        Body: 'x',
        GrantRead: 'uri="http://acs.amazonaws.com/groups/global/AllUsers"',
      }),
      new PutObjectAclCommand({ Bucket: name, Key: 'k', ACL: 'public-read' }),
      new PutBucketAclCommand({ Bucket: name, ACL: 'public-read-write' }),
    ]) {
      const refused = await errorOf(t.s3.send(write as PutObjectCommand));
      expect([refused.name, refused.$metadata.httpStatusCode, refused.message]).toEqual([
        refused.name === 'NoSuchKey' ? 'NoSuchKey' : 'AccessControlListNotSupported',
        refused.name === 'NoSuchKey' ? 404 : 400,
        refused.name === 'NoSuchKey' ? refused.message : 'The bucket does not allow ACLs',
      ]);
    }
    expect((await errorOf(t.s3.send(new HeadObjectCommand({ Bucket: name, Key: 'k' })))).name).toBe(
      'NotFound',
    );
  });

  it('accepts ACLs that grant the owner alone, and shows the owner full control', async () => {
    const name = bucketName();
    await t.s3.send(new CreateBucketCommand({ Bucket: name, ACL: 'private' }));
    await t.s3.send(
      new PutObjectCommand({ Bucket: name, Key: 'k', Body: 'x', ACL: 'bucket-owner-full-control' }),
    );
    const { Owner } = await t.s3.send(new ListBucketsCommand({}));
    for (const acl of [
      await t.s3.send(new GetBucketAclCommand({ Bucket: name })),
      await t.s3.send(new GetObjectAclCommand({ Bucket: name, Key: 'k' })),
    ]) {
      expect(acl.Owner?.ID).toBe(Owner?.ID);
      expect(acl.Grants).toEqual([
        {
          Grantee: { Type: 'CanonicalUser', ID: Owner?.ID, DisplayName: 'vigil' },
          Permission: 'FULL_CONTROL',
        },
      ]);
    }
    await t.s3.send(new PutObjectAclCommand({ Bucket: name, Key: 'k', ACL: 'private' }));
    await t.s3.send(
      new PutBucketAclCommand({
        Bucket: name,
        AccessControlPolicy: {
          Owner,
          Grants: [
            { Grantee: { Type: 'CanonicalUser', ID: Owner?.ID }, Permission: 'FULL_CONTROL' },
          ],
        },
      }),
    );
    const missing = await errorOf(
      t.s3.send(new GetObjectAclCommand({ Bucket: name, Key: 'nope' })),
    );
    expect(missing.name).toBe('NoSuchKey');
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
