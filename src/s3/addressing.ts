import { S3Error } from './errors.js';

export interface S3Address {
  bucket: string | undefined;
  key: string | undefined;
}

/**
 * Finds the bucket and key of a request. Virtual-host style (`bucket.<domain>`) when the
 * Host header is a subdomain of one of the configured domains, otherwise path style
 * (`/bucket/key`). The key is everything after the bucket, percent-decoded once; `+` is a
 * literal plus in a path.
 */
export function resolveAddress(
  rawUrl: string,
  host: string | undefined,
  domains: readonly string[],
): S3Address {
  const rawPath = rawUrl.split('?', 1)[0] ?? '/';
  const hostname = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  const domain = domains.find((d) => hostname.endsWith(`.${d}`));
  if (domain !== undefined) {
    const bucket = hostname.slice(0, -(domain.length + 1));
    const key = decode(rawPath.slice(1));
    return { bucket, key: key === '' ? undefined : key };
  }
  const path = rawPath.slice(1);
  if (path === '') return { bucket: undefined, key: undefined };
  const slash = path.indexOf('/');
  if (slash < 0) return { bucket: decode(path), key: undefined };
  const key = decode(path.slice(slash + 1));
  return { bucket: decode(path.slice(0, slash)), key: key === '' ? undefined : key };
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new S3Error('InvalidURI');
  }
}
