/** The SigV4 canonical request and string to sign, rebuilt on the server side. */
import type { IncomingHttpHeaders } from 'node:http';
import { headerText } from '../header-text.js';
import { sha256Hex } from './signing-key.js';
import { canonicalQuery, canonicalUri, splitRawUrl } from './uri-encoding.js';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';

export interface CanonicalRequestInput {
  method: string;
  rawUrl: string;
  headers: IncomingHttpHeaders;
  /** Lowercase names, in the order the client listed them in SignedHeaders. */
  signedHeaders: readonly string[];
  payloadHash: string;
  /** A query parameter left out of the canonical query (X-Amz-Signature when presigned). */
  omitQueryParameter?: string;
}

/**
 * One line per signed header, `name:value\n`, with values trimmed and inner whitespace runs
 * collapsed. Node has already joined repeated headers with ', ', which is what AWS signs.
 * Values are the bytes the client sent, which the canonical request's UTF-8 hash covers: a
 * UTF-8 value (non-ASCII metadata from the SDKs) is read back from Node's Latin-1 string.
 */
export function canonicalHeaders(
  headers: IncomingHttpHeaders,
  signedHeaders: readonly string[],
): string {
  let out = '';
  for (const name of signedHeaders) {
    const raw = headers[name];
    const value = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
    out += `${name}:${headerText(value).trim().replace(/\s+/g, ' ')}\n`;
  }
  return out;
}

/**
 * The canonical request: method, URI, query, headers, signed header list and payload hash.
 *
 * @example
 * buildCanonicalRequest({ method: 'GET', rawUrl: '/bucket/key?x=1', headers,
 *   signedHeaders: ['host', 'x-amz-date'], payloadHash: 'UNSIGNED-PAYLOAD' });
 */
export function buildCanonicalRequest(input: CanonicalRequestInput): string {
  const { path, query } = splitRawUrl(input.rawUrl);
  return [
    input.method.toUpperCase(),
    canonicalUri(path),
    canonicalQuery(query, input.omitQueryParameter),
    canonicalHeaders(input.headers, input.signedHeaders),
    input.signedHeaders.join(';'),
    input.payloadHash,
  ].join('\n');
}

/** `AWS4-HMAC-SHA256\n<amzDate>\n<scope>\n<hex sha256(canonicalRequest)>`. */
export function buildStringToSign(
  amzDate: string,
  scope: string,
  canonicalRequest: string,
): string {
  return [SIGV4_ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
}
