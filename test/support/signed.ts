import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash } from 'node:crypto';

export interface RawRequest {
  method: string;
  /** Path, already URL-encoded, e.g. `/bucket/key`. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: string;
  /** The `<Code>` of an S3 error document, if any. */
  code: string | undefined;
}

/** Signs a request's headers with the real SDK signer, for requests sent with node:http. */
export async function signHeaders(
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  request: { method: string; path: string; headers: Record<string, string> },
): Promise<Record<string, string>> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({
    service: 's3',
    region: 'us-east-1',
    credentials,
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: request.method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: request.path,
    headers: { host: url.host, ...request.headers },
  });
  return signed.headers;
}

/**
 * Sends a request signed with the real AWS SigV4 signer (body hash signed), for requests the
 * SDK would never produce: malformed XML, odd headers.
 */
export async function signedRequest(
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  request: RawRequest,
): Promise<RawResponse> {
  const url = new URL(endpoint);
  const body = request.body === undefined ? Buffer.alloc(0) : Buffer.from(request.body);
  const signer = new SignatureV4({
    service: 's3',
    region: 'us-east-1',
    credentials,
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: request.method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: request.path,
    query: request.query ?? {},
    headers: {
      host: url.host,
      'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
      ...(body.length > 0 ? { 'content-length': String(body.length) } : {}),
      ...request.headers,
    },
  });
  const query = new URLSearchParams(request.query ?? {}).toString().replace(/\+/g, '%20');
  const res = await fetch(`${endpoint}${request.path}${query ? `?${query}` : ''}`, {
    method: request.method,
    headers: signed.headers,
    ...(body.length > 0 ? { body } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text,
    code: /<Code>([^<]+)<\/Code>/.exec(text)?.[1],
  };
}
