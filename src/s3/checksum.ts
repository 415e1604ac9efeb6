/**
 * S3 flexible checksums: the algorithms S3 accepts in `x-amz-checksum-<alg>` headers and
 * trailers, incremental hashers for them, and the header parsing rules S3 applies.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { crc32 } from 'node:zlib';
import { S3Error } from './errors.js';

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = [
  'CRC32',
  'CRC32C',
  'CRC64NVME',
  'SHA1',
  'SHA256',
];

/** Digest size in bytes; a header value must be the base64 of exactly this many bytes. */
const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = {
  CRC32: 4,
  CRC32C: 4,
  CRC64NVME: 8,
  SHA1: 20,
  SHA256: 32,
};

/** An incremental checksum over a byte stream. */
export interface ChecksumHasher {
  update(chunk: Buffer): void;
  /** The checksum as S3 prints it: base64 of the big-endian digest. */
  digestBase64(): string;
}

/**
 * Starts an incremental checksum.
 *
 * @example
 * const hasher = createChecksum('CRC32');
 * hasher.update(Buffer.from('123456789'));
 * hasher.digestBase64(); // 'y/Q5Jg=='
 */
export function createChecksum(algorithm: ChecksumAlgorithm): ChecksumHasher {
  switch (algorithm) {
    case 'CRC32': {
      let value = 0;
      return {
        update: (chunk) => void (value = crc32(chunk, value)),
        digestBase64: () => uint32Base64(value),
      };
    }
    case 'CRC32C': {
      let state = 0xffffffff;
      return {
        update: (chunk) => void (state = updateCrc32c(state, chunk)),
        digestBase64: () => uint32Base64(~state >>> 0),
      };
    }
    case 'CRC64NVME': {
      const state = { hi: 0xffffffff, lo: 0xffffffff };
      return {
        update: (chunk) => updateCrc64Nvme(state, chunk),
        digestBase64: () => {
          const out = Buffer.alloc(8);
          out.writeUInt32BE(~state.hi >>> 0, 0);
          out.writeUInt32BE(~state.lo >>> 0, 4);
          return out.toString('base64');
        },
      };
    }
    case 'SHA1':
    case 'SHA256': {
      const hash = createHash(algorithm === 'SHA1' ? 'sha1' : 'sha256');
      return {
        update: (chunk) => void hash.update(chunk),
        digestBase64: () => hash.digest('base64'),
      };
    }
  }
}

/** One-shot checksum of a buffer, base64 as S3 prints it. */
export function checksumOf(algorithm: ChecksumAlgorithm, data: Buffer): string {
  const hasher = createChecksum(algorithm);
  hasher.update(data);
  return hasher.digestBase64();
}

/** `CRC32` → `x-amz-checksum-crc32`. */
export function checksumHeaderName(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/** `x-amz-checksum-crc32` (any case) → `CRC32`; undefined for anything else. */
export function algorithmFromHeaderName(name: string): ChecksumAlgorithm | undefined {
  const lower = name.toLowerCase();
  if (!lower.startsWith('x-amz-checksum-')) return undefined;
  return parseChecksumAlgorithm(lower.slice('x-amz-checksum-'.length));
}

/** An algorithm name as sent in `x-amz-sdk-checksum-algorithm` (any case) → its canonical name. */
export function parseChecksumAlgorithm(value: string): ChecksumAlgorithm | undefined {
  const upper = value.trim().toUpperCase();
  return CHECKSUM_ALGORITHMS.find((algorithm) => algorithm === upper);
}

/** True when `value` is canonical base64 of a digest of the algorithm's size. */
export function isValidChecksumValue(algorithm: ChecksumAlgorithm, value: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === DIGEST_BYTES[algorithm] && bytes.toString('base64') === value;
}

/**
 * The checksum value header of a request (`x-amz-checksum-<alg>: <base64>`), validated as S3
 * does. `x-amz-sdk-checksum-algorithm` alone is only a hint and is not returned here.
 *
 * @throws S3Error `InvalidRequest` when several algorithms are given or the value is malformed.
 */
export function findChecksumHeader(
  headers: IncomingHttpHeaders,
): { algorithm: ChecksumAlgorithm; value: string } | undefined {
  let found: { algorithm: ChecksumAlgorithm; value: string } | undefined;
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const raw = headers[checksumHeaderName(algorithm)];
    if (raw === undefined) continue;
    if (found) {
      throw new S3Error(
        'InvalidRequest',
        'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
      );
    }
    const value = (Array.isArray(raw) ? raw.join(',') : raw).trim();
    if (!isValidChecksumValue(algorithm, value)) {
      throw new S3Error(
        'InvalidRequest',
        `Value for ${checksumHeaderName(algorithm)} header is invalid.`,
      );
    }
    found = { algorithm, value };
  }
  return found;
}

function uint32Base64(value: number): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0, 0);
  return out.toString('base64');
}

// The CRCs below are hand-written because the packaged ones are too slow for multi-GiB bodies
// (@aws-crypto/crc32c runs ~90 MB/s) or only digest asynchronously (@aws-sdk/crc64-nvme).
// Both use slicing-by-8: table k maps a byte to its CRC contribution k bytes further back.
// Indexing is always in bounds (byte values into 256-entry slices), hence the `!`s.

const CRC32C_TABLES = buildCrc32Tables(0x82f63b78);

function buildCrc32Tables(reflectedPolynomial: number): Uint32Array {
  const table = new Uint32Array(8 * 256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ reflectedPolynomial : crc >>> 1;
    table[byte] = crc;
  }
  for (let slice = 1; slice < 8; slice++) {
    for (let byte = 0; byte < 256; byte++) {
      const previous = table[(slice - 1) * 256 + byte]!;
      table[slice * 256 + byte] = (previous >>> 8) ^ table[previous & 0xff]!;
    }
  }
  return table;
}

function updateCrc32c(state: number, data: Uint8Array): number {
  const t = CRC32C_TABLES;
  let crc = state;
  let i = 0;
  for (const end = data.length - 7; i < end; i += 8) {
    const low =
      crc ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    crc =
      t[1792 + (low & 0xff)]! ^
      t[1536 + ((low >>> 8) & 0xff)]! ^
      t[1280 + ((low >>> 16) & 0xff)]! ^
      t[1024 + (low >>> 24)]! ^
      t[768 + data[i + 4]!]! ^
      t[512 + data[i + 5]!]! ^
      t[256 + data[i + 6]!]! ^
      t[data[i + 7]!]!;
  }
  for (; i < data.length; i++) crc = (crc >>> 8) ^ t[(crc ^ data[i]!) & 0xff]!;
  return crc >>> 0;
}

// CRC-64/NVME (reflected polynomial 0x9a6c9329ac4bc9b5), the 64-bit state held as two uint32
// halves because bitwise operators on numbers are 32-bit and BigInt is far too slow per byte.
let crc64Tables: { hi: Uint32Array; lo: Uint32Array } | undefined;

function getCrc64Tables(): { hi: Uint32Array; lo: Uint32Array } {
  if (crc64Tables) return crc64Tables;
  const hi = new Uint32Array(8 * 256);
  const lo = new Uint32Array(8 * 256);
  for (let byte = 0; byte < 256; byte++) {
    let h = 0;
    let l = byte;
    for (let bit = 0; bit < 8; bit++) {
      const carry = l & 1;
      l = (l >>> 1) | ((h & 1) << 31);
      h >>>= 1;
      if (carry) {
        h ^= 0x9a6c9329;
        l ^= 0xac4bc9b5;
      }
    }
    hi[byte] = h;
    lo[byte] = l;
  }
  for (let slice = 1; slice < 8; slice++) {
    for (let byte = 0; byte < 256; byte++) {
      const ph = hi[(slice - 1) * 256 + byte]!;
      const pl = lo[(slice - 1) * 256 + byte]!;
      const index = pl & 0xff;
      hi[slice * 256 + byte] = (ph >>> 8) ^ hi[index]!;
      lo[slice * 256 + byte] = ((pl >>> 8) | (ph << 24)) ^ lo[index]!;
    }
  }
  crc64Tables = { hi, lo };
  return crc64Tables;
}

function updateCrc64Nvme(state: { hi: number; lo: number }, data: Uint8Array): void {
  const { hi: th, lo: tl } = getCrc64Tables();
  let h = state.hi;
  let l = state.lo;
  let i = 0;
  for (const end = data.length - 7; i < end; i += 8) {
    const a = l ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    const b =
      h ^ (data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24));
    const i7 = 1792 + (a & 0xff);
    const i6 = 1536 + ((a >>> 8) & 0xff);
    const i5 = 1280 + ((a >>> 16) & 0xff);
    const i4 = 1024 + (a >>> 24);
    const i3 = 768 + (b & 0xff);
    const i2 = 512 + ((b >>> 8) & 0xff);
    const i1 = 256 + ((b >>> 16) & 0xff);
    const i0 = b >>> 24;
    l = tl[i7]! ^ tl[i6]! ^ tl[i5]! ^ tl[i4]! ^ tl[i3]! ^ tl[i2]! ^ tl[i1]! ^ tl[i0]!;
    h = th[i7]! ^ th[i6]! ^ th[i5]! ^ th[i4]! ^ th[i3]! ^ th[i2]! ^ th[i1]! ^ th[i0]!;
  }
  for (; i < data.length; i++) {
    const index = (l ^ data[i]!) & 0xff;
    l = ((l >>> 8) | (h << 24)) ^ tl[index]!;
    h = (h >>> 8) ^ th[index]!;
  }
  state.hi = h >>> 0;
  state.lo = l >>> 0;
}
