/**
 * The contract of AWS Signature Version 4 verification: what a caller hands in, and what a
 * verified request tells the rest of the server. Service-agnostic: S3 today, other AWS-style
 * APIs (SQS, Rekognition) through `AuthOptions.services`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ChecksumAlgorithm } from '../checksum.js';

/** The parts of an incoming HTTP request that a SigV4 signature covers. */
export interface AuthRequest {
  method: string;
  /** Path + '?' + query exactly as received (Node's `req.url`), still percent-encoded. */
  rawUrl: string;
  headers: IncomingHttpHeaders;
  /**
   * Hex SHA-256 of an already-buffered body. Only needed for services whose clients do not
   * send `x-amz-content-sha256` (SQS, Rekognition): their signature covers the body hash.
   */
  payloadSha256?: string;
}

export interface AuthOptions {
  /** The secret for an access key id, or undefined when the key is unknown. */
  lookupSecret(accessKeyId: string): string | undefined;
  /** The server clock; defaults to `new Date()`. Injected by tests. */
  now?: Date;
  /** Service names accepted in the credential scope. Defaults to `['s3']`. */
  services?: string[];
  /** Allowed clock difference for header auth and not-yet-valid presigned URLs. Default 15 min. */
  maxSkewMs?: number;
}

/** How the body relates to the signature, from `x-amz-content-sha256` (or its presigned default). */
export type PayloadMode =
  /** `UNSIGNED-PAYLOAD`: the body is not covered (also the presigned default). */
  | { kind: 'unsigned' }
  /** A hex SHA-256: the body must hash to it. */
  | { kind: 'sha256'; expectedHex: string }
  /** `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: aws-chunked with a signature per chunk. */
  | { kind: 'streaming-signed' }
  /** `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: signed chunks plus a signed trailer. */
  | { kind: 'streaming-signed-trailer' }
  /** `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: aws-chunked without signatures, checksum trailer. */
  | { kind: 'streaming-unsigned-trailer' };

/** What the seed signature gives the body decoder to verify chunk signatures. */
export interface SigningContext {
  /** kSigning = HMAC chain over date, region, service, 'aws4_request'. */
  signingKey: Buffer;
  /** The request signature (lowercase hex); the first chunk signature chains from it. */
  seedSignature: string;
  /** `YYYYMMDDTHHMMSSZ`, as used in the string to sign. */
  amzDate: string;
  /** `YYYYMMDD/region/service/aws4_request`. */
  scope: string;
}

export interface VerifiedRequest {
  accessKeyId: string;
  region: string;
  service: string;
  /** True for query-string (presigned URL) authentication. */
  presigned: boolean;
  payload: PayloadMode;
  signing: SigningContext;
}

/** What the body decoder established about the bytes it let through. */
export interface PayloadIntegrity {
  /** The verified (or, with only `x-amz-sdk-checksum-algorithm`, computed) flexible checksum. */
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
  /** Number of object bytes emitted (after aws-chunked decoding). */
  decodedLength: number;
}
