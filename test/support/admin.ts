import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * Calls Vigil's admin API with a SigV4 signature for service `vigil` (what
 * `curl --aws-sigv4 aws:amz:us-east-1:vigil` sends), returning status and parsed JSON.
 */
export async function adminCall(
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const url = new URL(path, endpoint);
  const text = body === undefined ? '' : JSON.stringify(body);
  const signer = new SignatureV4({
    service: 'vigil',
    region: 'us-east-1',
    credentials,
    sha256: Sha256,
  });
  const query: Record<string, string> = {};
  url.searchParams.forEach((v, k) => (query[k] = v));
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query,
    headers: {
      host: url.host,
      ...(text ? { 'content-type': 'application/json' } : {}),
    },
    body: text,
  });
  const res = await fetch(url, {
    method,
    headers: signed.headers,
    ...(text ? { body: text } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
