/**
 * Bucket CORS: the configuration through the AWS SDK, preflights answered as S3 answers
 * them, and a real browser (Debian's Chromium) on another origin uploading to Vigil with a
 * presigned PUT and a presigned POST form — allowed by the bucket's rules, refused without.
 */
import {
  CreateBucketCommand,
  DeleteBucketCorsCommand,
  GetBucketCorsCommand,
  GetObjectCommand,
  PutBucketCorsCommand,
  PutObjectCommand,
  type CORSRule,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from './support/errors.js';
import { launchChromium, probeChromium } from './support/browser.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

let t: TestVigil;
beforeAll(async () => {
  t = await startTestVigil({ fsync: false });
});
afterAll(async () => {
  await t?.stop();
});

const RULES: CORSRule[] = [
  {
    ID: 'web-app',
    AllowedOrigins: ['http://127.0.0.1:*'],
    AllowedMethods: ['PUT', 'POST', 'GET'],
    AllowedHeaders: ['content-type', 'x-amz-*'],
    ExposeHeaders: ['ETag', 'x-amz-version-id'],
    MaxAgeSeconds: 600,
  },
  { AllowedOrigins: ['*'], AllowedMethods: ['GET', 'HEAD'] },
];

async function bucketWithCors(rules: CORSRule[] | null = RULES): Promise<string> {
  const Bucket = bucketName('cors');
  await t.s3.send(new CreateBucketCommand({ Bucket }));
  if (rules)
    await t.s3.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: rules } }));
  return Bucket;
}

/** An unsigned OPTIONS request, as a browser sends it. */
function options(
  path: string,
  headers: Record<string, string>,
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  return new Promise((resolve, reject) => {
    const req = request(`${t.url}${path}`, { method: 'OPTIONS', headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the CORS configuration', () => {
  it('round-trips through Put/Get/DeleteBucketCors', async () => {
    const Bucket = await bucketWithCors();
    const got = await t.s3.send(new GetBucketCorsCommand({ Bucket }));
    expect(got.CORSRules).toEqual([
      RULES[0],
      { AllowedOrigins: ['*'], AllowedMethods: ['GET', 'HEAD'] },
    ]);
    await t.s3.send(new DeleteBucketCorsCommand({ Bucket }));
    const none = await errorOf(t.s3.send(new GetBucketCorsCommand({ Bucket })));
    expect([none.name, none.$metadata.httpStatusCode]).toEqual(['NoSuchCORSConfiguration', 404]);
  });

  it('is validated as S3 validates it', async () => {
    const Bucket = await bucketWithCors(null);
    const put = (rules: CORSRule[]) =>
      errorOf(
        t.s3.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: rules } })),
      );
    const patch = await put([{ AllowedOrigins: ['*'], AllowedMethods: ['PATCH'] }]);
    expect([patch.name, patch.message]).toEqual([
      'InvalidRequest',
      'Found unsupported HTTP method in CORS config. Unsupported method is PATCH',
    ]);
    const wildcards = await put([
      { AllowedOrigins: ['http://*.*.example'], AllowedMethods: ['GET'] },
    ]);
    expect(wildcards.message).toBe(
      'AllowedOrigin "http://*.*.example" can not have more than one wildcard.',
    );
  });
});

describe('preflight', () => {
  it('answers an allowed request with the first matching rule, unsigned', async () => {
    const Bucket = await bucketWithCors();
    const allowed = await options(`/${Bucket}/photo.jpg`, {
      origin: 'http://127.0.0.1:8123',
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'Content-Type, X-Amz-Date',
    });
    expect(allowed.status).toBe(200);
    expect(allowed.headers).toMatchObject({
      'access-control-allow-origin': 'http://127.0.0.1:8123',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'PUT, POST, GET',
      'access-control-allow-headers': 'content-type, x-amz-date',
      'access-control-expose-headers': 'ETag, x-amz-version-id',
      'access-control-max-age': '600',
    });
    const anyOrigin = await options(`/${Bucket}/photo.jpg`, {
      origin: 'https://elsewhere.example',
      'access-control-request-method': 'GET',
    });
    expect(anyOrigin.headers['access-control-allow-origin']).toBe('*');
  });

  it('refuses what no rule allows, and buckets without CORS, with 403 AccessForbidden', async () => {
    const Bucket = await bucketWithCors();
    const refused = await options(`/${Bucket}/x`, {
      origin: 'https://elsewhere.example',
      'access-control-request-method': 'DELETE',
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('<Code>AccessForbidden</Code>');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    const plain = await bucketWithCors(null);
    const none = await options(`/${plain}/x`, {
      origin: 'http://127.0.0.1:1',
      'access-control-request-method': 'GET',
    });
    expect([none.status, none.body.includes('CORS is not enabled for this bucket.')]).toEqual([
      403,
      true,
    ]);
    const noOrigin = await options(`/${Bucket}/x`, { 'access-control-request-method': 'GET' });
    expect(noOrigin.status).toBe(400);
  });
});

const chromium = probeChromium();
if (!chromium.available && chromium.required)
  it('finds Chromium', () => {
    throw new Error(chromium.message);
  });

describe.skipIf(!chromium.available)('a web app on another origin, in Chromium', () => {
  let browser: Browser;
  let site: Server;
  let siteUrl: string;
  beforeAll(async () => {
    browser = await launchChromium();
    site = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>uploader</title><p>web app</p>');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.close(resolve));
  });

  /** Runs `fetch` calls in a page of the web app's origin; returns what the page saw. */
  async function fromPage(upload: {
    putUrl: string;
    post: { url: string; fields: Record<string, string> };
  }): Promise<{ put: string; post: string }> {
    const page = await browser.newPage();
    try {
      await page.goto(siteUrl);
      return await page.evaluate(async ({ putUrl, post }) => {
        const outcome = async (run: () => Promise<Response>) => {
          try {
            const res = await run();
            return `${res.status} etag=${res.headers.get('etag') ?? 'unreadable'}`;
          } catch (error) {
            return `failed: ${(error as Error).message}`;
          }
        };
        const form = new FormData();
        for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
        form.append('file', new Blob(['posted from the page']), 'post.txt');
        return {
          put: await outcome(() => fetch(putUrl, { method: 'PUT', body: 'put from the page' })),
          post: await outcome(() => fetch(post.url, { method: 'POST', body: form })),
        };
      }, upload);
    } finally {
      await page.close();
    }
  }

  async function presigned(Bucket: string) {
    return {
      putUrl: await getSignedUrl(t.s3, new PutObjectCommand({ Bucket, Key: 'put.txt' }), {
        expiresIn: 300,
      }),
      post: await createPresignedPost(t.s3, { Bucket, Key: 'post.txt', Expires: 300 }),
    };
  }

  it('uploads with a presigned PUT and a presigned POST when the bucket allows its origin', async () => {
    const Bucket = await bucketWithCors();
    const seen = await fromPage(await presigned(Bucket));
    expect(seen.put).toMatch(/^200 etag="[0-9a-f]{32}"$/);
    expect(seen.post).toMatch(/^204 etag="[0-9a-f]{32}"$/);
    const read = async (Key: string) =>
      (await t.s3.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToString();
    expect(await read('put.txt')).toBe('put from the page');
    expect(await read('post.txt')).toBe('posted from the page');
  });

  it('cannot upload with a presigned PUT to a bucket without CORS', async () => {
    const Bucket = await bucketWithCors(null);
    const seen = await fromPage(await presigned(Bucket));
    expect(seen.put).toMatch(/^failed/);
    const stored = await errorOf(t.s3.send(new GetObjectCommand({ Bucket, Key: 'put.txt' })));
    expect(stored.name).toBe('NoSuchKey');
  });
});
