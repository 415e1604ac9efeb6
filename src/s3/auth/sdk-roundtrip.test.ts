/**
 * End to end against the real AWS SDK over a real socket: the SDK signs and frames requests as
 * it does against S3 (aws-chunked with checksum trailers, header checksums, presigned URLs),
 * Node's HTTP server parses them, and verifySigV4 + createPayloadDecoder must accept them.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKSUM_ALGORITHMS, checksumOf } from '../checksum.js';
import { S3Error } from '../errors.js';
import { createPayloadDecoder } from './payload.js';
import { ACCESS_KEY, SECRET, lookupSecret } from './sdk-capture.test-helper.js';
import type { PayloadIntegrity, VerifiedRequest } from './types.js';
import { isSigned, verifySigV4 } from './verify.js';

interface Received {
  body: Buffer;
  integrity: PayloadIntegrity;
  verified: VerifiedRequest | undefined;
  headers: IncomingMessage['headers'];
}

const received = new Map<string, Received>();
let server: Server;
let endpoint: string;

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const request = { method: req.method ?? 'GET', rawUrl: req.url ?? '/', headers: req.headers };
    const verified = isSigned(request) ? verifySigV4(request, { lookupSecret }) : undefined;
    const decoder = createPayloadDecoder(verified, req.headers);
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
    await pipeline(req, decoder, sink);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'PUT') {
      received.set(path, {
        body: Buffer.concat(chunks),
        integrity: decoder.integrity,
        verified,
        headers: req.headers,
      });
    }
    res.writeHead(200, { ETag: '"0123456789abcdef0123456789abcdef"', 'Content-Length': '0' });
    res.end();
  } catch (error) {
    const status = error instanceof S3Error ? error.status : 500;
    const code = error instanceof S3Error ? error.code : 'InternalError';
    req.resume();
    res.writeHead(status, { 'Content-Type': 'application/xml' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>x</Message></Error>`,
    );
  }
}

function client(secret = SECRET): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: secret },
    maxAttempts: 1,
  });
}

beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('uploads from the AWS SDK for JavaScript v3', () => {
  const data = randomBytes(3 * 1024 * 1024 + 123);

  it.each(CHECKSUM_ALGORITHMS)(
    'streams an aws-chunked body with a %s trailer',
    async (algorithm) => {
      const key = `/bucket/streamed-${algorithm}`;
      await client().send(
        new PutObjectCommand({
          Bucket: 'bucket',
          Key: key.slice('/bucket/'.length),
          Body: Readable.from(
            (function* () {
              for (let offset = 0; offset < data.length; offset += 100_000)
                yield data.subarray(offset, offset + 100_000);
            })(),
          ),
          ContentLength: data.length,
          ChecksumAlgorithm: algorithm,
        }),
      );
      const stored = received.get(key);
      expect(stored?.headers['x-amz-content-sha256']).toBe('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
      expect(stored?.body.equals(data)).toBe(true);
      expect(stored?.integrity).toEqual({
        decodedLength: data.length,
        checksum: { algorithm, value: checksumOf(algorithm, data) },
      });
    },
  );

  it('uploads a buffer with a signed SHA-256 and a checksum header', async () => {
    const small = data.subarray(0, 5000);
    await client().send(new PutObjectCommand({ Bucket: 'bucket', Key: 'buffered', Body: small }));
    const stored = received.get('/bucket/buffered');
    expect(stored?.verified?.payload.kind).toBe('sha256');
    expect(stored?.body.equals(small)).toBe(true);
    expect(stored?.integrity.checksum).toEqual({
      algorithm: 'CRC32',
      value: checksumOf('CRC32', small),
    });
  });

  it('refuses a request signed with the wrong secret', async () => {
    await expect(
      client('wrong').send(new GetObjectCommand({ Bucket: 'bucket', Key: 'k' })),
    ).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
    });
  });

  it('accepts presigned GET and PUT URLs fetched by a plain HTTP client', async () => {
    const getUrl = await getSignedUrl(
      client(),
      new GetObjectCommand({ Bucket: 'bucket', Key: 'k' }),
      { expiresIn: 60 },
    );
    expect((await fetch(getUrl)).status).toBe(200);

    const putUrl = await getSignedUrl(
      client(),
      new PutObjectCommand({ Bucket: 'bucket', Key: 'presigned' }),
      {
        expiresIn: 60,
      },
    );
    const response = await fetch(putUrl, { method: 'PUT', body: data.subarray(0, 1000) });
    expect(response.status).toBe(200);
    expect(received.get('/bucket/presigned')?.verified?.presigned).toBe(true);
    expect(received.get('/bucket/presigned')?.body.equals(data.subarray(0, 1000))).toBe(true);

    const tampered = putUrl.replace('/bucket/presigned', '/bucket/elsewhere');
    expect((await fetch(tampered, { method: 'PUT', body: 'x' })).status).toBe(403);
  });
});
