/**
 * The integrity checks a request asks for on its decoded body — signed SHA-256, flexible
 * checksum (header or trailer), Content-MD5 — planned from the headers before the body is
 * read, computed while it streams, and settled once it has ended.
 */
import { createHash, type Hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  algorithmFromHeaderName,
  checksumHeaderName,
  createChecksum,
  findChecksumHeader,
  isValidChecksumValue,
  parseChecksumAlgorithm,
  type ChecksumAlgorithm,
  type ChecksumHasher,
} from '../checksum.js';
import { S3Error } from '../errors.js';
import { headerString } from './claim.js';
import type { PayloadIntegrity, PayloadMode } from './types.js';

export interface BodyCheckPlan {
  /** Hex SHA-256 the body must have (x-amz-content-sha256). */
  sha256Hex?: string;
  /** Base64 MD5 the body must have (Content-MD5). */
  contentMd5?: string;
  /** The flexible checksum to compute, and where its expected value comes from. */
  checksum?: {
    algorithm: ChecksumAlgorithm;
    source: { kind: 'header'; value: string } | { kind: 'trailer' } | { kind: 'hint' };
  };
}

/**
 * Reads the checks a request asks for.
 *
 * @throws S3Error for malformed Content-MD5 (`InvalidDigest`) or checksum headers
 *   (`InvalidRequest`), before any body byte is read.
 */
export function planBodyChecks(mode: PayloadMode, headers: IncomingHttpHeaders): BodyCheckPlan {
  const plan: BodyCheckPlan = {};
  if (mode.kind === 'sha256') plan.sha256Hex = mode.expectedHex;

  const contentMd5 = headerString(headers['content-md5'])?.trim();
  if (contentMd5 !== undefined) {
    if (!/^[A-Za-z0-9+/]{22}==$/.test(contentMd5)) throw new S3Error('InvalidDigest');
    plan.contentMd5 = contentMd5;
  }

  const inHeader = findChecksumHeader(headers);
  const inTrailer = announcedTrailerChecksum(mode, headers);
  if (inHeader && inTrailer) {
    throw new S3Error(
      'InvalidRequest',
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    );
  }
  if (inHeader) {
    plan.checksum = {
      algorithm: inHeader.algorithm,
      source: { kind: 'header', value: inHeader.value },
    };
  } else if (inTrailer) {
    plan.checksum = { algorithm: inTrailer, source: { kind: 'trailer' } };
  } else {
    const hint = headerString(headers['x-amz-sdk-checksum-algorithm']);
    if (hint !== undefined)
      plan.checksum = { algorithm: hintedAlgorithm(hint), source: { kind: 'hint' } };
  }
  return plan;
}

function announcedTrailerChecksum(
  mode: PayloadMode,
  headers: IncomingHttpHeaders,
): ChecksumAlgorithm | undefined {
  const trailer = headerString(headers['x-amz-trailer'])?.trim();
  if (trailer === undefined || !mode.kind.endsWith('-trailer')) return undefined;
  const algorithm = algorithmFromHeaderName(trailer);
  if (!algorithm) {
    throw new S3Error(
      'InvalidRequest',
      'The value specified in the x-amz-trailer header is not supported',
    );
  }
  return algorithm;
}

function hintedAlgorithm(value: string): ChecksumAlgorithm {
  const algorithm = parseChecksumAlgorithm(value);
  if (!algorithm) {
    throw new S3Error(
      'InvalidRequest',
      'Checksum algorithm provided is unsupported. Please try again with any of the valid types: ' +
        '[CRC32, CRC32C, CRC64NVME, SHA1, SHA256]',
    );
  }
  return algorithm;
}

/** Runs a plan over the decoded body. */
export class BodyVerifier {
  private readonly sha256: Hash | undefined;
  private readonly md5: Hash | undefined;
  private readonly checksum: ChecksumHasher | undefined;
  private length = 0;

  constructor(private readonly plan: BodyCheckPlan) {
    this.sha256 = plan.sha256Hex !== undefined ? createHash('sha256') : undefined;
    this.md5 = plan.contentMd5 !== undefined ? createHash('md5') : undefined;
    this.checksum = plan.checksum ? createChecksum(plan.checksum.algorithm) : undefined;
  }

  get decodedLength(): number {
    return this.length;
  }

  update(bytes: Buffer): void {
    this.length += bytes.length;
    this.sha256?.update(bytes);
    this.md5?.update(bytes);
    this.checksum?.update(bytes);
  }

  /**
   * Settles every check once the body has ended.
   *
   * @param trailers trailing headers of an aws-chunked body (lowercase names).
   * @throws S3Error `XAmzContentSHA256Mismatch`, `BadDigest` or `InvalidRequest`.
   */
  finish(trailers: ReadonlyMap<string, string>): PayloadIntegrity {
    const { plan } = this;
    if (this.sha256 && plan.sha256Hex !== undefined) {
      const computed = this.sha256.digest('hex');
      if (computed !== plan.sha256Hex) {
        throw new S3Error('XAmzContentSHA256Mismatch', undefined, {
          ClientComputedContentSHA256: plan.sha256Hex,
          S3ComputedContentSHA256: computed,
        });
      }
    }
    const integrity: PayloadIntegrity = { decodedLength: this.length };
    if (this.checksum && plan.checksum) {
      const { algorithm, source } = plan.checksum;
      const computed = this.checksum.digestBase64();
      const expected =
        source.kind === 'header'
          ? source.value
          : source.kind === 'trailer'
            ? trailerValue(algorithm, trailers)
            : computed;
      if (computed !== expected) {
        throw new S3Error(
          'BadDigest',
          `The ${algorithm} you specified did not match the calculated checksum.`,
        );
      }
      integrity.checksum = { algorithm, value: computed };
    }
    if (this.md5 && plan.contentMd5 !== undefined) {
      const computed = this.md5.digest('base64');
      if (computed !== plan.contentMd5) {
        throw new S3Error(
          'BadDigest',
          'The Content-MD5 you specified did not match what we received.',
          {
            ExpectedDigest: plan.contentMd5,
            CalculatedDigest: computed,
          },
        );
      }
    }
    return integrity;
  }
}

function trailerValue(algorithm: ChecksumAlgorithm, trailers: ReadonlyMap<string, string>): string {
  const name = checksumHeaderName(algorithm);
  const value = trailers.get(name);
  if (value === undefined) {
    throw new S3Error(
      'InvalidRequest',
      `The x-amz-trailer header announced ${name}, but the trailer did not include it.`,
    );
  }
  if (!isValidChecksumValue(algorithm, value)) {
    throw new S3Error('InvalidRequest', `Value for ${name} trailing header is invalid.`);
  }
  return value;
}
