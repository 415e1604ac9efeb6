/**
 * Test helper: builds aws-chunked bodies the way clients do, signing chunks with its own HMAC
 * code (independent of the decoder under test), and feeds bodies to decoders in random pieces.
 */
import { createHash, createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { SigningContext } from './types.js';

const EMPTY = createHash('sha256').digest('hex');
const hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Signs a chunk or trailer string to sign; the SDK's SignatureV4.sign(string) can stand in. */
export type StringSigner = (stringToSign: string) => string | Promise<string>;

export function hmacSigner(signingKey: Buffer): StringSigner {
  return (stringToSign) => createHmac('sha256', signingKey).update(stringToSign).digest('hex');
}

export interface ChunkedBody {
  data: Buffer;
  /** Size of every chunk but the last data chunk. */
  chunkSize: number;
  /** Signs chunks (`;chunk-signature=`) chained from `signing.seedSignature`. */
  signing?: { context: SigningContext; sign: StringSigner };
  /** Trailing headers, written in this order. */
  trailers?: Array<[string, string]>;
  /** Adds `x-amz-trailer-signature` (needs `signing`). */
  signTrailer?: boolean;
  /** The JS SDK omits the final empty line when there is no trailer. Default true. */
  finalEmptyLine?: boolean;
}

export async function encodeAwsChunked(body: ChunkedBody): Promise<Buffer> {
  const parts: Buffer[] = [];
  let previous = body.signing?.context.seedSignature ?? '';
  const signChunk = async (chunk: Buffer): Promise<string> => {
    if (!body.signing) return '';
    const { amzDate, scope } = body.signing.context;
    const toSign = ['AWS4-HMAC-SHA256-PAYLOAD', amzDate, scope, previous, EMPTY, hex(chunk)].join(
      '\n',
    );
    previous = await body.signing.sign(toSign);
    return `;chunk-signature=${previous}`;
  };
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < body.data.length; offset += body.chunkSize) {
    chunks.push(body.data.subarray(offset, offset + body.chunkSize));
  }
  chunks.push(Buffer.alloc(0));
  for (const chunk of chunks) {
    const extension = await signChunk(chunk);
    parts.push(Buffer.from(`${chunk.length.toString(16)}${extension}\r\n`));
    if (chunk.length > 0) parts.push(chunk, Buffer.from('\r\n'));
  }
  for (const [name, value] of body.trailers ?? []) parts.push(Buffer.from(`${name}:${value}\r\n`));
  if (body.signTrailer && body.signing) {
    const { amzDate, scope } = body.signing.context;
    const canonical = (body.trailers ?? []).map(([name, value]) => `${name}:${value}\n`).join('');
    const toSign = ['AWS4-HMAC-SHA256-TRAILER', amzDate, scope, previous, hex(canonical)].join(
      '\n',
    );
    parts.push(Buffer.from(`x-amz-trailer-signature:${await body.signing.sign(toSign)}\r\n`));
  }
  if (body.finalEmptyLine !== false) parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

/** Cuts a body into pieces of 1..maxPiece bytes, as a slow network would deliver it. */
export function splitRandomly(body: Buffer, maxPiece: number, seed = 42): Buffer[] {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < body.length;) {
    const size = 1 + Math.floor(random() * maxPiece);
    pieces.push(body.subarray(offset, offset + size));
    offset += size;
  }
  return pieces;
}

/** Pipes pieces through a decoder; resolves with the output and whether the sink saw its end. */
export async function runDecoder(
  decoder: NodeJS.ReadWriteStream,
  pieces: Buffer[],
): Promise<{ output: Buffer; error: unknown; ended: boolean }> {
  const received: Buffer[] = [];
  let ended = false;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      received.push(chunk);
      callback();
    },
    final(callback) {
      ended = true;
      callback();
    },
  });
  let error: unknown;
  await pipeline(Readable.from(pieces), decoder, sink).catch((caught: unknown) => {
    error = caught;
  });
  return { output: Buffer.concat(received), error, ended };
}
