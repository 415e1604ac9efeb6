import { createHash, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { CHECKSUM_ALGORITHMS, checksumHeaderName, checksumOf } from '../checksum.js';
import { S3Error } from '../errors.js';
import { encodeAwsChunked, runDecoder, splitRandomly } from './aws-chunked.test-helper.js';
import { createPayloadDecoder, stripAwsChunkedEncoding } from './payload.js';
import { ACCESS_KEY, SECRET, lookupSecret } from './sdk-capture.test-helper.js';
import type { VerifiedRequest } from './types.js';
import { verifySigV4 } from './verify.js';

const DATA = randomBytes(200_000);
const sha256Hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const md5Base64 = (data: Buffer) => createHash('md5').update(data).digest('base64');

function expectCode(error: unknown, code: string, message?: string | RegExp): void {
  expect(error).toBeInstanceOf(S3Error);
  expect((error as S3Error).code).toBe(code);
  if (message !== undefined) expect((error as S3Error).message).toMatch(message);
}

async function decodePlain(headers: IncomingHttpHeaders, body: Buffer, verified?: VerifiedRequest) {
  const decoder = createPayloadDecoder(verified, headers);
  const result = await runDecoder(decoder, splitRandomly(body, 20_000));
  return { ...result, integrity: decoder.integrity };
}

describe('createPayloadDecoder on plain bodies', () => {
  it('passes an unsigned body through unchanged', async () => {
    const { output, error, integrity } = await decodePlain({}, DATA);
    expect(error).toBeUndefined();
    expect(output.equals(DATA)).toBe(true);
    expect(integrity).toEqual({ decodedLength: DATA.length });
  });

  it('verifies a signed x-amz-content-sha256', async () => {
    const headers = { 'x-amz-content-sha256': sha256Hex(DATA) };
    expect((await decodePlain(headers, DATA)).error).toBeUndefined();
    const wrong = { 'x-amz-content-sha256': sha256Hex(Buffer.from('other')) };
    const { error, ended } = await decodePlain(wrong, DATA);
    expectCode(error, 'XAmzContentSHA256Mismatch');
    expect((error as S3Error).details).toEqual({
      ClientComputedContentSHA256: sha256Hex(Buffer.from('other')),
      S3ComputedContentSHA256: sha256Hex(DATA),
    });
    expect(ended).toBe(false);
  });

  it.each(CHECKSUM_ALGORITHMS)('verifies an x-amz-checksum-%s header', async (algorithm) => {
    const name = checksumHeaderName(algorithm);
    const good = await decodePlain({ [name]: checksumOf(algorithm, DATA) }, DATA);
    expect(good.error).toBeUndefined();
    expect(good.integrity.checksum).toEqual({ algorithm, value: checksumOf(algorithm, DATA) });
    const bad = await decodePlain({ [name]: checksumOf(algorithm, Buffer.from('x')) }, DATA);
    expectCode(
      bad.error,
      'BadDigest',
      `The ${algorithm} you specified did not match the calculated checksum.`,
    );
    expect(bad.ended).toBe(false);
  });

  it('computes the hinted algorithm when only x-amz-sdk-checksum-algorithm is sent', async () => {
    const { integrity } = await decodePlain({ 'x-amz-sdk-checksum-algorithm': 'crc32c' }, DATA);
    expect(integrity.checksum).toEqual({ algorithm: 'CRC32C', value: checksumOf('CRC32C', DATA) });
    expect(() =>
      createPayloadDecoder(undefined, { 'x-amz-sdk-checksum-algorithm': 'MD4' }),
    ).toThrow(/Checksum algorithm provided is unsupported/);
  });

  it('verifies Content-MD5', async () => {
    expect((await decodePlain({ 'content-md5': md5Base64(DATA) }, DATA)).error).toBeUndefined();
    const { error } = await decodePlain({ 'content-md5': md5Base64(Buffer.from('x')) }, DATA);
    expectCode(error, 'BadDigest', /Content-MD5/);
    expect(() => createPayloadDecoder(undefined, { 'content-md5': 'not-md5' })).toThrow(S3Error);
    try {
      createPayloadDecoder(undefined, { 'content-md5': 'AAAA' });
    } catch (caught) {
      expectCode(caught, 'InvalidDigest');
    }
  });

  it('rejects contradictory checksum headers before reading the body', () => {
    expect(() =>
      createPayloadDecoder(undefined, {
        'x-amz-checksum-crc32': checksumOf('CRC32', DATA),
        'x-amz-checksum-sha1': checksumOf('SHA1', DATA),
      }),
    ).toThrow(/Multiple checksum Types are not allowed/);
  });
});

/** A streaming upload signed by the AWS SDK's own SignatureV4, verified by verifySigV4. */
async function signedStreamingUpload(options: {
  data: Buffer;
  chunkSize: number;
  trailerChecksum?: { header: string; value: string };
}) {
  const signer = new SignatureV4({
    service: 's3',
    region: 'eu-central-1',
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET },
    sha256: Sha256,
    uriEscapePath: false,
  });
  const signingDate = new Date();
  const trailer = options.trailerChecksum;
  const request = await signer.sign(
    {
      method: 'PUT',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 9000,
      path: '/bucket/streamed%20object',
      query: {},
      headers: {
        host: '127.0.0.1:9000',
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': String(options.data.length),
        'x-amz-content-sha256': trailer
          ? 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER'
          : 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        ...(trailer ? { 'x-amz-trailer': trailer.header } : {}),
      },
    },
    { signingDate },
  );
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  const verified = verifySigV4({ method: 'PUT', rawUrl: request.path, headers }, { lookupSecret });
  const body = await encodeAwsChunked({
    data: options.data,
    chunkSize: options.chunkSize,
    signing: {
      context: verified.signing,
      // The SDK's signString: HMAC with its own derived key, independent of ours.
      sign: (stringToSign) => signer.sign(stringToSign, { signingDate }),
    },
    ...(trailer ? { trailers: [[trailer.header, trailer.value]], signTrailer: true } : {}),
  });
  return { verified, headers, body };
}

describe('createPayloadDecoder on signed aws-chunked bodies', () => {
  it.each([
    [1, 2_000],
    [8192, 100_000],
    [65536, 160_000],
    [150_000, 160_000],
  ])('decodes signed chunks of %i bytes', async (chunkSize, length) => {
    const data = DATA.subarray(0, length);
    const { verified, headers, body } = await signedStreamingUpload({ data, chunkSize });
    expect(verified.payload).toEqual({ kind: 'streaming-signed' });
    const decoder = createPayloadDecoder(verified, headers);
    const { output, error } = await runDecoder(decoder, splitRandomly(body, 5000, chunkSize));
    expect(error).toBeUndefined();
    expect(output.equals(data)).toBe(true);
    expect(decoder.integrity.decodedLength).toBe(data.length);
  });

  it('rejects altered chunk data without ever ending the output', async () => {
    const { verified, headers, body } = await signedStreamingUpload({
      data: DATA,
      chunkSize: 65536,
    });
    const tampered = Buffer.from(body);
    tampered[150_000] = (tampered[150_000] ?? 0) ^ 1;
    const { error, ended } = await runDecoder(createPayloadDecoder(verified, headers), [tampered]);
    expectCode(error, 'SignatureDoesNotMatch');
    expect(ended).toBe(false);
  });

  it('verifies a signed trailer checksum', async () => {
    const trailer = { header: 'x-amz-checksum-crc32c', value: checksumOf('CRC32C', DATA) };
    const { verified, headers, body } = await signedStreamingUpload({
      data: DATA,
      chunkSize: 65536,
      trailerChecksum: trailer,
    });
    expect(verified.payload).toEqual({ kind: 'streaming-signed-trailer' });
    const decoder = createPayloadDecoder(verified, headers);
    const { output, error } = await runDecoder(decoder, splitRandomly(body, 3000));
    expect(error).toBeUndefined();
    expect(output.equals(DATA)).toBe(true);
    expect(decoder.integrity).toEqual({
      decodedLength: DATA.length,
      checksum: { algorithm: 'CRC32C', value: trailer.value },
    });

    const altered = Buffer.from(
      body.toString('latin1').replace(trailer.value, checksumOf('CRC32C', Buffer.from('x'))),
      'latin1',
    );
    expectCode(
      (await runDecoder(createPayloadDecoder(verified, headers), [altered])).error,
      'SignatureDoesNotMatch',
    );
  });

  it('rejects a correctly signed trailer whose checksum does not match the data', async () => {
    const trailer = {
      header: 'x-amz-checksum-sha256',
      value: checksumOf('SHA256', Buffer.from('x')),
    };
    const { verified, headers, body } = await signedStreamingUpload({
      data: DATA,
      chunkSize: 65536,
      trailerChecksum: trailer,
    });
    const { error, ended } = await runDecoder(createPayloadDecoder(verified, headers), [body]);
    expectCode(
      error,
      'BadDigest',
      'The SHA256 you specified did not match the calculated checksum.',
    );
    expect(ended).toBe(false);
  });
});

describe('createPayloadDecoder on STREAMING-UNSIGNED-PAYLOAD-TRAILER bodies', () => {
  const headersFor = (header: string): IncomingHttpHeaders => ({
    'content-encoding': 'aws-chunked',
    'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    'x-amz-decoded-content-length': String(DATA.length),
    'x-amz-trailer': header,
  });

  it.each(CHECKSUM_ALGORITHMS)('verifies a %s trailer', async (algorithm) => {
    const header = checksumHeaderName(algorithm);
    const value = checksumOf(algorithm, DATA);
    const body = await encodeAwsChunked({
      data: DATA,
      chunkSize: 16384,
      trailers: [[header, value]],
    });
    const decoder = createPayloadDecoder(undefined, headersFor(header));
    const { output, error } = await runDecoder(decoder, splitRandomly(body, 4000));
    expect(error).toBeUndefined();
    expect(output.equals(DATA)).toBe(true);
    expect(decoder.integrity.checksum).toEqual({ algorithm, value });

    const wrong = await encodeAwsChunked({
      data: DATA,
      chunkSize: 16384,
      trailers: [[header, checksumOf(algorithm, Buffer.from('x'))]],
    });
    const failed = await runDecoder(createPayloadDecoder(undefined, headersFor(header)), [wrong]);
    expectCode(
      failed.error,
      'BadDigest',
      `The ${algorithm} you specified did not match the calculated checksum.`,
    );
    expect(failed.ended).toBe(false);
  });

  it('rejects a missing or malformed trailer', async () => {
    const header = 'x-amz-checksum-crc32';
    const missing = await encodeAwsChunked({ data: DATA, chunkSize: 16384 });
    expectCode(
      (await runDecoder(createPayloadDecoder(undefined, headersFor(header)), [missing])).error,
      'InvalidRequest',
    );
    const malformed = await encodeAwsChunked({
      data: DATA,
      chunkSize: 16384,
      trailers: [[header, 'AAAA']],
    });
    expectCode(
      (await runDecoder(createPayloadDecoder(undefined, headersFor(header)), [malformed])).error,
      'InvalidRequest',
      'Value for x-amz-checksum-crc32 trailing header is invalid.',
    );
  });

  it('requires x-amz-decoded-content-length', () => {
    const { 'x-amz-decoded-content-length': _removed, ...headers } =
      headersFor('x-amz-checksum-crc32');
    try {
      createPayloadDecoder(undefined, headers);
      expect.unreachable();
    } catch (error) {
      expectCode(error, 'MissingContentLength');
    }
  });
});

describe('stripAwsChunkedEncoding', () => {
  it('keeps only the encodings that describe the object', () => {
    expect(stripAwsChunkedEncoding('aws-chunked')).toBeUndefined();
    expect(stripAwsChunkedEncoding('aws-chunked,gzip')).toBe('gzip');
    expect(stripAwsChunkedEncoding('gzip, aws-chunked')).toBe('gzip');
    expect(stripAwsChunkedEncoding(undefined)).toBeUndefined();
  });
});
