import { describe, expect, it } from 'vitest';
import { S3Error } from '../errors.js';
import { encodeAwsChunked, hmacSigner, splitRandomly } from './aws-chunked.test-helper.js';
import { ChunkSignatureChain } from './chunk-signature.js';
import { AwsChunkedDecoder, type AwsChunkedOptions } from './chunked.js';
import { deriveSigningKey } from './signing-key.js';
import type { SigningContext } from './types.js';

// The AWS documentation's chunked upload example (sigv4-streaming): 66560 bytes of 'a' in a
// 65536-byte chunk, a 1024-byte chunk and the final empty chunk, with published signatures.
const EXAMPLE: SigningContext = {
  signingKey: deriveSigningKey(
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    '20130524',
    'us-east-1',
    's3',
  ),
  seedSignature: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
  amzDate: '20130524T000000Z',
  scope: '20130524/us-east-1/s3/aws4_request',
};
const EXAMPLE_DATA = Buffer.alloc(66560, 'a');
const EXAMPLE_BODY = Buffer.concat([
  Buffer.from(
    '10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n',
  ),
  Buffer.alloc(65536, 'a'),
  Buffer.from(
    '\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n',
  ),
  Buffer.alloc(1024, 'a'),
  Buffer.from(
    '\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n',
  ),
]);

function signedOptions(overrides: Partial<AwsChunkedOptions> = {}): AwsChunkedOptions {
  return {
    signedChunks: true,
    trailers: false,
    signedTrailer: false,
    chain: new ChunkSignatureChain(EXAMPLE),
    decodedLength: EXAMPLE_DATA.length,
    ...overrides,
  };
}

function decode(options: AwsChunkedOptions, pieces: Buffer[]) {
  const decoder = new AwsChunkedDecoder(options);
  const out: Buffer[] = [];
  for (const piece of pieces) decoder.write(piece, (bytes) => out.push(bytes));
  const trailers = decoder.end();
  return { data: Buffer.concat(out), trailers };
}

function errorOf(call: () => unknown): S3Error {
  try {
    call();
  } catch (error) {
    if (error instanceof S3Error) return error;
    throw error;
  }
  throw new Error('expected an S3Error');
}

describe('AwsChunkedDecoder', () => {
  it('decodes the AWS documentation example and verifies its published signatures', () => {
    expect(decode(signedOptions(), [EXAMPLE_BODY]).data.equals(EXAMPLE_DATA)).toBe(true);
  });

  it.each([1, 2, 3, 7, 64, 1000, 70000])('decodes it fed in pieces of up to %i bytes', (max) => {
    const { data } = decode(signedOptions(), splitRandomly(EXAMPLE_BODY, max, max));
    expect(data.equals(EXAMPLE_DATA)).toBe(true);
  });

  it('emits data without copying it', () => {
    const decoder = new AwsChunkedDecoder(signedOptions());
    const emitted: Buffer[] = [];
    decoder.write(EXAMPLE_BODY, (bytes) => emitted.push(bytes));
    expect(emitted[0]?.buffer).toBe(EXAMPLE_BODY.buffer);
  });

  it('rejects altered data, whichever chunk it is in', () => {
    for (const position of [100, 65536 + 120 + 10]) {
      const tampered = Buffer.from(EXAMPLE_BODY);
      tampered[position] = 'b'.charCodeAt(0);
      expect(errorOf(() => decode(signedOptions(), [tampered])).code).toBe('SignatureDoesNotMatch');
    }
  });

  it('rejects an altered or reordered chunk signature', () => {
    const tampered = Buffer.from(
      EXAMPLE_BODY.toString('latin1').replace('0055627c', '0055627d'),
      'latin1',
    );
    expect(errorOf(() => decode(signedOptions(), [tampered])).code).toBe('SignatureDoesNotMatch');
  });

  it('rejects a body cut short', () => {
    const error = errorOf(() => decode(signedOptions(), [EXAMPLE_BODY.subarray(0, 66000)]));
    expect(error.code).toBe('IncompleteBody');
  });

  it('rejects a decoded length other than x-amz-decoded-content-length', () => {
    expect(
      errorOf(() => decode(signedOptions({ decodedLength: 66561 }), [EXAMPLE_BODY])).code,
    ).toBe('IncompleteBody');
    expect(errorOf(() => decode(signedOptions({ decodedLength: 1000 }), [EXAMPLE_BODY])).code).toBe(
      'IncompleteBody',
    );
  });

  it.each([
    ['a bad size', 'zz;chunk-signature=' + 'a'.repeat(64) + '\r\n'],
    ['a missing chunk signature', '10\r\n0123456789abcdef\r\n'],
    ['data not followed by CRLF', '2;chunk-signature=' + 'a'.repeat(64) + '\r\nabXY'],
    ['an endless header line', '1'.repeat(5000)],
  ])('rejects malformed framing: %s', (_name, body) => {
    const error = errorOf(() => decode(signedOptions({ chain: undefined }), [Buffer.from(body)]));
    expect(error.code).toBe('InvalidRequest');
    expect(error.message).toMatch(/^Malformed aws-chunked encoding/);
  });

  it('rejects data after the end of the body', () => {
    const error = errorOf(() => decode(signedOptions(), [EXAMPLE_BODY, Buffer.from('extra')]));
    expect(error.message).toMatch(/data after the end/);
  });

  it('verifies a signed trailer (AWS CRT test vector)', async () => {
    // AwsCommonRuntimeKit ChunkSignerTests: trailers first/second/third after the example chunks.
    const body = await encodeAwsChunked({
      data: EXAMPLE_DATA,
      chunkSize: 65536,
      signing: { context: EXAMPLE, sign: hmacSigner(EXAMPLE.signingKey) },
      trailers: [
        ['first', '1st'],
        ['second', '2nd'],
        ['third', '3rd'],
      ],
      signTrailer: true,
    });
    expect(body.toString('latin1')).toContain(
      'x-amz-trailer-signature:df5735bd9f3295cd9386572292562fefc93ba94e80a0a1ddcbd652c4e0a75e6c\r\n\r\n',
    );
    const options = signedOptions({ trailers: true, signedTrailer: true });
    const { trailers } = decode(options, splitRandomly(body, 300));
    expect([...trailers]).toEqual([
      ['first', '1st'],
      ['second', '2nd'],
      ['third', '3rd'],
    ]);
    const tampered = Buffer.from(
      body.toString('latin1').replace('second:2nd', 'second:2ND'),
      'latin1',
    );
    const error = errorOf(() =>
      decode(signedOptions({ trailers: true, signedTrailer: true }), [tampered]),
    );
    expect(error.code).toBe('SignatureDoesNotMatch');
  });

  it('decodes unsigned chunks, with or without the final empty line', async () => {
    const data = Buffer.from('hello world');
    const options = {
      signedChunks: false,
      trailers: true,
      signedTrailer: false,
      decodedLength: 11,
    };
    for (const finalEmptyLine of [true, false]) {
      const body = await encodeAwsChunked({ data, chunkSize: 4, finalEmptyLine });
      expect(decode(options, [body]).data.toString()).toBe('hello world');
    }
  });

  it('rejects trailing headers where the mode has none', async () => {
    const body = await encodeAwsChunked({
      data: EXAMPLE_DATA,
      chunkSize: 65536,
      signing: { context: EXAMPLE, sign: hmacSigner(EXAMPLE.signingKey) },
      trailers: [['x-amz-checksum-crc32', 'AAAAAA==']],
    });
    expect(errorOf(() => decode(signedOptions(), [body])).message).toMatch(/after the final chunk/);
  });
});
