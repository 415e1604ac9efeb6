import { randomBytes } from 'node:crypto';
import { Crc32c } from '@aws-crypto/crc32c';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import { describe, expect, it } from 'vitest';
import {
  algorithmFromHeaderName,
  CHECKSUM_ALGORITHMS,
  checksumHeaderName,
  checksumOf,
  createChecksum,
  findChecksumHeader,
  isValidChecksumValue,
  type ChecksumAlgorithm,
} from './checksum.js';
import { S3Error } from './errors.js';

const CHECK = '123456789';
const EMPTY = '';

describe('createChecksum', () => {
  it.each<[ChecksumAlgorithm, string, string]>([
    ['CRC32', CHECK, 'y/Q5Jg=='], // 0xCBF43926
    ['CRC32C', CHECK, '4waSgw=='], // 0xE3069283
    ['CRC64NVME', CHECK, 'rosUhgp5mIg='], // 0xAE8B14860A799888
    ['SHA1', CHECK, '98O8HYCOBHMq32eZZczDTKeuNEE='],
    ['SHA256', CHECK, 'FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU='],
    ['CRC32', EMPTY, 'AAAAAA=='],
    ['CRC32C', EMPTY, 'AAAAAA=='],
    ['CRC64NVME', EMPTY, 'AAAAAAAAAAA='],
    ['SHA1', EMPTY, '2jmj7l5rSw0yVb/vlWAYkK/YBwk='],
    ['SHA256', EMPTY, '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='],
  ])('%s of "%s" is %s', (algorithm, text, expected) => {
    expect(checksumOf(algorithm, Buffer.from(text))).toBe(expected);
  });

  it('gives the same result however the input is split', () => {
    const data = randomBytes(10_000);
    for (const algorithm of CHECKSUM_ALGORITHMS) {
      const hasher = createChecksum(algorithm);
      let offset = 0;
      for (const size of [1, 7, 8, 9, 15, 16, 17, 1000, 3]) {
        hasher.update(data.subarray(offset, offset + size));
        offset += size;
      }
      hasher.update(data.subarray(offset));
      expect(hasher.digestBase64(), algorithm).toBe(checksumOf(algorithm, data));
    }
  });

  it('matches the AWS SDK implementations of CRC32C and CRC64NVME on random data', async () => {
    for (const length of [0, 1, 7, 8, 9, 63, 64, 65, 4096, 100_003]) {
      const data = randomBytes(length);
      const crc32c = Buffer.alloc(4);
      crc32c.writeUInt32BE(new Crc32c().update(data).digest());
      expect(checksumOf('CRC32C', data)).toBe(crc32c.toString('base64'));

      const crc64 = new Crc64Nvme();
      crc64.update(data);
      expect(checksumOf('CRC64NVME', data)).toBe(
        Buffer.from(await crc64.digest()).toString('base64'),
      );
    }
  });
});

describe('checksum header names', () => {
  it('maps algorithms to header names and back', () => {
    for (const algorithm of CHECKSUM_ALGORITHMS) {
      expect(algorithmFromHeaderName(checksumHeaderName(algorithm))).toBe(algorithm);
    }
    expect(checksumHeaderName('CRC64NVME')).toBe('x-amz-checksum-crc64nvme');
    expect(algorithmFromHeaderName('X-Amz-Checksum-CRC32C')).toBe('CRC32C');
    expect(algorithmFromHeaderName('x-amz-checksum-algorithm')).toBeUndefined();
    expect(algorithmFromHeaderName('content-md5')).toBeUndefined();
  });
});

describe('isValidChecksumValue', () => {
  it('accepts only canonical base64 of the right size', () => {
    expect(isValidChecksumValue('CRC32', 'y/Q5Jg==')).toBe(true);
    expect(isValidChecksumValue('CRC32', 'y/Q5Jg')).toBe(false);
    expect(isValidChecksumValue('CRC32', 'rosUhgp5mIg=')).toBe(false);
    expect(isValidChecksumValue('CRC64NVME', 'rosUhgp5mIg=')).toBe(true);
    expect(isValidChecksumValue('SHA256', 'not base64 at all!')).toBe(false);
  });
});

describe('findChecksumHeader', () => {
  it('returns undefined when no checksum value is sent', () => {
    expect(findChecksumHeader({ 'x-amz-sdk-checksum-algorithm': 'CRC32' })).toBeUndefined();
  });

  it('returns the algorithm and value', () => {
    expect(findChecksumHeader({ 'x-amz-checksum-crc32c': '4waSgw==' })).toEqual({
      algorithm: 'CRC32C',
      value: '4waSgw==',
    });
  });

  it('rejects several checksum headers', () => {
    const call = () =>
      findChecksumHeader({
        'x-amz-checksum-crc32': 'y/Q5Jg==',
        'x-amz-checksum-crc32c': '4waSgw==',
      });
    expect(call).toThrow(S3Error);
    expect(call).toThrow(/Multiple checksum Types are not allowed/);
  });

  it('rejects a value of the wrong length', () => {
    const call = () => findChecksumHeader({ 'x-amz-checksum-crc32': 'rosUhgp5mIg=' });
    expect(call).toThrow('Value for x-amz-checksum-crc32 header is invalid.');
    try {
      call();
    } catch (error) {
      expect((error as S3Error).code).toBe('InvalidRequest');
    }
  });
});
