/**
 * Canonical URI and query string of a SigV4 canonical request, rebuilt from the raw request
 * target. S3 signs the path without normalising it (no '//' collapsing, no '.' segments) and
 * without double encoding, so we decode once and re-encode every byte strictly.
 */

/** `%XX` for every byte, except the RFC 3986 unreserved characters kept as themselves. */
const ENCODED_BYTE: readonly string[] = Array.from({ length: 256 }, (_, byte) => {
  const char = String.fromCharCode(byte);
  return /[A-Za-z0-9\-._~]/.test(char)
    ? char
    : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
});

const ALREADY_CANONICAL_PATH = /^[A-Za-z0-9\-._~/]*$/;

/** Splits a request target (`/a/b?x=1`, or absolute-form `http://h/a?x=1`) into path and query. */
export function splitRawUrl(rawUrl: string): { path: string; query: string } {
  let target = rawUrl;
  const scheme = /^https?:\/\/[^/?#]*/i.exec(target);
  if (scheme) target = target.slice(scheme[0].length);
  const hash = target.indexOf('#');
  if (hash >= 0) target = target.slice(0, hash);
  const mark = target.indexOf('?');
  const path = mark >= 0 ? target.slice(0, mark) : target;
  return { path: path === '' ? '/' : path, query: mark >= 0 ? target.slice(mark + 1) : '' };
}

/**
 * Decodes `%XX` escapes to bytes. Other characters become their UTF-8 bytes, and a '%' not
 * followed by two hex digits stays literal (S3 is lenient here too). '+' is kept as '+':
 * AWS SDKs encode spaces as %20, so '+' only ever means a plus sign.
 */
export function percentDecode(raw: string): Buffer {
  if (!raw.includes('%')) return Buffer.from(raw, 'utf8');
  const bytes: number[] = [];
  let literalStart = 0;
  const flushLiteral = (end: number) => {
    if (end <= literalStart) return;
    for (const byte of Buffer.from(raw.slice(literalStart, end), 'utf8')) bytes.push(byte);
  };
  for (let i = 0; i < raw.length; i++) {
    if (raw.charCodeAt(i) !== 0x25) continue;
    const hex = raw.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) continue;
    flushLiteral(i);
    bytes.push(parseInt(hex, 16));
    i += 2;
    literalStart = i + 1;
  }
  flushLiteral(raw.length);
  return Buffer.from(bytes);
}

/** SigV4 URI encoding of raw bytes: everything but the unreserved characters, '/' included. */
export function uriEncode(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += ENCODED_BYTE[byte];
  return out;
}

/**
 * The canonical URI: each '/'-separated segment of the raw path decoded once and strictly
 * re-encoded. Working per segment keeps an encoded slash (%2F) encoded, as the client signed
 * it, while characters a client left unencoded ('!', ' ', 'ü') get the encoding it signed.
 */
export function canonicalUri(rawPath: string): string {
  if (ALREADY_CANONICAL_PATH.test(rawPath)) return rawPath;
  return rawPath
    .split('/')
    .map((segment) => uriEncode(percentDecode(segment)))
    .join('/');
}

/** One `name=value` pair of the raw query, both decoded to text. */
export interface QueryParameter {
  name: string;
  value: string;
}

/** Parses a raw query into decoded parameters; a parameter without '=' has an empty value. */
export function parseQuery(rawQuery: string): QueryParameter[] {
  const parameters: QueryParameter[] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const rawName = equals >= 0 ? part.slice(0, equals) : part;
    const rawValue = equals >= 0 ? part.slice(equals + 1) : '';
    parameters.push({
      name: percentDecode(rawName).toString('utf8'),
      value: percentDecode(rawValue).toString('utf8'),
    });
  }
  return parameters;
}

/**
 * The canonical query string: every parameter re-encoded strictly ('/' included), sorted by
 * encoded name then value, joined with '&'. `omit` drops a parameter by exact name
 * (X-Amz-Signature for presigned URLs).
 */
export function canonicalQuery(rawQuery: string, omit?: string): string {
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const rawName = equals >= 0 ? part.slice(0, equals) : part;
    const name = uriEncode(percentDecode(rawName));
    if (omit !== undefined && name === omit) continue;
    const rawValue = equals >= 0 ? part.slice(equals + 1) : '';
    pairs.push([name, uriEncode(percentDecode(rawValue))]);
  }
  pairs.sort(([nameA, valueA], [nameB, valueB]) =>
    nameA === nameB ? compareCodeUnits(valueA, valueB) : compareCodeUnits(nameA, nameB),
  );
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** Byte order, which for these ASCII-only encoded strings is code-unit order. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
