import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3Error } from '../errors.js';
import type { AuthRequest } from './types.js';
import { isSigned, verifySigV4 } from './verify.js';
import { ACCESS_KEY, capturingClient, lookupSecret } from './sdk-capture.test-helper.js';

function expectS3Error(call: () => unknown, code: string, message?: RegExp | string): S3Error {
  let caught: unknown;
  try {
    call();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(S3Error);
  const error = caught as S3Error;
  expect(error.code).toBe(code);
  if (message !== undefined) expect(error.message).toMatch(message);
  return error;
}

const verify = (req: AuthRequest, now?: Date) =>
  verifySigV4(req, { lookupSecret, ...(now ? { now } : {}) });

describe('verifySigV4 with header authentication (signed by the AWS SDK)', () => {
  const { send } = capturingClient();

  it('accepts a GET with a query string', async () => {
    const req = await send(
      new ListObjectsV2Command({ Bucket: 'photos', Prefix: 'a b/', Delimiter: '/', MaxKeys: 7 }),
    );
    expect(req.rawUrl).toContain('?');
    const verified = verify(req);
    expect(verified).toMatchObject({
      accessKeyId: ACCESS_KEY,
      region: 'us-east-1',
      service: 's3',
      presigned: false,
      payload: { kind: 'sha256' },
    });
    expect(verified.signing.scope).toMatch(/^\d{8}\/us-east-1\/s3\/aws4_request$/);
    expect(verified.signing.seedSignature).toMatch(/^[0-9a-f]{64}$/);
    expect(isSigned(req)).toBe(true);
  });

  it.each([
    'plain.txt',
    'with space/and+plus.txt',
    "sub-delims!*'()$&,;=@:.txt",
    'percent%2Fliteral%20.txt',
    'unicode/日本語/émoji-😀.png',
    'double//slash/./dot/../seg',
    'tilde~_-.txt',
  ])('accepts key %j', async (key) => {
    const req = await send(
      new GetObjectCommand({ Bucket: 'photos', Key: key, VersionId: 'v 1/2' }),
    );
    expect(verify(req).accessKeyId).toBe(ACCESS_KEY);
  });

  it('accepts a virtual-hosted-style request', async () => {
    const virtual = capturingClient({
      endpoint: 'http://s3.vigil.test:9000',
      forcePathStyle: false,
    });
    const req = await virtual.send(new GetObjectCommand({ Bucket: 'photos', Key: 'cat.png' }));
    expect(req.headers.host).toBe('photos.s3.vigil.test:9000');
    expect(verify(req).presigned).toBe(false);
  });

  it('accepts any region and reports it', async () => {
    const eu = capturingClient({ region: 'eu-west-3' });
    const req = await eu.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }));
    expect(verify(req).region).toBe('eu-west-3');
  });

  it('reports the payload mode of a streaming upload', async () => {
    const { Readable } = await import('node:stream');
    const req = await send(
      new PutObjectCommand({
        Bucket: 'b',
        Key: 'k',
        Body: Readable.from([Buffer.from('hello')]),
        ContentLength: 5,
      }),
    );
    expect(verify(req).payload).toEqual({ kind: 'streaming-unsigned-trailer' });
  });

  it('rejects a wrong secret with the canonical request in the details', async () => {
    const wrong = capturingClient({ secret: 'not-the-secret' });
    const req = await wrong.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }));
    const error = expectS3Error(() => verify(req), 'SignatureDoesNotMatch');
    expect(error.details.AWSAccessKeyId).toBe(ACCESS_KEY);
    expect(error.details.CanonicalRequest).toMatch(/^GET\n\/b\/k\nx-id=GetObject\n/);
    expect(error.details.StringToSign).toMatch(/^AWS4-HMAC-SHA256\n\d{8}T\d{6}Z\n/);
    expect(error.details.SignatureProvided).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects an unknown access key', async () => {
    const req = await send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }));
    const error = expectS3Error(
      () => verifySigV4(req, { lookupSecret: () => undefined }),
      'InvalidAccessKeyId',
    );
    expect(error.details.AWSAccessKeyId).toBe(ACCESS_KEY);
  });

  it('rejects tampering with a signed header, the path or the query', async () => {
    const req = await send(new GetObjectCommand({ Bucket: 'b', Key: 'k', Range: 'bytes=0-9' }));
    expect(verify(req).accessKeyId).toBe(ACCESS_KEY);
    expectS3Error(
      () => verify({ ...req, headers: { ...req.headers, range: 'bytes=0-99' } }),
      'SignatureDoesNotMatch',
    );
    expectS3Error(
      () => verify({ ...req, rawUrl: req.rawUrl.replace('/b/k', '/b/K') }),
      'SignatureDoesNotMatch',
    );
    expectS3Error(
      () => verify({ ...req, rawUrl: `${req.rawUrl}&versionId=2` }),
      'SignatureDoesNotMatch',
    );
    expectS3Error(() => verify({ ...req, method: 'DELETE' }), 'SignatureDoesNotMatch');
  });

  it('rejects an x-amz-* header added after signing', async () => {
    const req = await send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }));
    const error = expectS3Error(
      () => verify({ ...req, headers: { ...req.headers, 'x-amz-acl': 'public-read' } }),
      'AccessDenied',
      'There were headers present in the request which were not signed',
    );
    expect(error.details.HeadersNotSigned).toBe('x-amz-acl');
  });

  it('rejects a request time too far from the server clock', async () => {
    const req = await send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }));
    const later = new Date(Date.now() + 16 * 60 * 1000);
    const error = expectS3Error(() => verify(req, later), 'RequestTimeTooSkewed');
    expect(error.details).toMatchObject({
      RequestTime: req.headers['x-amz-date'],
      MaxAllowedSkewMilliseconds: '900000',
    });
    expect(error.details.ServerTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(verify(req, new Date(Date.now() + 14 * 60 * 1000)).accessKeyId).toBe(ACCESS_KEY);
  });

  it('requires x-amz-content-sha256 for S3 and validates its value', async () => {
    const req = await send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }));
    const { 'x-amz-content-sha256': _removed, ...without } = req.headers;
    expectS3Error(
      () => verify({ ...req, headers: without }),
      'InvalidRequest',
      'Missing required header for this request: x-amz-content-sha256',
    );
    const error = expectS3Error(
      () => verify({ ...req, headers: { ...req.headers, 'x-amz-content-sha256': 'GIBBERISH' } }),
      'InvalidArgument',
      /x-amz-content-sha256 must be UNSIGNED-PAYLOAD/,
    );
    expect(error.details).toEqual({
      ArgumentName: 'x-amz-content-sha256',
      ArgumentValue: 'GIBBERISH',
    });
  });
});

describe('verifySigV4 against the AWS documentation example', () => {
  // "Signature Calculations for the Authorization Header: Transferring Payload in Multiple
  // Chunks" (sigv4-streaming): its published seed signature.
  const example: AuthRequest = {
    method: 'PUT',
    rawUrl: '/examplebucket/chunkObject.txt',
    headers: {
      host: 's3.amazonaws.com',
      'x-amz-date': '20130524T000000Z',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,' +
        'SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;' +
        'x-amz-decoded-content-length;x-amz-storage-class,' +
        'Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': '66560',
      'content-length': '66824',
    },
  };
  const now = new Date('2013-05-24T00:05:00Z');

  it('verifies the published seed signature', () => {
    const verified = verify(example, now);
    expect(verified.payload).toEqual({ kind: 'streaming-signed' });
    expect(verified.signing).toMatchObject({
      seedSignature: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
      amzDate: '20130524T000000Z',
      scope: '20130524/us-east-1/s3/aws4_request',
    });
  });

  it('parses Authorization components separated by ", " too', () => {
    const spaced = String(example.headers.authorization).replace(/,/g, ', ');
    expect(
      verify({ ...example, headers: { ...example.headers, authorization: spaced } }, now).region,
    ).toBe('us-east-1');
  });

  it('rejects a malformed Authorization header', () => {
    expectS3Error(
      () =>
        verify(
          {
            ...example,
            headers: { ...example.headers, authorization: 'AWS4-HMAC-SHA256 Credential=x' },
          },
          now,
        ),
      'AuthorizationHeaderMalformed',
      /requires three components/,
    );
    const badCredential = String(example.headers.authorization).replace('/s3/aws4_request', '/s3');
    expectS3Error(
      () =>
        verify({ ...example, headers: { ...example.headers, authorization: badCredential } }, now),
      'AuthorizationHeaderMalformed',
      /Credential is mal-formed/,
    );
  });

  it('rejects a credential date other than the request date', () => {
    const wrongDay = String(example.headers.authorization).replace('/20130524/', '/20130523/');
    expectS3Error(
      () => verify({ ...example, headers: { ...example.headers, authorization: wrongDay } }, now),
      'AuthorizationHeaderMalformed',
      /Date is not the same as X-Amz-Date/,
    );
  });

  it('rejects a service that is not accepted', () => {
    expectS3Error(
      () => verifySigV4(example, { lookupSecret, now, services: ['sqs'] }),
      'AuthorizationHeaderMalformed',
      /incorrect service "s3"/,
    );
  });

  it('rejects Signature Version 2 and SigV4a with a clear message', () => {
    const v2 = {
      ...example,
      headers: {
        ...example.headers,
        authorization: 'AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=',
      },
    };
    expectS3Error(() => verify(v2, now), 'InvalidRequest', /Signature Version 4 only/);
    const v4a = {
      ...example,
      headers: {
        ...example.headers,
        authorization: 'AWS4-ECDSA-P256-SHA256 Credential=x, SignedHeaders=host, Signature=y',
      },
    };
    expectS3Error(() => verify(v4a, now), 'InvalidRequest', /Signature Version 4 only/);
    const v2Query: AuthRequest = {
      method: 'GET',
      rawUrl: '/b/k?AWSAccessKeyId=AKID&Expires=1&Signature=abc',
      headers: { host: 'h' },
    };
    expect(isSigned(v2Query)).toBe(true);
    expectS3Error(() => verify(v2Query, now), 'InvalidRequest', /Signature Version 4 only/);
  });

  it('requires a valid date header', () => {
    const { 'x-amz-date': _removed, ...headers } = example.headers;
    expectS3Error(
      () => verify({ ...example, headers }, now),
      'AccessDenied',
      'AWS authentication requires a valid Date or x-amz-date header',
    );
  });

  it('rejects host left out of the signed headers', () => {
    const noHost = String(example.headers.authorization).replace(
      'content-length;host;',
      'content-length;',
    );
    const error = expectS3Error(
      () => verify({ ...example, headers: { ...example.headers, authorization: noHost } }, now),
      'AccessDenied',
    );
    expect(error.details.HeadersNotSigned).toBe('host');
  });
});

describe('isSigned', () => {
  it('is false for anonymous requests', () => {
    expect(isSigned({ method: 'GET', rawUrl: '/b/k?versionId=1', headers: { host: 'h' } })).toBe(
      false,
    );
    expect(isSigned({ method: 'GET', rawUrl: '/b/k', headers: {} })).toBe(false);
  });
});
