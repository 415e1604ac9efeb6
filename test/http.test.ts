import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { readdir } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signHeaders } from './support/signed.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

async function countBlobs(dataDir: string): Promise<number> {
  let count = 0;
  for (const shard of await readdir(join(dataDir, 'blobs')))
    count += (await readdir(join(dataDir, 'blobs', shard))).length;
  return count;
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  continued: boolean;
}

describe('the HTTP server', () => {
  let t: TestVigil;
  const bucket = bucketName('http');
  beforeAll(async () => {
    t = await startTestVigil();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  afterAll(async () => {
    await t.stop();
  });

  /** Signs a PUT with the real SDK signer and sends it by hand, so headers like Expect can be set. */
  async function signedPut(
    key: string,
    body: string,
    extraHeaders: Record<string, string>,
    waitForContinue: boolean,
  ): Promise<RawResponse> {
    const url = new URL(`${t.url}/${bucket}/${key}`);
    const headers = await signHeaders(t.url, t, {
      method: 'PUT',
      path: url.pathname,
      headers: {
        'content-length': String(Buffer.byteLength(body)),
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
        ...extraHeaders,
      },
    });
    return new Promise((resolve, reject) => {
      let continued = false;
      const req = request({
        method: 'PUT',
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        headers,
      });
      req.on('continue', () => {
        continued = true;
        req.end(body);
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, continued }),
        );
      });
      req.on('error', reject);
      if (!waitForContinue) req.end(body);
      else req.flushHeaders();
    });
  }

  it('answers the health check without authentication', async () => {
    const res = await fetch(`${t.url}/_vigil/health`);
    expect(res.status).toBe(200);
    // Models load on the first image here (the test default), so moderation is idle.
    expect(await res.json()).toEqual({ status: 'ok', moderation: 'idle' });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('sets x-amz-request-id and x-amz-id-2 on every response, errors included', async () => {
    for (const res of [
      await fetch(`${t.url}/_vigil/health`),
      await fetch(`${t.url}/${bucket}/x`),
    ]) {
      expect(res.headers.get('x-amz-request-id')).toMatch(/^[0-9A-F]{16}$/);
      expect(res.headers.get('x-amz-id-2')).toBeTruthy();
    }
    const error = await (await fetch(`${t.url}/${bucket}/x`)).text();
    expect(error).toMatch(/<RequestId>[0-9A-F]{16}<\/RequestId>/);
    // No namespace on <Error>: botocore (aws CLI, boto3) only reads a bare <Error> root.
    expect(error).toContain('<Error><Code>');
  });

  it('honours Expect: 100-continue, sending 100 only once the request is authenticated', async () => {
    const ok = await signedPut(
      'expect-ok',
      'body after continue',
      { expect: '100-continue' },
      true,
    );
    expect(ok.continued).toBe(true);
    expect(ok.status).toBe(200);
    // A bad signature is refused before the body is invited.
    const url = `${t.url}/${bucket}/expect-refused`;
    const refused = await new Promise<{ status: number; continued: boolean }>((resolve, reject) => {
      let continued = false;
      const req = request(url, {
        method: 'PUT',
        headers: {
          expect: '100-continue',
          'content-length': '4',
          authorization:
            'AWS4-HMAC-SHA256 Credential=nope/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00',
          'x-amz-date': '20260101T000000Z',
          'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
        },
      });
      req.on('continue', () => (continued = true));
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, continued }));
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(refused.continued).toBe(false);
    expect(refused.status).toBe(403);
  });

  it('drops an upload whose client disconnects midway: no object, no blob left', async () => {
    const blobsBefore = await countBlobs(t.dataDir);
    const url = new URL(`${t.url}/${bucket}/cut-off`);
    const headers = await signHeaders(t.url, t, {
      method: 'PUT',
      path: url.pathname,
      headers: {
        'content-length': String(10 * 1024 * 1024),
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      },
    });
    await new Promise<void>((resolve) => {
      const req = request(url, { method: 'PUT', headers });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(1024 * 1024, 7), () => setTimeout(() => req.destroy(), 100));
      req.on('close', () => resolve());
    });
    // Give the server a moment to notice the reset and clean up.
    await new Promise((r) => setTimeout(r, 300));
    const head = await fetch(`${t.url}/_vigil/health`);
    expect(head.status).toBe(200);
    const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
    await expect(
      t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'cut-off' })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
    expect(await countBlobs(t.dataDir)).toBe(blobsBefore);
  });

  it('accepts and ignores other Expect values instead of answering 417', async () => {
    const res = await signedPut('expect-other', 'plain body', { expect: 'something-else' }, false);
    expect(res.status).toBe(200);
  });

  it('answers MethodNotAllowed for methods S3 does not support on a resource', async () => {
    const client = t.client();
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'm', Body: 'm' }));
    const headers = await signHeaders(t.url, t, {
      method: 'DELETE',
      path: '/',
      headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    const res = await fetch(`${t.url}/`, { method: 'DELETE', headers });
    expect(res.status).toBe(405);
    expect(await res.text()).toContain('<Code>MethodNotAllowed</Code>');
  });
});
