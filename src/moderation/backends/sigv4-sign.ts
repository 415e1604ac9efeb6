/**
 * A minimal AWS Signature Version 4 signer for JSON POST requests to AWS services other than
 * S3 (path segments encoded twice, no `x-amz-content-sha256`). Written with node:crypto
 * because `@smithy/signature-v4` is only a dev dependency here; its output is the oracle in
 * the tests (the habit of docs/adr/0002).
 */
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials (STS, instance roles) come with a session token. */
  sessionToken?: string;
}

export interface SignableRequest {
  method: string;
  url: URL;
  /** Headers to send and sign (any case); `host` and `x-amz-date` are added. */
  headers: Record<string, string>;
  body: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) =>
  createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function amzDate(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function canonicalQuery(url: URL): string {
  return [...url.searchParams]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/**
 * Non-S3 services normalise the path (no empty segments) and encode the already-encoded
 * segments once more.
 */
function canonicalPathOf(pathname: string): string {
  const segments = pathname.split('/').filter((s) => s.length > 0);
  const trailing = segments.length > 0 && pathname.endsWith('/') ? '/' : '';
  return `/${segments.map(uriEncode).join('/')}${trailing}`;
}

/**
 * Returns the request's headers plus `host`, `x-amz-date`, `x-amz-security-token` (with a
 * session token) and `authorization`, all names lowercase.
 *
 * @example
 * const headers = signRequest(
 *   { method: 'POST', url: new URL('https://rekognition.eu-west-1.amazonaws.com/'), headers: {
 *     'content-type': 'application/x-amz-json-1.1',
 *     'x-amz-target': 'RekognitionService.DetectModerationLabels' }, body },
 *   { service: 'rekognition', region: 'eu-west-1', credentials },
 * );
 * await fetch(url, { method: 'POST', headers, body });
 */
export function signRequest(
  request: SignableRequest,
  options: { service: string; region: string; credentials: AwsCredentials; now?: Date },
): Record<string, string> {
  const { credentials, service, region } = options;
  const date = amzDate(options.now ?? new Date());
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers))
    headers[name.toLowerCase()] = value.trim().replace(/\s+/g, ' ');
  headers['host'] = request.url.host;
  headers['x-amz-date'] = date;
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;

  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const canonicalPath = canonicalPathOf(request.url.pathname);
  const canonicalRequest = [
    request.method,
    canonicalPath,
    canonicalQuery(request.url),
    names.map((n) => `${n}:${headers[n]}\n`).join(''),
    signedHeaders,
    sha256Hex(request.body),
  ].join('\n');
  const scope = `${date.slice(0, 8)}/${region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, date, scope, sha256Hex(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${credentials.secretAccessKey}`, date.slice(0, 8));
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  headers['authorization'] =
    `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
