import { S3Error } from './errors.js';

/** S3's key limit, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

export function validateKey(key: string): string {
  if (key === '') throw new S3Error('InvalidArgument', 'Object key must not be empty');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
    throw new S3Error('KeyTooLongError', undefined, {
      Size: String(Buffer.byteLength(key)),
      MaxSizeAllowed: '1024',
    });
  }
  return key;
}

/** Form-URL-encodes a value the way S3 does for `encoding-type=url` listings. */
export function urlEncodeListValue(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/');
}
