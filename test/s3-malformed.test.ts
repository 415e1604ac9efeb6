import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signHeaders, signedRequest, type RawRequest } from './support/signed.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

describe('malformed requests get the exact S3 error and change nothing', () => {
  let t: TestVigil;
  const bucket = bucketName('malformed');
  beforeAll(async () => {
    t = await startTestVigil();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await t.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'keep', Body: 'kept', Tagging: 'a=1' }),
    );
  });
  afterAll(async () => {
    await t.stop();
  });

  const send = (request: RawRequest) => signedRequest(t.url, t, request);
  const stillThere = async () =>
    (await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'keep' }))).TagCount;

  it.each([
    [
      'DeleteObjects with broken XML',
      {
        method: 'POST',
        path: `/${bucket}`,
        query: { delete: '' },
        body: '<Delete><Object><Key>keep</Key></Delete>',
      },
    ],
    [
      'DeleteObjects with the wrong root',
      {
        method: 'POST',
        path: `/${bucket}`,
        query: { delete: '' },
        body: '<Remove><Object><Key>keep</Key></Object></Remove>',
      },
    ],
    [
      'DeleteObjects with no objects',
      { method: 'POST', path: `/${bucket}`, query: { delete: '' }, body: '<Delete></Delete>' },
    ],
    [
      'DeleteObjects with 1001 keys',
      {
        method: 'POST',
        path: `/${bucket}`,
        query: { delete: '' },
        body: `<Delete>${'<Object><Key>keep</Key></Object>'.repeat(1001)}</Delete>`,
      },
    ],
    [
      'PutObjectTagging with broken XML',
      {
        method: 'PUT',
        path: `/${bucket}/keep`,
        query: { tagging: '' },
        body: '<Tagging><TagSet><Tag><Key>x</Key>',
      },
    ],
    [
      'PutObjectTagging without a TagSet',
      {
        method: 'PUT',
        path: `/${bucket}/keep`,
        query: { tagging: '' },
        body: '<Tagging></Tagging>',
      },
    ],
    [
      'PutBucketNotificationConfiguration with broken XML',
      {
        method: 'PUT',
        path: `/${bucket}`,
        query: { notification: '' },
        body: '<NotificationConfiguration><QueueConfiguration>',
      },
    ],
    [
      'CreateBucket with broken XML',
      {
        method: 'PUT',
        path: `/${bucketName('never')}`,
        body: '<CreateBucketConfiguration><LocationConstraint>',
      },
    ],
  ] as [string, RawRequest][])('%s → MalformedXML', async (_name, request) => {
    const res = await send(request);
    expect(res.status).toBe(400);
    expect(res.code).toBe('MalformedXML');
    expect(await stillThere()).toBe(1);
  });

  it('CompleteMultipartUpload with broken XML → MalformedXML, upload still open', async () => {
    const { UploadId } = await t.s3.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mpu' }),
    );
    const res = await send({
      method: 'POST',
      path: `/${bucket}/mpu`,
      query: { uploadId: UploadId! },
      body: '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>',
    });
    expect(res.code).toBe('MalformedXML');
    const parts = await send({
      method: 'GET',
      path: `/${bucket}/mpu`,
      query: { uploadId: UploadId! },
    });
    expect(parts.status).toBe(200);
  });

  it('a body that does not match the signed SHA-256 → XAmzContentSHA256Mismatch, nothing written', async () => {
    const res = await send({
      method: 'PUT',
      path: `/${bucket}/hash-mismatch`,
      headers: { 'x-amz-content-sha256': 'a'.repeat(64) },
      body: 'these bytes were not signed',
    });
    expect(res.status).toBe(400);
    expect(res.code).toBe('XAmzContentSHA256Mismatch');
    const head = await send({ method: 'HEAD', path: `/${bucket}/hash-mismatch` });
    expect(head.status).toBe(404);
  });

  it('an invalid Range is ignored, as HTTP requires', async () => {
    const res = await send({
      method: 'GET',
      path: `/${bucket}/keep`,
      headers: { range: 'bytes=5-2' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toBe('kept');
  });

  it('a key longer than 1024 bytes → KeyTooLongError', async () => {
    const res = await send({ method: 'PUT', path: `/${bucket}/${'k'.repeat(1025)}`, body: 'x' });
    expect(res.code).toBe('KeyTooLongError');
  });

  it('unknown sub-resources answer NotImplemented by name', async () => {
    const res = await send({ method: 'GET', path: `/${bucket}`, query: { lifecycle: '' } });
    expect(res.status).toBe(501);
    expect(res.code).toBe('NotImplemented');
    expect(res.body).toContain('lifecycle');
  });

  it('a PUT without Content-Length (HTTP chunked) → MissingContentLength, nothing written', async () => {
    const url = new URL(`${t.url}/${bucket}/no-length`);
    const headers = await signHeaders(t.url, t, {
      method: 'PUT',
      path: url.pathname,
      headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'transfer-encoding': 'chunked' },
    });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(url, { method: 'PUT', headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('streamed without a length');
    });
    expect(status).toBe(411);
    expect((await send({ method: 'HEAD', path: `/${bucket}/no-length` })).status).toBe(404);
  });
});
