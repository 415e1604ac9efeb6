import { S3Error, invalidArgument } from './errors.js';
import { codePointName, firstNonXmlChar } from './xml-text.js';

/** S3's key limit, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

/**
 * Checks a key an object is about to be written under. S3 itself accepts any Unicode key and
 * then lists one holding, say, U+0000 as XML no parser accepts unless the client asked for
 * `encoding-type=url`. Vigil refuses such keys instead, so that every response that names
 * a key stays well-formed. The code is `InvalidArgument` (400), S3's code for a request value
 * it will not take: it is in every SDK's error model, where a code of our own (Ceph's
 * `InvalidObjectName`) would surface as an unknown error.
 */
export function validateKey(key: string): string {
  if (key === '') throw new S3Error('InvalidArgument', 'Object key must not be empty');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
    throw new S3Error('KeyTooLongError', undefined, {
      Size: String(Buffer.byteLength(key)),
      MaxSizeAllowed: '1024',
    });
  }
  const bad = firstNonXmlChar(key);
  if (bad !== undefined) {
    throw invalidArgument(
      `Object key contains ${codePointName(bad.codePoint)} (character ${[...key.slice(0, bad.index)].length + 1}), which XML 1.0 cannot carry; Vigil refuses such keys so that listings stay readable.`,
      'key',
      urlEncodeListValue(key),
    );
  }
  return key;
}

/**
 * Percent-encodes a value for `encoding-type=url` listings: every UTF-8 byte but letters,
 * digits, `-_.~` and `/`, a space as `%20` (the form ceph's s3-tests expect of S3, e.g.
 * `quux%20ab/`; `+`, which some S3 copies send, decodes back to a space only for clients
 * that form-decode), a `+` as `%2B`, control characters as `%0A` and so on.
 */
export function urlEncodeListValue(value: string): string {
  // A lone surrogate has no UTF-8 form (encodeURIComponent would throw): it lists as U+FFFD.
  return encodeURIComponent(value.replace(/\p{Cs}/gu, '\uFFFD'))
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, '/');
}

export interface ListEncoding {
  /** `url` when the client asked for it; echoed back as `EncodingType`. */
  encodingType: 'url' | undefined;
  /** How keys, prefixes, delimiters and markers appear in the response. */
  encode: (value: string) => string;
}

/** A listing's `encoding-type` parameter: `url` or absent; anything else is InvalidArgument. */
export function listEncoding(query: URLSearchParams): ListEncoding {
  const encodingType = query.get('encoding-type') ?? undefined;
  if (encodingType === undefined) return { encodingType, encode: (value) => value };
  if (encodingType !== 'url') {
    throw invalidArgument(
      'Invalid Encoding Method specified in Request',
      'encoding-type',
      encodingType,
    );
  }
  return { encodingType, encode: urlEncodeListValue };
}
