/**
 * The signature chain of a SigV4 streaming upload: each chunk's signature covers the chunk and
 * the previous signature (the first one chains from the request's seed signature), and the
 * trailer signature covers the trailing headers and the final chunk's signature.
 */
import { EMPTY_SHA256, sha256Hex, signHex } from './signing-key.js';
import type { SigningContext } from './types.js';

export const CHUNK_ALGORITHM = 'AWS4-HMAC-SHA256-PAYLOAD';
export const TRAILER_ALGORITHM = 'AWS4-HMAC-SHA256-TRAILER';

export class ChunkSignatureChain {
  private previous: string;

  constructor(private readonly signing: SigningContext) {
    this.previous = signing.seedSignature;
  }

  /** The signature the next chunk must carry, given its data hash; advances the chain. */
  nextChunk(chunkSha256Hex: string): string {
    const { signingKey, amzDate, scope } = this.signing;
    const stringToSign = [
      CHUNK_ALGORITHM,
      amzDate,
      scope,
      this.previous,
      EMPTY_SHA256,
      chunkSha256Hex,
    ].join('\n');
    this.previous = signHex(signingKey, stringToSign);
    return this.previous;
  }

  /** The signature of the trailer chunk, chained from the final (empty) chunk's signature. */
  trailer(trailers: ReadonlyMap<string, string>): string {
    const { signingKey, amzDate, scope } = this.signing;
    const stringToSign = [
      TRAILER_ALGORITHM,
      amzDate,
      scope,
      this.previous,
      sha256Hex(canonicalTrailers(trailers)),
    ].join('\n');
    return signHex(signingKey, stringToSign);
  }
}

/**
 * Trailing headers as signed: `name:value\n` per header, names lowercase and sorted. This is
 * how the AWS SDKs (.NET `CanonicalizeHeaders`, Kotlin `writeTrailers`) and S3's own example
 * (`x-amz-checksum-crc32c:sOO8/Q==\n`) form it.
 */
export function canonicalTrailers(trailers: ReadonlyMap<string, string>): string {
  return [...trailers.keys()]
    .sort()
    .map((name) => `${name}:${trailers.get(name) ?? ''}\n`)
    .join('');
}
