/**
 * Incremental decoder of `Content-Encoding: aws-chunked` bodies:
 *
 *   <hex-size>[;chunk-signature=<sig>]\r\n<data>\r\n   … repeated …
 *   0[;chunk-signature=<sig>]\r\n
 *   [<trailer-name>:<value>\r\n …] [x-amz-trailer-signature:<sig>\r\n]
 *   \r\n
 *
 * It is fed whatever the socket delivers, so every element may be split across writes. Data is
 * passed on as sub-views of the input (no copy); only header lines are buffered, and those are
 * bounded in length, so memory stays flat whatever the body size.
 */
import { createHash, type Hash } from 'node:crypto';
import { S3Error } from '../errors.js';
import type { ChunkSignatureChain } from './chunk-signature.js';
import { EMPTY_SHA256, signaturesMatch } from './signing-key.js';

const MAX_LINE_BYTES = 4096;
const TRAILER_SIGNATURE = 'x-amz-trailer-signature';

export interface AwsChunkedOptions {
  /** Chunk headers carry `;chunk-signature=` (the STREAMING-AWS4-HMAC-SHA256-* modes). */
  signedChunks: boolean;
  /** Trailing headers may follow the final chunk (the *-TRAILER modes). */
  trailers: boolean;
  /** The trailer carries `x-amz-trailer-signature` (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER). */
  signedTrailer: boolean;
  /** Verifies chunk and trailer signatures; absent when the request was not authenticated. */
  chain?: ChunkSignatureChain;
  /** `x-amz-decoded-content-length`: the decoded body must be exactly this long. */
  decodedLength: number;
}

type State = 'chunk-header' | 'data' | 'data-end' | 'trailer' | 'done';

export function malformedChunk(detail: string): S3Error {
  return new S3Error('InvalidRequest', `Malformed aws-chunked encoding: ${detail}.`);
}

export class AwsChunkedDecoder {
  private state: State = 'chunk-header';
  private readonly line = Buffer.allocUnsafe(MAX_LINE_BYTES);
  private lineLength = 0;
  private remaining = 0;
  private dataEndSeen = 0;
  private chunkSignature = '';
  private chunkHash: Hash | undefined;
  private decoded = 0;
  private readonly trailerValues = new Map<string, string>();
  private trailerSignature: string | undefined;

  constructor(private readonly options: AwsChunkedOptions) {}

  /** Decodes one piece of the body; decoded object bytes go to `onData` as they are found. */
  write(input: Buffer, onData: (bytes: Buffer) => void): void {
    let offset = 0;
    while (offset < input.length) {
      switch (this.state) {
        case 'chunk-header':
        case 'trailer': {
          const end = this.readLine(input, offset);
          if (end < 0) return;
          offset = end;
          const line = this.takeLine();
          if (this.state === 'chunk-header') this.startChunk(line);
          else this.addTrailerLine(line);
          break;
        }
        case 'data': {
          const take = Math.min(this.remaining, input.length - offset);
          const bytes = input.subarray(offset, offset + take);
          this.chunkHash?.update(bytes);
          onData(bytes);
          offset += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = 'data-end';
          break;
        }
        case 'data-end': {
          const expected = this.dataEndSeen === 0 ? 0x0d : 0x0a;
          if (input[offset] !== expected)
            throw malformedChunk('chunk data is not followed by CRLF');
          offset++;
          if (++this.dataEndSeen === 2) this.finishChunk();
          break;
        }
        case 'done':
          throw malformedChunk('data after the end of the aws-chunked body');
      }
    }
  }

  /**
   * Called at the end of the body: checks that it was complete and returns the trailing
   * headers (lowercase names), with the trailer signature verified when required.
   */
  end(): ReadonlyMap<string, string> {
    // The JS SDK ends a body without trailers right after `0\r\n`, without the empty line.
    if (this.state === 'trailer' && this.lineLength === 0) this.finishTrailer();
    if (this.state !== 'done') {
      throw new S3Error(
        'IncompleteBody',
        'The request body ended before the aws-chunked encoding was complete.',
      );
    }
    return this.trailerValues;
  }

  /** Appends input up to and including '\n' to the line buffer; -1 when no '\n' yet. */
  private readLine(input: Buffer, offset: number): number {
    const newline = input.indexOf(0x0a, offset);
    const stop = newline < 0 ? input.length : newline;
    if (this.lineLength + (stop - offset) > MAX_LINE_BYTES) {
      throw malformedChunk('a chunk header or trailer line is too long');
    }
    input.copy(this.line, this.lineLength, offset, stop);
    this.lineLength += stop - offset;
    return newline < 0 ? -1 : newline + 1;
  }

  private takeLine(): string {
    let length = this.lineLength;
    if (length > 0 && this.line[length - 1] === 0x0d) length--;
    this.lineLength = 0;
    return this.line.toString('latin1', 0, length);
  }

  private startChunk(line: string): void {
    const [sizeHex = '', ...extensions] = line.split(';');
    if (!/^[0-9a-fA-F]{1,13}$/.test(sizeHex))
      throw malformedChunk(`invalid chunk size "${sizeHex}"`);
    const size = parseInt(sizeHex, 16);
    if (this.options.signedChunks) {
      const signature = extensions
        .map((extension) => /^chunk-signature=([0-9a-f]{64})$/.exec(extension.trim()))
        .find((match) => match !== null)?.[1];
      if (signature === undefined) throw malformedChunk('missing or invalid chunk-signature');
      this.chunkSignature = signature;
      this.chunkHash = this.options.chain ? createHash('sha256') : undefined;
    }
    if (this.decoded + size > this.options.decodedLength) {
      throw new S3Error(
        'IncompleteBody',
        'The aws-chunked body is longer than x-amz-decoded-content-length.',
      );
    }
    this.decoded += size;
    if (size === 0) {
      this.verifyChunkSignature(EMPTY_SHA256);
      if (this.decoded !== this.options.decodedLength) {
        throw new S3Error(
          'IncompleteBody',
          'The aws-chunked body is shorter than x-amz-decoded-content-length.',
        );
      }
      this.state = 'trailer';
      return;
    }
    this.remaining = size;
    this.dataEndSeen = 0;
    this.state = 'data';
  }

  private finishChunk(): void {
    this.verifyChunkSignature(this.chunkHash?.digest('hex') ?? EMPTY_SHA256);
    this.chunkHash = undefined;
    this.state = 'chunk-header';
  }

  private verifyChunkSignature(dataSha256Hex: string): void {
    const chain = this.options.chain;
    if (!this.options.signedChunks || !chain) return;
    const expected = chain.nextChunk(dataSha256Hex);
    if (!signaturesMatch(expected, this.chunkSignature)) {
      throw new S3Error('SignatureDoesNotMatch', undefined, {
        SignatureProvided: this.chunkSignature,
      });
    }
  }

  private addTrailerLine(line: string): void {
    if (line === '') {
      this.finishTrailer();
      return;
    }
    if (!this.options.trailers) throw malformedChunk('unexpected data after the final chunk');
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformedChunk(`invalid trailing header "${line.slice(0, 64)}"`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === TRAILER_SIGNATURE) this.trailerSignature = value;
    else this.trailerValues.set(name, value);
  }

  private finishTrailer(): void {
    this.state = 'done';
    const chain = this.options.chain;
    if (!this.options.signedTrailer || !chain) return;
    if (this.trailerSignature === undefined) {
      throw new S3Error(
        'SignatureDoesNotMatch',
        'The trailer signature (x-amz-trailer-signature) is missing.',
      );
    }
    const expected = chain.trailer(this.trailerValues);
    if (!signaturesMatch(expected, this.trailerSignature)) {
      throw new S3Error('SignatureDoesNotMatch', undefined, {
        SignatureProvided: this.trailerSignature,
      });
    }
  }
}
