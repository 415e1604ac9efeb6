import type { IncomingHttpHeaders } from 'node:http';
import { headerText } from './header-text.js';
import type { SystemMetadata } from '../storage/index.js';
import { S3Error } from './errors.js';

const SYSTEM_HEADERS: [keyof SystemMetadata, string][] = [
  ['contentType', 'content-type'],
  ['cacheControl', 'cache-control'],
  ['contentDisposition', 'content-disposition'],
  ['contentEncoding', 'content-encoding'],
  ['contentLanguage', 'content-language'],
  ['expires', 'expires'],
];

/** S3's limit on the total size of user-defined metadata (names and values, in bytes). */
export const MAX_USER_METADATA_BYTES = 2048;

export function systemMetadataFromHeaders(headers: IncomingHttpHeaders): SystemMetadata {
  const system: SystemMetadata = {};
  for (const [field, header] of SYSTEM_HEADERS) {
    const value = headers[header];
    if (typeof value === 'string') system[field] = value;
  }
  // aws-chunked is a transfer framing of the request, not an encoding of the object.
  if (system.contentEncoding !== undefined) {
    const kept = system.contentEncoding
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== '' && e !== 'aws-chunked');
    if (kept.length === 0) delete system.contentEncoding;
    else system.contentEncoding = kept.join(',');
  }
  system.contentType ??= 'binary/octet-stream';
  return system;
}

export function systemMetadataHeaders(system: SystemMetadata): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [field, header] of SYSTEM_HEADERS) {
    const value = system[field];
    if (value !== undefined) headers[header] = value;
  }
  return headers;
}

/**
 * Reads `x-amz-meta-*` headers. Node decodes header bytes as Latin-1, so UTF-8 sent raw is
 * recovered from those bytes; RFC 2047 encoded-words are decoded, as S3 stores them.
 */
export function userMetadataFromHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const user: Record<string, string> = {};
  let bytes = 0;
  for (const [name, raw] of Object.entries(headers)) {
    if (!name.startsWith('x-amz-meta-') || raw === undefined) continue;
    const key = name.slice('x-amz-meta-'.length);
    const value = decodeRfc2047(headerText(Array.isArray(raw) ? raw.join(',') : raw));
    user[key] = value;
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (bytes > MAX_USER_METADATA_BYTES) {
    throw new S3Error('MetadataTooLarge', undefined, {
      Size: String(bytes),
      MaxSizeAllowed: String(MAX_USER_METADATA_BYTES),
    });
  }
  return user;
}

/** `x-amz-meta-*` response headers; non-ASCII values RFC 2047-encoded as S3 returns them. */
export function userMetadataHeaders(user: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(user)) {
    headers[`x-amz-meta-${key}`] = /^[\x20-\x7e]*$/.test(value)
      ? value
      : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
  }
  return headers;
}

function decodeRfc2047(value: string): string {
  return value.replace(
    /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g,
    (word, charset: string, encoding: string, data: string) => {
      if (!/^utf-?8$/i.test(charset) && !/^iso-8859-1$/i.test(charset)) return word;
      const bytes =
        encoding.toUpperCase() === 'B'
          ? Buffer.from(data, 'base64')
          : Buffer.from(
              data
                .replace(/_/g, ' ')
                .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) =>
                  String.fromCharCode(parseInt(hex, 16)),
                ),
              'latin1',
            );
      return bytes.toString(/^utf-?8$/i.test(charset) ? 'utf8' : 'latin1');
    },
  );
}
