/** The `x-amz-content-sha256` values S3 understands, mapped to how the body must be read. */
import { S3Error, invalidArgument } from '../errors.js';
import type { PayloadMode } from './types.js';

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';

const LITERALS: Record<string, PayloadMode> = {
  [UNSIGNED_PAYLOAD]: { kind: 'unsigned' },
  [STREAMING_SIGNED]: { kind: 'streaming-signed' },
  [STREAMING_SIGNED_TRAILER]: { kind: 'streaming-signed-trailer' },
  [STREAMING_UNSIGNED_TRAILER]: { kind: 'streaming-unsigned-trailer' },
};

/** SigV4a streaming: valid for S3, but needs ECDSA signatures Vigil does not implement. */
const ECDSA_LITERALS = new Set([
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD',
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER',
]);

/** True for the aws-chunked modes. */
export function isStreaming(mode: PayloadMode): boolean {
  return mode.kind.startsWith('streaming-');
}

/**
 * Classifies an `x-amz-content-sha256` value.
 *
 * @throws S3Error `InvalidArgument` (S3's wording) for anything that is neither a literal nor
 *   a hex SHA-256; `NotImplemented` for SigV4a streaming.
 */
export function parsePayloadMode(value: string): PayloadMode {
  const literal = LITERALS[value];
  if (literal) return literal;
  if (/^[0-9a-fA-F]{64}$/.test(value)) return { kind: 'sha256', expectedHex: value.toLowerCase() };
  if (ECDSA_LITERALS.has(value)) {
    throw new S3Error('NotImplemented', 'Vigil does not support SigV4a (ECDSA) streaming uploads.');
  }
  throw invalidArgument(
    'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, ' +
      'STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, ' +
      'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER ' +
      'or a valid sha256 value.',
    'x-amz-content-sha256',
    value,
  );
}
