import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { execFile, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from './support/errors.js';
import { signedRequest } from './support/signed.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

/** Legal in XML 1.0, but a parser folds a raw CR (and CRLF) into LF. */
const WHITESPACE_KEYS = [
  'tab\there',
  'line\nfeed',
  'carriage\rreturn',
  'crlf\r\nend',
  '\r',
  ' edge spaces ',
  'mark&up<in>"key\'s',
];

/** Characters XML 1.0 cannot carry, even as references. */
const UNREPRESENTABLE = [
  ['U+0000', 'nul\u0000key'],
  ['U+0001', '\u0001start'],
  ['U+0008', 'back\u0008space'],
  ['U+000B', 'vertical\u000Btab'],
  ['U+000C', 'form\u000Cfeed'],
  ['U+001F', 'unit\u001Fseparator'],
  ['U+FFFE', 'not\uFFFEchar'],
  ['U+FFFF', 'not\uFFFFchar'],
] as const;

const PYTHON = spawnSync('python3', ['--version']).status === 0 ? 'python3' : undefined;

/**
 * Parses an XML document with Python's own parser (the one botocore uses) and returns the
 * text of every element named `tag`; rejects when the document is not well-formed.
 */
function pythonTexts(xml: string, tag: string): Promise<string[]> {
  const script = [
    'import json, sys, xml.etree.ElementTree as E',
    'root = E.fromstring(sys.stdin.buffer.read())',
    'print(json.dumps([e.text or "" for e in root.iter() if e.tag.split("}")[-1] == sys.argv[1]]))',
  ].join('\n');
  return new Promise((resolve, reject) => {
    const child = execFile(PYTHON!, ['-c', script, tag], (error, stdout, stderr) => {
      if (error) reject(new Error(`python could not parse the document: ${stderr}`));
      else resolve(JSON.parse(stdout) as string[]);
    });
    child.stdin!.end(xml);
  });
}

const urlDecode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));
const sorted = (keys: readonly string[]) =>
  [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));

describe('keys with characters XML 1.0 cannot carry are refused at write time', () => {
  let t: TestVigil;
  const bucket = bucketName('xml-keys');
  beforeAll(async () => {
    t = await startTestVigil();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'source', Body: 'src' }));
  });
  afterAll(async () => {
    await t.stop();
  });

  const expectRefused = async (write: Promise<unknown>, name: string) => {
    const error = await errorOf(write);
    expect(error.name).toBe('InvalidArgument');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toContain(`contains ${name}`);
  };

  it.each(UNREPRESENTABLE)(
    'PutObject, CopyObject and CreateMultipartUpload refuse %s',
    async (name, Key) => {
      await expectRefused(
        t.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'x' })),
        name,
      );
      await expectRefused(
        t.s3.send(new CopyObjectCommand({ Bucket: bucket, Key, CopySource: `${bucket}/source` })),
        name,
      );
      await expectRefused(
        t.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key })),
        name,
      );
    },
  );

  it('POST Object refuses such a key', async () => {
    const { url, fields } = await createPresignedPost(t.s3, {
      Bucket: bucket,
      Key: 'form\u0000key',
    });
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob(['x']), 'x.bin');
    const res = await fetch(url, { method: 'POST', body: form });
    const body = await res.text();
    expect(res.status).toBe(400);
    expect(body).toContain('<Code>InvalidArgument</Code>');
    expect(body).toContain('contains U+0000');
  });

  it('stored nothing: the bucket holds only the copy source', async () => {
    const listed = await t.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, EncodingType: 'url' }),
    );
    expect(listed.Contents?.map((c) => c.Key)).toEqual(['source']);
    const uploads = await t.s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads ?? []).toEqual([]);
  });

  it.skipIf(!PYTHON)('an error document naming such a key is still well-formed XML', async () => {
    const url = await getSignedUrl(
      t.s3,
      new GetObjectCommand({ Bucket: bucket, Key: 'nul\u0000key' }),
    );
    const res = await fetch(url);
    const body = await res.text();
    expect(res.status).toBe(404);
    expect(await pythonTexts(body, 'Code')).toEqual(['NoSuchKey']);
    expect(await pythonTexts(body, 'Key')).toEqual(['nul\uFFFDkey']);
  });
});

describe('tab, LF and CR in keys survive every XML response', () => {
  let t: TestVigil;
  const bucket = bucketName('ws-keys');
  beforeAll(async () => {
    t = await startTestVigil();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const Key of WHITESPACE_KEYS) {
      await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key }));
    }
  });
  afterAll(async () => {
    await t.stop();
  });

  it('ListObjectsV2, ListObjects and ListObjectVersions return the exact keys to the SDK', async () => {
    const v2 = await t.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(v2.Contents?.map((c) => c.Key)).toEqual(sorted(WHITESPACE_KEYS));
    const v1 = await t.s3.send(new ListObjectsCommand({ Bucket: bucket }));
    expect(v1.Contents?.map((c) => c.Key)).toEqual(sorted(WHITESPACE_KEYS));
    const versions = await t.s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    expect(versions.Versions?.map((v) => v.Key)).toEqual(sorted(WHITESPACE_KEYS));
  });

  it.skipIf(!PYTHON)('the raw listing reads back exactly in Python', async () => {
    const res = await signedRequest(t.url, t, {
      method: 'GET',
      path: `/${bucket}`,
      query: { 'list-type': '2' },
    });
    expect(res.body).toContain('<Key>carriage&#13;return</Key>');
    expect(await pythonTexts(res.body, 'Key')).toEqual(sorted(WHITESPACE_KEYS));
  });

  it('encoding-type=url encodes every key, prefix and marker', async () => {
    const v2 = await t.s3.send(new ListObjectsV2Command({ Bucket: bucket, EncodingType: 'url' }));
    expect(v2.Contents?.map((c) => c.Key)).toContain('carriage%0Dreturn');
    expect(v2.Contents?.map((c) => urlDecode(c.Key!))).toEqual(sorted(WHITESPACE_KEYS));
    const v1 = await t.s3.send(
      new ListObjectsCommand({ Bucket: bucket, EncodingType: 'url', Prefix: 'line\n' }),
    );
    expect(v1.Prefix).toBe('line%0A');
    expect(v1.Contents?.map((c) => c.Key)).toEqual(['line%0Afeed']);
    const versions = await t.s3.send(
      new ListObjectVersionsCommand({ Bucket: bucket, EncodingType: 'url', MaxKeys: 1 }),
    );
    expect(versions.NextKeyMarker).toBe('%0D');
    expect(versions.Versions?.map((v) => v.Key)).toEqual(['%0D']);
  });

  it('multipart results, ListParts and ListMultipartUploads carry the exact key', async () => {
    const Key = 'multi\r\npart\tkey';
    const created = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key }));
    expect(created.Key).toBe(Key);
    const { UploadId } = created;
    const uploads = await t.s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads?.map((u) => u.Key)).toEqual([Key]);
    const encoded = await t.s3.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, EncodingType: 'url', Prefix: 'multi\r' }),
    );
    expect(encoded.EncodingType).toBe('url');
    expect(encoded.Prefix).toBe('multi%0D');
    expect(encoded.Uploads?.map((u) => u.Key)).toEqual(['multi%0D%0Apart%09key']);
    const part = await t.s3.send(
      new UploadPartCommand({ Bucket: bucket, Key, UploadId, PartNumber: 1, Body: 'only part' }),
    );
    const parts = await t.s3.send(new ListPartsCommand({ Bucket: bucket, Key, UploadId }));
    expect(parts.Key).toBe(Key);
    const completed = await t.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key,
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    expect(completed.Key).toBe(Key);
  });

  it('DeleteObjects reads the keys back from the SDK’s character references', async () => {
    const deleted = await t.s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: WHITESPACE_KEYS.map((Key) => ({ Key })) },
      }),
    );
    expect(deleted.Deleted?.map((d) => d.Key)).toEqual(WHITESPACE_KEYS);
    const left = await t.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(left.Contents?.map((c) => c.Key)).toEqual(['multi\r\npart\tkey']);
  });
});
