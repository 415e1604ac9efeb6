import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVigil, type RunningVigil } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
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
    const res = await send({ method: 'GET', path: `/${bucket}`, query: { website: '' } });
    expect(res.status).toBe(501);
    expect(res.code).toBe('NotImplemented');
    expect(res.body).toContain('website');
  });

  it('?versioning with a method S3 does not take → MethodNotAllowed; bucket tagging writes → NotImplemented by name', async () => {
    const versioning = await send({
      method: 'DELETE',
      path: `/${bucket}`,
      query: { versioning: '' },
    });
    expect([versioning.status, versioning.code]).toEqual([405, 'MethodNotAllowed']);
    const tagging = await send({ method: 'DELETE', path: `/${bucket}`, query: { tagging: '' } });
    expect([tagging.status, tagging.code]).toEqual([501, 'NotImplemented']);
    expect(tagging.body).toContain('bucket tagging');
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

/** Every S3 operation that reads an XML body, as a valid document with one text slot. */
const XML_OPERATIONS: {
  name: string;
  root: string;
  request: (ctx: { bucket: string; uploadId: string }) => Omit<RawRequest, 'body'>;
  document: (slot: string) => string;
}[] = [
  {
    name: 'CompleteMultipartUpload',
    root: 'CompleteMultipartUpload',
    request: ({ bucket, uploadId }) => ({
      method: 'POST',
      path: `/${bucket}/mpu`,
      query: { uploadId },
    }),
    document: (slot) =>
      `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${slot}</ETag></Part></CompleteMultipartUpload>`,
  },
  {
    name: 'DeleteObjects',
    root: 'Delete',
    request: ({ bucket }) => ({ method: 'POST', path: `/${bucket}`, query: { delete: '' } }),
    document: (slot) => `<Delete><Object><Key>${slot}</Key></Object></Delete>`,
  },
  {
    name: 'PutObjectTagging',
    root: 'Tagging',
    request: ({ bucket }) => ({ method: 'PUT', path: `/${bucket}/keep`, query: { tagging: '' } }),
    document: (slot) =>
      `<Tagging><TagSet><Tag><Key>${slot}</Key><Value>v</Value></Tag></TagSet></Tagging>`,
  },
  {
    name: 'PutBucketNotificationConfiguration',
    root: 'NotificationConfiguration',
    request: ({ bucket }) => ({
      method: 'PUT',
      path: `/${bucket}`,
      query: { notification: '' },
      headers: { 'x-amz-skip-destination-validation': 'true' },
    }),
    document: (slot) =>
      `<NotificationConfiguration><QueueConfiguration><Queue>arn:aws:sqs:us-east-1:000000000000:${slot}</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration></NotificationConfiguration>`,
  },
  {
    name: 'CreateBucket',
    root: 'CreateBucketConfiguration',
    request: () => ({ method: 'PUT', path: `/${bucketName('never')}` }),
    document: (slot) =>
      `<CreateBucketConfiguration><LocationConstraint>${slot}</LocationConstraint></CreateBucketConfiguration>`,
  },
];

const LAUGHS = Array.from(
  { length: 9 },
  (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`,
).join('');

/** Hostile documents: a DTD in any form, or nesting far deeper than any S3 schema. */
const HOSTILE_BODIES: [string, (root: string, document: (slot: string) => string) => string][] = [
  [
    'an internal DTD declaring an entity',
    (root, document) =>
      `<?xml version="1.0"?><!DOCTYPE ${root} [<!ENTITY k "victim">]>${document('&k;')}`,
  ],
  [
    'a billion-laughs entity bomb',
    (root, document) => `<!DOCTYPE ${root} [<!ENTITY lol0 "lol">${LAUGHS}]>${document('&lol9;')}`,
  ],
  [
    'an oversized entity',
    (root, document) =>
      `<!DOCTYPE ${root} [<!ENTITY big "${'x'.repeat(200_000)}">]>${document('&big;')}`,
  ],
  [
    'an external entity',
    (root, document) =>
      `<!DOCTYPE ${root} [<!ENTITY ext SYSTEM "file:///etc/passwd">]>${document('&ext;')}`,
  ],
  [
    'a DOCTYPE inside an element',
    (_root, document) => document('<!DOCTYPE x [<!ENTITY k "victim">]>&k;'),
  ],
  [
    '100,000 nested elements',
    (_root, document) => document(`${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`),
  ],
  ['an element named __proto__', (_root, document) => document('<__proto__>x</__proto__>')],
];

interface LogLine {
  level: number;
  msg: string;
  code?: string;
  err?: unknown;
}

describe('hostile XML bodies get 400 MalformedXML, logged as client errors', () => {
  const logs: LogLine[] = [];
  let vigil: RunningVigil;
  let dataDir: string;
  let s3: S3Client;
  let credentials: { accessKeyId: string; secretAccessKey: string };
  const bucket = bucketName('hostile-xml');
  let uploadId = '';
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-test-'));
    const config = loadConfig(
      { port: 0, host: '127.0.0.1', dataDir, region: 'us-east-1', logLevel: 'debug' },
      {},
    );
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logs.push(JSON.parse(chunk.toString('utf8')) as LogLine);
        callback();
      },
    });
    vigil = await startVigil(config, pino({ level: 'debug' }, sink));
    credentials = vigil.credentials;
    s3 = new S3Client({
      endpoint: vigil.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials,
    });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'keep', Body: 'kept', Tagging: 'a=1' }),
    );
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'victim', Body: 'still here' }));
    ({ UploadId: uploadId = '' } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mpu' }),
    ));
  });
  afterAll(async () => {
    s3.destroy();
    await vigil.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const cases = XML_OPERATIONS.flatMap((operation) =>
    HOSTILE_BODIES.map(([what, body]) => [operation.name, what, operation, body] as const),
  );

  it.each(cases)('%s with %s', async (_name, _what, operation, hostile) => {
    const from = logs.length;
    const res = await signedRequest(vigil.url, credentials, {
      ...operation.request({ bucket, uploadId }),
      body: hostile(operation.root, operation.document),
    });
    expect(res.status).toBe(400);
    expect(res.code).toBe('MalformedXML');
    expect(res.body).toContain(
      '<Message>The XML you provided was not well-formed or did not validate against our published schema</Message>',
    );
    const logged = logs.slice(from);
    expect(logged.filter((line) => line.level >= 50)).toEqual([]);
    expect(logged.some((line) => line.code === 'MalformedXML' && line.level < 40)).toBe(true);
    expect(logged.filter((line) => line.err !== undefined)).toEqual([]);
    // The server keeps serving, and nothing the document asked for happened.
    const keep = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'keep' }));
    expect(keep.TagCount).toBe(1);
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'victim' }));
    const parts = await signedRequest(vigil.url, credentials, {
      method: 'GET',
      path: `/${bucket}/mpu`,
      query: { uploadId },
    });
    expect(parts.status).toBe(200);
  });

  it('POST Object with a DTD in its tagging field', async () => {
    const tagging = `<!DOCTYPE Tagging [<!ENTITY k "kind">]><Tagging><TagSet><Tag><Key>&k;</Key><Value>v</Value></Tag></TagSet></Tagging>`;
    const { url, fields } = await createPresignedPost(s3, {
      Bucket: bucket,
      Key: 'posted',
      Fields: { tagging },
    });
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob(['x']), 'x.bin');
    const res = await fetch(url, { method: 'POST', body: form });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('<Code>MalformedXML</Code>');
    const head = await signedRequest(vigil.url, credentials, {
      method: 'HEAD',
      path: `/${bucket}/posted`,
    });
    expect(head.status).toBe(404);
  });
});
