import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from './support/errors.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

const codeOf = (xml: string) => /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];

describe('authentication', () => {
  let t: TestVigil;
  const bucket = bucketName('auth');
  beforeAll(async () => {
    t = await startTestVigil();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'existing', Body: 'hello' }));
  });
  afterAll(async () => {
    await t.stop();
  });

  const exists = async (Key: string) => {
    try {
      await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key }));
      return true;
    } catch {
      return false;
    }
  };

  it('refuses anonymous requests with AccessDenied', async () => {
    const res = await fetch(`${t.url}/${bucket}/existing`);
    expect(res.status).toBe(403);
    expect(codeOf(await res.text())).toBe('AccessDenied');
    const put = await fetch(`${t.url}/${bucket}/anon`, { method: 'PUT', body: 'x' });
    expect(put.status).toBe(403);
    expect(await exists('anon')).toBe(false);
  });

  it('refuses a wrong secret with SignatureDoesNotMatch and writes nothing', async () => {
    const bad = t.client({
      credentials: { accessKeyId: t.accessKeyId, secretAccessKey: 'wrong-secret-0000000000' },
      maxAttempts: 1,
    });
    const error = await errorOf(
      bad.send(new PutObjectCommand({ Bucket: bucket, Key: 'wrong-secret', Body: 'x' })),
    );
    expect(error.name).toBe('SignatureDoesNotMatch');
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(await exists('wrong-secret')).toBe(false);
  });

  it('refuses an unknown access key with InvalidAccessKeyId', async () => {
    const bad = t.client({
      credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: t.secretAccessKey },
      maxAttempts: 1,
    });
    const error = await errorOf(
      bad.send(new GetObjectCommand({ Bucket: bucket, Key: 'existing' })),
    );
    expect(error.name).toBe('InvalidAccessKeyId');
  });

  it('refuses a skewed clock with RequestTimeTooSkewed', async () => {
    const skewed = t.client({ systemClockOffset: -60 * 60 * 1000, maxAttempts: 1 });
    const error = await errorOf(
      skewed.send(new PutObjectCommand({ Bucket: bucket, Key: 'skewed', Body: 'x' })),
    );
    expect(error.name).toBe('RequestTimeTooSkewed');
    expect(await exists('skewed')).toBe(false);
  });

  it('serves presigned GETs and refuses tampered and expired ones', async () => {
    const url = await getSignedUrl(
      t.s3,
      new GetObjectCommand({ Bucket: bucket, Key: 'existing' }),
      { expiresIn: 60 },
    );
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('hello');

    const tampered = url.replace(
      /X-Amz-Signature=([0-9a-f])/,
      (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`,
    );
    const refused = await fetch(tampered);
    expect(refused.status).toBe(403);
    expect(codeOf(await refused.text())).toBe('SignatureDoesNotMatch');

    const otherKey = url.replace('/existing?', '/other?');
    expect(codeOf(await (await fetch(otherKey)).text())).toBe('SignatureDoesNotMatch');

    const expiredUrl = await getSignedUrl(
      t.s3,
      new GetObjectCommand({ Bucket: bucket, Key: 'existing' }),
      {
        expiresIn: 60,
        signingDate: new Date(Date.now() - 10 * 60 * 1000),
      },
    );
    const expired = await fetch(expiredUrl);
    expect(expired.status).toBe(403);
    const body = await expired.text();
    expect(codeOf(body)).toBe('AccessDenied');
    expect(body).toContain('Request has expired');
  });

  it('accepts presigned PUTs, and a tampered one writes nothing', async () => {
    // Presigned uploads should not pin a checksum of an unknown body (the SDK's documented advice).
    const signer = t.client({ requestChecksumCalculation: 'WHEN_REQUIRED' });
    const url = await getSignedUrl(
      signer,
      new PutObjectCommand({ Bucket: bucket, Key: 'presigned-put' }),
      { expiresIn: 60 },
    );
    const put = await fetch(url, { method: 'PUT', body: 'uploaded via presign' });
    expect(put.status).toBe(200);
    const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'presigned-put' }));
    expect(await got.Body!.transformToString()).toBe('uploaded via presign');

    const other = await getSignedUrl(
      signer,
      new PutObjectCommand({ Bucket: bucket, Key: 'presigned-other' }),
      { expiresIn: 60 },
    );
    const tampered = await fetch(other.replace('presigned-other', 'presigned-evil'), {
      method: 'PUT',
      body: 'x',
    });
    expect(tampered.status).toBe(403);
    expect(await exists('presigned-evil')).toBe(false);
  });

  it('verifies a signed payload hash against the body', async () => {
    // A client that signs the body's SHA-256 (the SDK does so over plain HTTP without checksums).
    const signed = t.client({ requestChecksumCalculation: 'WHEN_REQUIRED' });
    await signed.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'signed-body', Body: 'exact bytes' }),
    );
    const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'signed-body' }));
    expect(await got.Body!.transformToString()).toBe('exact bytes');
  });

  it('rejects a body that does not match its Content-MD5 with BadDigest and writes nothing', async () => {
    const error = await errorOf(
      t.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'bad-md5',
          Body: 'abc',
          ContentMD5: '1B2M2Y8AsgTpgAmY7PhCfg==',
        }),
      ),
    );
    expect(error.name).toBe('BadDigest');
    expect(await exists('bad-md5')).toBe(false);
  });

  it('rejects a body that does not match its checksum header with BadDigest', async () => {
    const error = await errorOf(
      t.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'bad-crc',
          Body: 'abc',
          ChecksumCRC32: 'AAAAAA==',
        }),
      ),
    );
    expect(error.name).toBe('BadDigest');
    expect(await exists('bad-crc')).toBe(false);
  });

  it('works without forcePathStyle (virtual-host addressing)', async () => {
    const { Agent } = await import('node:http');
    const { NodeHttpHandler } = await import('@smithy/node-http-handler');
    // Resolve <bucket>.localhost to loopback without touching the system resolver.
    const agent = new Agent({
      lookup: (_host, options, callback) => {
        if ((options as { all?: boolean }).all)
          (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [
            { address: '127.0.0.1', family: 4 },
          ]);
        else (callback as (e: null, a: string, f: number) => void)(null, '127.0.0.1', 4);
      },
    });
    const virtual = new S3Client({
      endpoint: t.url.replace('127.0.0.1', 'localhost'),
      region: 'us-east-1',
      forcePathStyle: false,
      credentials: { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey },
      requestHandler: new NodeHttpHandler({ httpAgent: agent }),
    });
    try {
      await virtual.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'virtual/host.txt', Body: 'vh' }),
      );
      const got = await virtual.send(
        new GetObjectCommand({ Bucket: bucket, Key: 'virtual/host.txt' }),
      );
      expect(await got.Body!.transformToString()).toBe('vh');
    } finally {
      virtual.destroy();
    }
  });
});
