import {
  CreateBucketCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPostOptions } from '@aws-sdk/s3-presigned-post';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedRequest } from './support/signed.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

const md5 = (data: Uint8Array | string) => createHash('md5').update(data).digest('hex');

const XML_ENTITIES: Record<string, string> = {
  quot: '"',
  apos: "'",
  lt: '<',
  gt: '>',
  amp: '&',
};

interface Posted {
  status: number;
  headers: Headers;
  body: string;
  code: string | undefined;
  message: string | undefined;
}

/** POSTs a form the way a browser does (fetch + FormData); `file` goes last unless told. */
async function postForm(
  url: string,
  fields: Record<string, string>,
  file: { content: string | Uint8Array; filename?: string; asText?: boolean } | undefined,
  options: { extra?: [string, string][]; after?: [string, string][] } = {},
): Promise<Posted> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const [name, value] of options.extra ?? []) form.append(name, value);
  if (file?.asText) form.append('file', String(file.content));
  else if (file) form.append('file', new Blob([file.content]), file.filename ?? 'upload.bin');
  for (const [name, value] of options.after ?? []) form.append(name, value);
  const res = await fetch(url, { method: 'POST', body: form, redirect: 'manual' });
  const body = await res.text();
  const element = (name: string) =>
    new RegExp(`<${name}>([^<]*)</${name}>`)
      .exec(body)?.[1]
      ?.replace(/&(quot|apos|lt|gt|amp);/g, (_m, entity: string) => XML_ENTITIES[entity] ?? '');
  return {
    status: res.status,
    headers: res.headers,
    body,
    code: element('Code'),
    message: element('Message'),
  };
}

/** An error document's RequestId matches the response header, as on every S3 response. */
function expectRequestIds(posted: Posted): void {
  const id = posted.headers.get('x-amz-request-id');
  expect(id).toMatch(/\S/);
  if (posted.code !== undefined) expect(posted.body).toContain(`<RequestId>${id}</RequestId>`);
}

/** Signs a policy document by hand (SigV4 key chain over the base64 policy), for policies the SDK would not write. */
function signedPolicyFields(
  document: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Record<string, string> {
  const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const hmac = (key: string | Buffer, data: string) =>
    createHmac('sha256', key).update(data).digest();
  let key = hmac(`AWS4${credentials.secretAccessKey}`, day);
  for (const part of ['us-east-1', 's3', 'aws4_request']) key = hmac(key, part);
  const policy = Buffer.from(document).toString('base64');
  return {
    Policy: policy,
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${credentials.accessKeyId}/${day}/us-east-1/s3/aws4_request`,
    'X-Amz-Date': amzDate,
    'X-Amz-Signature': hmac(key, policy).toString('hex'),
  };
}

async function blobFiles(dataDir: string): Promise<number> {
  let count = 0;
  const root = join(dataDir, 'blobs');
  for (const shard of await readdir(root)) count += (await readdir(join(root, shard))).length;
  return count;
}

describe('POST Object (browser form upload with a SigV4 POST policy)', () => {
  let t: TestVigil;
  const bucket = bucketName('post');
  const other = bucketName('post-other');
  const refused = bucketName('post-refused');
  const presign = (options: Omit<PresignedPostOptions, 'Bucket'> & { Bucket?: string }) =>
    createPresignedPost(t.s3, { Bucket: bucket, ...options });

  beforeAll(async () => {
    t = await startTestVigil();
    for (const name of [bucket, other, refused]) {
      await t.s3.send(new CreateBucketCommand({ Bucket: name }));
    }
  });
  afterAll(async () => {
    await t.stop();
  });

  it('stores the file with its metadata, content type and tags (204)', async () => {
    const tagging =
      '<Tagging><TagSet><Tag><Key>kind</Key><Value>photo</Value></Tag></TagSet></Tagging>';
    const { url, fields } = await presign({
      Key: 'photos/cat.jpg',
      Fields: {
        'Content-Type': 'image/jpeg',
        'Cache-Control': 'max-age=60',
        'Content-Disposition': 'inline; filename="cat.jpg"',
        'x-amz-meta-owner': 'alice',
        'x-amz-meta-city': 'Zürich',
        tagging,
      },
      Conditions: [['content-length-range', 1, 1024 * 1024]],
    });
    expect(url).toBe(`${t.url}/${bucket}`);
    const content = randomBytes(70_000);
    const posted = await postForm(url, fields, { content, filename: 'cat.jpg' });
    expect(posted.status).toBe(204);
    expect(posted.body).toBe('');
    expect(posted.headers.get('etag')).toBe(`"${md5(content)}"`);
    expect(posted.headers.get('location')).toBe(`${t.url}/${bucket}/photos%2Fcat.jpg`);
    expectRequestIds(posted);

    const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'photos/cat.jpg' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(content)).toBe(true);
    expect(got.ETag).toBe(`"${md5(content)}"`);
    expect(got.ContentType).toBe('image/jpeg');
    expect(got.CacheControl).toBe('max-age=60');
    expect(got.ContentDisposition).toBe('inline; filename="cat.jpg"');
    // Stored as UTF-8 and returned RFC 2047-encoded, as S3 returns non-ASCII metadata.
    const zurich = `=?UTF-8?B?${Buffer.from('Zürich').toString('base64')}?=`;
    expect(got.Metadata).toEqual({ owner: 'alice', city: zurich });
    const tags = await t.s3.send(
      new GetObjectTaggingCommand({ Bucket: bucket, Key: 'photos/cat.jpg' }),
    );
    expect(tags.TagSet).toEqual([{ Key: 'kind', Value: 'photo' }]);
  });

  it('tells change hooks it was a POST, by the access key that signed the policy', async () => {
    const seen: { via: string; key: string; context: Record<string, unknown> }[] = [];
    t.vigil.engine.onChange((change, context) => {
      if (change.kind === 'created' && change.object.key === 'hooked.txt') {
        seen.push({ via: change.via, key: change.object.key, context });
      }
    });
    const { url, fields } = await presign({ Key: 'hooked.txt' });
    const posted = await postForm(url, fields, { content: 'hook' });
    expect(posted.status).toBe(204);
    expect(seen).toEqual([
      {
        via: 'post',
        key: 'hooked.txt',
        context: expect.objectContaining({
          requestId: posted.headers.get('x-amz-request-id'),
          hostId: posted.headers.get('x-amz-id-2'),
          principalId: t.accessKeyId,
          sourceIp: '127.0.0.1',
          region: 'us-east-1',
        }) as unknown,
      },
    ]);
  });

  it('answers 201 with the PostResponse document', async () => {
    const { url, fields } = await presign({
      Key: 'docs/report 1.txt',
      Fields: { success_action_status: '201' },
    });
    const posted = await postForm(url, fields, { content: 'hello' });
    expect(posted.status).toBe(201);
    expect(posted.headers.get('content-type')).toBe('application/xml');
    const etag = `"${md5('hello')}"`;
    expect(posted.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>' +
        `<Location>${t.url}/${bucket}/docs%2Freport%201.txt</Location>` +
        `<Bucket>${bucket}</Bucket><Key>docs/report 1.txt</Key>` +
        `<ETag>&quot;${md5('hello')}&quot;</ETag></PostResponse>`,
    );
    expect(posted.headers.get('etag')).toBe(etag);
    expectRequestIds(posted);
    const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'docs/report 1.txt' }));
    expect(await got.Body!.transformToString()).toBe('hello');
    // No Content-Type field: S3's default, not the type of the file part.
    expect(got.ContentType).toBe('binary/octet-stream');
  });

  it('answers 200 when asked, and 204 for any other success_action_status', async () => {
    for (const [status, expected] of [
      ['200', 200],
      ['404', 204],
    ] as const) {
      const { url, fields } = await presign({
        Key: `status-${status}`,
        Fields: { success_action_status: status },
      });
      const posted = await postForm(url, fields, { content: status });
      expect(posted.status).toBe(expected);
      expect(posted.body).toBe('');
    }
  });

  it('redirects (303) to success_action_redirect with bucket, key and ETag', async () => {
    const { url, fields } = await presign({
      Key: 'redirected/a b.txt',
      Fields: { success_action_redirect: 'https://app.example/done?from=form#top' },
    });
    const posted = await postForm(url, fields, { content: 'bye' });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe(
      'https://app.example/done?from=form&bucket=' +
        `${bucket}&key=redirected%2Fa%20b.txt&etag=%22${md5('bye')}%22#top`,
    );
    expectRequestIds(posted);
  });

  it('names the object after the file with ${filename}', async () => {
    const { url, fields } = await presign({ Key: 'uploads/${filename}' });
    expect(fields['key']).toBe('uploads/${filename}');
    const posted = await postForm(url, fields, { content: 'named', filename: 'notes.txt' });
    expect(posted.status).toBe(204);
    const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'uploads/notes.txt' }));
    expect(await got.Body!.transformToString()).toBe('named');
  });

  it('takes text content sent as a plain `file` field (a textarea)', async () => {
    const { url, fields } = await presign({ Key: 'typed-in.txt' });
    const posted = await postForm(url, fields, { content: 'typed in', asText: true });
    expect(posted.status).toBe(204);
    const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'typed-in.txt' }));
    expect(await got.Body!.transformToString()).toBe('typed in');
  });

  it('answers a signed POST that is not a form with S3 412 precondition', async () => {
    const answer = await signedRequest(t.url, t, {
      method: 'POST',
      path: `/${bucket}`,
      headers: { 'content-type': 'text/plain' },
      body: 'not a form',
    });
    expect([answer.status, answer.code]).toEqual([412, 'PreconditionFailed']);
    expect(answer.body).toContain(
      '<Condition>Bucket POST must be of the enclosure-type multipart/form-data</Condition>',
    );
  });

  it('verifies and stores an x-amz-checksum-sha256 field', async () => {
    const sha256 = createHash('sha256').update('checked').digest('base64');
    const { url, fields } = await presign({
      Key: 'checked.txt',
      Fields: { 'x-amz-checksum-sha256': sha256 },
    });
    const posted = await postForm(url, fields, { content: 'checked' });
    expect(posted.status).toBe(204);
    expect(posted.headers.get('x-amz-checksum-sha256')).toBe(sha256);
    const got = await t.s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'checked.txt', ChecksumMode: 'ENABLED' }),
    );
    expect(got.ChecksumSHA256).toBe(sha256);
  });

  it('accepts field names in any case, as S3 does', async () => {
    const { url, fields } = await presign({
      Key: 'cased.txt',
      Conditions: [['starts-with', '$content-type', 'text/']],
    });
    // The SDK itself sends `Policy` and `X-Amz-Signature`; the form adds `CONTENT-TYPE`.
    const posted = await postForm(
      url,
      fields,
      { content: 'cased' },
      {
        extra: [['CONTENT-TYPE', 'text/plain']],
      },
    );
    expect(posted.status).toBe(204);
    const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cased.txt' }));
    expect(got.ContentType).toBe('text/plain');
  });

  it('ignores fields after the file, and x-ignore- fields anywhere', async () => {
    const { url, fields } = await presign({ Key: 'ignored.txt' });
    const posted = await postForm(
      url,
      fields,
      { content: 'ok' },
      {
        extra: [['x-ignore-tracking', '1']],
        after: [['submit', 'Upload']],
      },
    );
    expect(posted.status).toBe(204);
  });

  it('serves virtual-host addressed forms, with a virtual-host Location', async () => {
    const { fields } = await presign({ Key: 'vhost.txt' });
    const boundary = 'vigil-boundary-1234';
    const part = (name: string, value: string, filename?: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"` +
      `${filename ? `; filename="${filename}"` : ''}\r\n\r\n${value}\r\n`;
    const body =
      Object.entries(fields)
        .map(([name, value]) => part(name, value))
        .join('') + `${part('file', 'via vhost', 'v.txt')}--${boundary}--\r\n`;
    const port = new URL(t.url).port;
    const answer = await new Promise<{ status: number; location: string | undefined }>(
      (resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/',
            headers: {
              host: `${bucket}.localhost:${port}`,
              'content-type': `multipart/form-data; boundary=${boundary}`,
              'content-length': Buffer.byteLength(body),
            },
          },
          (res) => {
            res.resume();
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, location: res.headers.location }),
            );
          },
        );
        req.on('error', reject);
        req.end(body);
      },
    );
    expect(answer).toEqual({
      status: 204,
      location: `http://${bucket}.localhost:${port}/vhost.txt`,
    });
    const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'vhost.txt' }));
    expect(await got.Body!.transformToString()).toBe('via vhost');
  });

  describe('refuses, and writes nothing', () => {
    const refusedPost = (options: Omit<PresignedPostOptions, 'Bucket'>) =>
      createPresignedPost(t.s3, { Bucket: refused, ...options });
    let blobsBefore = 0;
    beforeAll(async () => {
      blobsBefore = await blobFiles(t.dataDir);
    });

    it.each([
      [
        'too large',
        1,
        10,
        11,
        'EntityTooLarge',
        'Your proposed upload exceeds the maximum allowed size',
      ],
      [
        'too large, after streaming a blob file',
        1,
        100_000,
        200_000,
        'EntityTooLarge',
        'Your proposed upload exceeds the maximum allowed size',
      ],
      [
        'too small',
        5,
        10,
        4,
        'EntityTooSmall',
        'Your proposed upload is smaller than the minimum allowed size',
      ],
    ])('content-length-range: %s', async (_name, min, max, size, code, message) => {
      const { url, fields } = await refusedPost({
        Key: `range-${size}`,
        Conditions: [['content-length-range', min, max]],
      });
      const posted = await postForm(url, fields, { content: randomBytes(size) });
      expect(posted.status).toBe(400);
      expect(posted.code).toBe(code);
      expect(posted.message).toBe(message);
      expectRequestIds(posted);
    });

    it('a file far beyond the range: the error reaches a client still sending', async () => {
      const { url, fields } = await refusedPost({
        Key: 'far-too-large',
        Conditions: [['content-length-range', 0, 100_000]],
      });
      const posted = await postForm(url, fields, { content: Buffer.alloc(50_000_000, 1) });
      expect([posted.status, posted.code]).toEqual([400, 'EntityTooLarge']);
      expect(posted.body).toContain('<MaxSizeAllowed>100000</MaxSizeAllowed>');
      expectRequestIds(posted);
    });

    it('an expired policy', async () => {
      const { url, fields } = await refusedPost({ Key: 'expired', Expires: -60 });
      const posted = await postForm(url, fields, { content: 'late' });
      expect([posted.status, posted.code, posted.message]).toEqual([
        403,
        'AccessDenied',
        'Invalid according to Policy: Policy expired.',
      ]);
      expectRequestIds(posted);
    });

    it('a tampered signature', async () => {
      const { url, fields } = await refusedPost({ Key: 'tampered' });
      const signature = fields['X-Amz-Signature']!;
      const flipped = `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;
      const posted = await postForm(
        url,
        { ...fields, 'X-Amz-Signature': flipped },
        {
          content: 'x',
        },
      );
      expect([posted.status, posted.code]).toEqual([403, 'SignatureDoesNotMatch']);
      expect(posted.body).toContain(`<StringToSign>${fields['Policy']}</StringToSign>`);
      expectRequestIds(posted);
    });

    it('a policy changed after signing', async () => {
      const { url, fields } = await refusedPost({
        Key: 'changed',
        Conditions: [['content-length-range', 0, 1]],
      });
      const policy = Buffer.from(fields['Policy']!, 'base64')
        .toString('utf8')
        .replace('["content-length-range",0,1]', '["content-length-range",0,100]');
      const posted = await postForm(
        url,
        { ...fields, Policy: Buffer.from(policy).toString('base64') },
        { content: 'more than one byte' },
      );
      expect([posted.status, posted.code]).toEqual([403, 'SignatureDoesNotMatch']);
    });

    it('an unknown access key', async () => {
      const stranger = new S3Client({
        endpoint: t.url,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'not-a-vigil-secret' },
      });
      const { url, fields } = await createPresignedPost(stranger, { Bucket: refused, Key: 'x' });
      stranger.destroy();
      const posted = await postForm(url, fields, { content: 'x' });
      expect([posted.status, posted.code]).toEqual([403, 'InvalidAccessKeyId']);
      expect(posted.body).toContain('<AWSAccessKeyId>AKIDUNKNOWN</AWSAccessKeyId>');
    });

    it('a field the policy does not name', async () => {
      const { url, fields } = await refusedPost({ Key: 'extra' });
      const posted = await postForm(
        url,
        fields,
        { content: 'x' },
        {
          extra: [['x-amz-meta-Sneaky', 'yes']],
        },
      );
      expect([posted.status, posted.code, posted.message]).toEqual([
        403,
        'AccessDenied',
        'Invalid according to Policy: Extra input fields: x-amz-meta-Sneaky',
      ]);
    });

    it('a starts-with condition the form breaks', async () => {
      const { url, fields } = await refusedPost({
        Key: 'typed',
        Conditions: [['starts-with', '$Content-Type', 'image/']],
      });
      const posted = await postForm(
        url,
        fields,
        { content: '<script>' },
        {
          extra: [['Content-Type', 'text/html']],
        },
      );
      expect([posted.status, posted.code, posted.message]).toEqual([
        403,
        'AccessDenied',
        'Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", "image/"]',
      ]);
    });

    it('a Content-Type list with one type outside the starts-with prefix', async () => {
      const { url, fields } = await refusedPost({
        Key: 'typed-list',
        Conditions: [['starts-with', '$Content-Type', 'image/']],
      });
      const posted = await postForm(
        url,
        fields,
        { content: 'x' },
        {
          extra: [['Content-Type', 'image/png,text/html']],
        },
      );
      expect([posted.status, posted.code]).toEqual([403, 'AccessDenied']);
    });

    it('a policy for another bucket', async () => {
      const { fields } = await createPresignedPost(t.s3, { Bucket: other, Key: 'moved' });
      const posted = await postForm(`${t.url}/${refused}`, fields, { content: 'x' });
      expect([posted.status, posted.code, posted.message]).toEqual([
        403,
        'AccessDenied',
        `Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "${other}"]`,
      ]);
      const listed = await t.s3.send(new ListObjectsV2Command({ Bucket: other }));
      expect(listed.KeyCount).toBe(0);
    });

    it('a form without a file', async () => {
      const { url, fields } = await refusedPost({ Key: 'nofile' });
      const posted = await postForm(url, fields, undefined);
      expect([posted.status, posted.code, posted.message]).toEqual([
        400,
        'InvalidArgument',
        'POST requires exactly one file upload per request.',
      ]);
      expectRequestIds(posted);
    });

    it('a form with two files', async () => {
      const { url, fields } = await refusedPost({ Key: 'twofiles' });
      const posted = await postForm(url, fields, { content: 'one' }, { after: [['file', 'two']] });
      expect([posted.status, posted.code]).toEqual([400, 'InvalidArgument']);
    });

    it('a form without a key', async () => {
      const { url, fields } = await refusedPost({ Key: 'nokey' });
      const { key: _key, ...withoutKey } = fields;
      const posted = await postForm(url, withoutKey, { content: 'x' });
      expect([posted.status, posted.code, posted.message]).toEqual([
        400,
        'InvalidArgument',
        "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
      ]);
    });

    it('an anonymous form (no policy)', async () => {
      const posted = await postForm(`${t.url}/${refused}`, { key: 'anon' }, { content: 'x' });
      expect([posted.status, posted.code]).toEqual([403, 'AccessDenied']);
      expectRequestIds(posted);
    });

    it('fields before the file beyond 20 KB', async () => {
      const { url, fields } = await refusedPost({
        Key: 'big-fields',
        Conditions: [['starts-with', '$x-amz-meta-big', '']],
      });
      const posted = await postForm(
        url,
        fields,
        { content: 'x' },
        {
          extra: [['x-amz-meta-big', 'b'.repeat(21 * 1024)]],
        },
      );
      expect([posted.status, posted.code, posted.message]).toEqual([
        400,
        'MaxPostPreDataLengthExceededError',
        'Your POST request fields preceding the upload file were too large.',
      ]);
    });

    it('a signed policy that is not JSON', async () => {
      const posted = await postForm(
        `${t.url}/${refused}`,
        { key: 'notjson', ...signedPolicyFields('{"expiration": ', t) },
        { content: 'x' },
      );
      expect([posted.status, posted.code, posted.message]).toEqual([
        400,
        'InvalidPolicyDocument',
        'Invalid Policy: Invalid JSON.',
      ]);
    });

    it('a key outside a hand-written starts-with condition', async () => {
      const policy = JSON.stringify({
        expiration: new Date(Date.now() + 60_000).toISOString(),
        conditions: [{ bucket: refused }, ['starts-with', '$key', 'user/eric/']],
      });
      const posted = await postForm(
        `${t.url}/${refused}`,
        { key: 'user/mallory/x', ...signedPolicyFields(policy, t) },
        { content: 'x' },
      );
      expect([posted.status, posted.code, posted.message]).toEqual([
        403,
        'AccessDenied',
        'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user/eric/"]',
      ]);
    });

    it('a wrong checksum', async () => {
      const { url, fields } = await refusedPost({
        Key: 'badsum',
        Fields: { 'x-amz-checksum-sha256': createHash('sha256').update('a').digest('base64') },
      });
      const posted = await postForm(url, fields, { content: 'b' });
      expect([posted.status, posted.code]).toEqual([400, 'BadDigest']);
    });

    it('a public canned ACL, as on PUT', async () => {
      const { url, fields } = await refusedPost({ Key: 'public', Fields: { acl: 'public-read' } });
      const posted = await postForm(url, fields, { content: 'x' });
      expect([posted.status, posted.code]).toEqual([400, 'AccessControlListNotSupported']);
    });

    it('a missing bucket', async () => {
      const missing = bucketName('post-missing');
      const { url, fields } = await createPresignedPost(t.s3, { Bucket: missing, Key: 'x' });
      const posted = await postForm(url, fields, { content: 'x' });
      expect([posted.status, posted.code]).toEqual([404, 'NoSuchBucket']);
    });

    it('has stored no object and left no blob behind', async () => {
      const listed = await t.s3.send(new ListObjectsV2Command({ Bucket: refused }));
      expect(listed.KeyCount).toBe(0);
      expect(await blobFiles(t.dataDir)).toBe(blobsBefore);
    });
  });
});

describe.skipIf(process.platform !== 'linux')('POST Object streaming', () => {
  const SIZE = Number(process.env['VIGIL_STREAM_TEST_BYTES'] ?? 2 * 1024 ** 3);
  const CHUNK = 1024 * 1024;
  let t: TestVigil;
  const bucket = bucketName('post-stream');
  beforeAll(async () => {
    t = await startTestVigil({ fsync: false });
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  afterAll(async () => {
    await t.stop();
  });

  const peakRss = async () =>
    Number(/VmHWM:\s+(\d+) kB/.exec(await readFile('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;

  it(`streams a ${SIZE / 2 ** 20} MiB file without holding it`, { timeout: 600_000 }, async () => {
    const { url, fields } = await createPresignedPost(t.s3, { Bucket: bucket, Key: 'huge.bin' });
    const boundary = 'vigil-stream-boundary';
    const head =
      Object.entries(fields)
        .map(
          ([name, value]) =>
            `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
        )
        .join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.bin"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n';
    const tail = `\r\n--${boundary}--\r\n`;
    const hash = createHash('md5');
    let sent = 0;
    let started = false;
    // The client generates each chunk as it is sent, so the process holds a few at a time.
    const body = new Readable({
      read() {
        if (!started) {
          started = true;
          this.push(head);
        }
        if (sent >= SIZE) {
          this.push(tail);
          this.push(null);
          return;
        }
        const chunk = Buffer.alloc(Math.min(CHUNK, SIZE - sent), sent / CHUNK);
        sent += chunk.length;
        hash.update(chunk);
        this.push(chunk);
      },
    });
    const before = await peakRss();
    const status = await new Promise<number>((resolve, reject) => {
      const target = new URL(url);
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: target.pathname,
          headers: {
            'content-type': `multipart/form-data; boundary=${boundary}`,
            'content-length': Buffer.byteLength(head) + SIZE + Buffer.byteLength(tail),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      body.pipe(req);
    });
    expect(status).toBe(204);
    const after = await peakRss();
    const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'huge.bin' }));
    expect(got.ContentLength).toBe(SIZE);
    expect(got.ETag).toBe(`"${hash.digest('hex')}"`);
    (got.Body as Readable).destroy();
    // Flat: peak memory grows by a few buffers, not by the file.
    expect(after - before).toBeLessThan(150 * 1024 * 1024);
  });
});
