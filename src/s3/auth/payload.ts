/**
 * The request body as the object store should see it: aws-chunked framing removed, and every
 * integrity claim (signed hash, chunk signatures, checksum, Content-MD5) verified before the
 * stream ends, so a body that fails verification errors the pipeline instead of completing.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { S3Error, invalidArgument } from '../errors.js';
import { BodyVerifier, planBodyChecks } from './body-checks.js';
import { ChunkSignatureChain } from './chunk-signature.js';
import { AwsChunkedDecoder } from './chunked.js';
import { headerString } from './claim.js';
import { isStreaming, parsePayloadMode } from './payload-hash.js';
import type { PayloadIntegrity, PayloadMode, VerifiedRequest } from './types.js';

export type PayloadDecoder = Transform & {
  /** What was verified; complete once the stream has ended without error. */
  readonly integrity: PayloadIntegrity;
};

/**
 * A Transform from the raw request body to the object's bytes.
 *
 * @param verified the result of `verifySigV4`, or undefined for an unauthenticated request
 *   (then only framing, hash, checksum and Content-MD5 are checked; chunk signatures are not).
 * @example
 * const decoder = createPayloadDecoder(verified, req.headers);
 * await pipeline(req, decoder, fileStream); // rejects with an S3Error if anything mismatches
 * decoder.integrity.checksum; // e.g. { algorithm: 'CRC32', value: 'y/Q5Jg==' }
 * @throws S3Error synchronously when the headers are invalid (bad Content-MD5, several
 *   checksums, missing x-amz-decoded-content-length…), before any byte is read.
 */
export function createPayloadDecoder(
  verified: VerifiedRequest | undefined,
  headers: IncomingHttpHeaders,
): PayloadDecoder {
  const mode = verified?.payload ?? modeWithoutAuthentication(headers);
  const verifier = new BodyVerifier(planBodyChecks(mode, headers));
  const chunked = isStreaming(mode) ? chunkedDecoder(mode, verified, headers) : undefined;
  let integrity: PayloadIntegrity | undefined;

  const decoder = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      try {
        const emit = (bytes: Buffer) => {
          verifier.update(bytes);
          decoder.push(bytes);
        };
        if (chunked) chunked.write(chunk, emit);
        else emit(chunk);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      try {
        integrity = verifier.finish(chunked ? chunked.end() : new Map());
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
  return Object.defineProperty(decoder, 'integrity', {
    get: (): PayloadIntegrity => integrity ?? { decodedLength: verifier.decodedLength },
  }) as PayloadDecoder;
}

/** Without a verified signature we still honour the declared framing and hash. */
function modeWithoutAuthentication(headers: IncomingHttpHeaders): PayloadMode {
  const declared = headerString(headers['x-amz-content-sha256'])?.trim();
  return declared === undefined ? { kind: 'unsigned' } : parsePayloadMode(declared);
}

function chunkedDecoder(
  mode: PayloadMode,
  verified: VerifiedRequest | undefined,
  headers: IncomingHttpHeaders,
): AwsChunkedDecoder {
  const raw = headerString(headers['x-amz-decoded-content-length'])?.trim();
  if (raw === undefined) throw new S3Error('MissingContentLength');
  if (!/^\d{1,16}$/.test(raw)) {
    throw invalidArgument(
      'Invalid x-amz-decoded-content-length',
      'x-amz-decoded-content-length',
      raw,
    );
  }
  const signedChunks = mode.kind === 'streaming-signed' || mode.kind === 'streaming-signed-trailer';
  return new AwsChunkedDecoder({
    signedChunks,
    trailers: mode.kind.endsWith('-trailer'),
    signedTrailer: mode.kind === 'streaming-signed-trailer',
    ...(signedChunks && verified ? { chain: new ChunkSignatureChain(verified.signing) } : {}),
    decodedLength: Number(raw),
  });
}

/**
 * The Content-Encoding to store with the object: S3 drops `aws-chunked`, which only describes
 * the upload. Undefined when nothing else remains.
 *
 * @example
 * stripAwsChunkedEncoding('aws-chunked,gzip'); // 'gzip'
 */
export function stripAwsChunkedEncoding(contentEncoding: string | undefined): string | undefined {
  if (contentEncoding === undefined) return undefined;
  const kept = contentEncoding
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token !== '' && token.toLowerCase() !== 'aws-chunked');
  return kept.length > 0 ? kept.join(',') : undefined;
}
