import { Sha256 } from '@aws-crypto/sha256-js';
import { openIdentity } from '../iam/index.js';
import { SignatureV4 } from '@smithy/signature-v4';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpServer, type VigilHttpServer } from '../http/server.js';
import { StorageEngine } from '../storage/index.js';
import { createRekognitionModerator } from './backends/rekognition.js';
import { MAX_BYTES_IMAGE, MAX_S3_IMAGE, createRekognitionRoute } from './rekognition-api.js';
import {
  ModerationError,
  type DetectOptions,
  type ModerationResult,
  type Moderator,
} from './types.js';

/**
 * Clients here sign with `@smithy/signature-v4`, the signer inside every AWS SDK for
 * JavaScript, and send what `@aws-sdk/client-rekognition` sends (that package is not
 * installed): `POST /`, `Content-Type: application/x-amz-json-1.1`,
 * `X-Amz-Target: RekognitionService.<Operation>`, a JSON body with the image in base64.
 */
const CREDENTIALS = { accessKeyId: 'AKIAVIGILTEST', secretAccessKey: 'vigil-test-secret-key' };
const logger = pino({ level: 'silent' });

/** Fixed labels: the real model is tested with the local backend, not here. */
const RESULT: ModerationResult = {
  ModerationLabels: [
    { Confidence: 97.25, Name: 'Explicit Nudity', ParentName: 'Explicit', TaxonomyLevel: 2 },
    { Confidence: 97.25, Name: 'Explicit', ParentName: '', TaxonomyLevel: 1 },
  ],
  ModerationModelVersion: 'vigil-test-model-1',
  ContentTypes: [{ Confidence: 88.5, Name: 'Illustrated' }],
};

class FakeModerator implements Moderator {
  calls: { image: Buffer; options: DetectOptions | undefined }[] = [];
  failWith: Error | undefined;
  detectModerationLabels(image: Buffer, options?: DetectOptions): Promise<ModerationResult> {
    this.calls.push({ image, options });
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    return Promise.resolve(structuredClone(RESULT));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

let dataDir: string;
let engine: StorageEngine;
let http: VigilHttpServer;
let endpoint: string;
const moderator = new FakeModerator();
const small = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), randomBytes(500)]);
const large = randomBytes(300 * 1024);

async function put(key: string, body: Buffer): Promise<void> {
  const blob = await engine.writeBlob('photos', Readable.from([body]));
  await engine.commitObject('photos', key, blob, { system: {}, user: {}, tags: [] }, 'put', {});
}

interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

async function call(
  body: unknown,
  options: {
    target?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string };
    service?: string;
    applyChecksum?: boolean;
    unsigned?: boolean;
    /** Replaces the body after signing. */
    sendInstead?: string;
  } = {},
): Promise<Answer> {
  const url = new URL(endpoint);
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers = {
    host: url.host,
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': options.target ?? 'RekognitionService.DetectModerationLabels',
  };
  const signer = new SignatureV4({
    service: options.service ?? 'rekognition',
    region: 'us-east-1',
    credentials: options.credentials ?? CREDENTIALS,
    sha256: Sha256,
    applyChecksum: options.applyChecksum ?? false,
  });
  const signed = options.unsigned
    ? { headers }
    : await signer.sign({
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        query: {},
        headers,
        body: text,
      });
  const response = await fetch(url, {
    method: 'POST',
    headers: signed.headers,
    body: options.sendInstead ?? text,
  });
  const raw = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: raw ? (JSON.parse(raw) as Record<string, unknown>) : {},
  };
}

const bytes = (buffer: Buffer, extra: object = {}) => ({
  Image: { Bytes: buffer.toString('base64') },
  ...extra,
});

function expectModeledError(answer: Answer, type: string, status = 400): void {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toBe('application/x-amz-json-1.1');
  expect(answer.headers.get('x-amzn-requestid')).toMatch(/^[0-9A-F]{16}$/);
  expect(answer.json['__type']).toBe(type);
  expect(answer.json['Code']).toBe(type);
  expect(answer.json['Logref']).toMatch(/^[0-9a-f-]{36}$/);
  expect(typeof answer.json['Message']).toBe('string');
}

function expectProtocolError(answer: Answer, type: string): void {
  expect(answer.status).toBe(400);
  expect(answer.json['__type']).toBe(type);
  expect(typeof answer.json['message']).toBe('string');
  expect(answer.json['Code']).toBeUndefined();
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vigil-rekognition-'));
  engine = await StorageEngine.open({ dataDir, fsync: false });
  engine.createBucket('photos', 'us-east-1');
  await put('small.jpg', small);
  await put('dir/large photo.jpg', large);
  await put('huge.jpg', Buffer.alloc(MAX_S3_IMAGE + 1, 7));
  http = createHttpServer({
    s3: (_req, res) => Promise.resolve(void res.writeHead(599).end()),
    routes: [
      createRekognitionRoute({
        moderator,
        engine,
        gate: openIdentity(engine, { accountId: '000000000000', root: CREDENTIALS }).gate,
        logger,
      }),
    ],
    logger,
  });
  const { port } = await http.listen(0, '127.0.0.1');
  endpoint = `http://127.0.0.1:${port}/`;
});

afterAll(async () => {
  await http.shutdown();
  engine.close();
  await rm(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  moderator.calls = [];
  moderator.failWith = undefined;
});

describe('DetectModerationLabels', () => {
  it('classifies Image.Bytes and answers exactly in Rekognition’s shape', async () => {
    const answer = await call(bytes(small));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(answer.headers.get('x-amzn-requestid')).toBe(answer.headers.get('x-amz-request-id'));
    expect(answer.json).toEqual(RESULT);
    expect(Object.keys(answer.json)).toEqual([
      'ModerationLabels',
      'ModerationModelVersion',
      'ContentTypes',
    ]);
    expect(moderator.calls).toHaveLength(1);
    expect(moderator.calls[0]!.image.equals(small)).toBe(true);
    expect(moderator.calls[0]!.options).toEqual({ minConfidence: 50 });
  });

  it('passes MinConfidence on, and accepts a signed x-amz-content-sha256', async () => {
    const answer = await call(bytes(small, { MinConfidence: 80.5 }), { applyChecksum: true });
    expect(answer.status).toBe(200);
    expect(moderator.calls[0]!.options).toEqual({ minConfidence: 80.5 });
  });

  it('reads Image.S3Object from Vigil’s own store', async () => {
    const inline = await call({ Image: { S3Object: { Bucket: 'photos', Name: 'small.jpg' } } });
    expect(inline.status).toBe(200);
    const blob = await call({
      Image: { S3Object: { Bucket: 'photos', Name: 'dir/large photo.jpg', Version: 'null' } },
      MinConfidence: 0,
    });
    expect(blob.status).toBe(200);
    expect(moderator.calls.map((c) => c.image.length)).toEqual([small.length, large.length]);
    expect(moderator.calls[0]!.image.equals(small)).toBe(true);
    expect(moderator.calls[1]!.image.equals(large)).toBe(true);
    expect(moderator.calls[1]!.options).toEqual({ minConfidence: 0 });
  });

  it.each([
    ['a missing key', { Bucket: 'photos', Name: 'nope.jpg' }],
    ['a missing bucket', { Bucket: 'no-such-bucket', Name: 'small.jpg' }],
    ['a version Vigil does not keep', { Bucket: 'photos', Name: 'small.jpg', Version: 'v2' }],
  ])('answers InvalidS3ObjectException for %s', async (_what, s3Object) => {
    const answer = await call({ Image: { S3Object: s3Object } });
    expectModeledError(answer, 'InvalidS3ObjectException');
    expect(answer.json['Message']).toMatch(
      /^Unable to get object metadata from S3\. Check object key, region and\/or access permissions\./,
    );
    expect(moderator.calls).toHaveLength(0);
  });

  it('enforces 5 MB for Bytes and 15 MB for an S3 object', async () => {
    const overBytes = await call(bytes(Buffer.alloc(MAX_BYTES_IMAGE + 1)));
    expectModeledError(overBytes, 'ImageTooLargeException');
    expect(overBytes.json['Message']).toMatch(/^Image size is too large\./);
    const atLimit = await call(bytes(Buffer.alloc(MAX_BYTES_IMAGE, 1)));
    expect(atLimit.status).toBe(200);
    const overS3 = await call({ Image: { S3Object: { Bucket: 'photos', Name: 'huge.jpg' } } });
    expectModeledError(overS3, 'ImageTooLargeException');
    expect(moderator.calls).toHaveLength(1);
  });

  it('refuses a body far over the limit without reading it all', async () => {
    const answer = await call({ Image: { Bytes: 'A'.repeat(9 * 1024 * 1024) } });
    expectModeledError(answer, 'ImageTooLargeException');
  });

  const valid = { Bucket: 'photos', Name: 'small.jpg' };
  it.each([
    [
      'MinConfidence over 100',
      bytes(small, { MinConfidence: 100.01 }),
      'InvalidParameterException',
    ],
    ['MinConfidence under 0', bytes(small, { MinConfidence: -1 }), 'InvalidParameterException'],
    [
      'both Bytes and S3Object',
      { Image: { Bytes: 'AAAA', S3Object: valid } },
      'InvalidParameterException',
    ],
    ['neither Bytes nor S3Object', { Image: {} }, 'InvalidParameterException'],
    ['no Image', { MinConfidence: 50 }, 'InvalidParameterException'],
    ['empty Bytes', { Image: { Bytes: '' } }, 'InvalidParameterException'],
    [
      'a short bucket name',
      { Image: { S3Object: { Bucket: 'ab', Name: 'k' } } },
      'InvalidParameterException',
    ],
    [
      'a bucket name with /',
      { Image: { S3Object: { Bucket: 'a/b/c', Name: 'k' } } },
      'InvalidParameterException',
    ],
    [
      'an empty object name',
      { Image: { S3Object: { Bucket: 'photos', Name: '' } } },
      'InvalidParameterException',
    ],
    [
      'a long object name',
      { Image: { S3Object: { Bucket: 'photos', Name: 'k'.repeat(1025) } } },
      'InvalidParameterException',
    ],
    [
      'a bad HumanLoopName',
      bytes(small, { HumanLoopConfig: { HumanLoopName: 'Bad_Name', FlowDefinitionArn: 'arn:x' } }),
      'InvalidParameterException',
    ],
    [
      'an unknown content classifier',
      bytes(small, {
        HumanLoopConfig: {
          HumanLoopName: 'loop-1',
          FlowDefinitionArn: 'arn:x',
          DataAttributes: { ContentClassifiers: ['FreeOfCats'] },
        },
      }),
      'InvalidParameterException',
    ],
    [
      'a malformed ProjectVersion',
      bytes(small, { ProjectVersion: 'arn:aws:s3:::bucket/key/x' }),
      'InvalidParameterException',
    ],
    [
      'a ProjectVersion (Vigil has no adapters)',
      bytes(small, {
        ProjectVersion:
          'arn:aws:rekognition:us-east-1:123456789012:project/moderation/version/moderation.1/1700000000000',
      }),
      'ResourceNotFoundException',
    ],
  ])('answers a request with %s with %s', async (_what, body, type) => {
    expectModeledError(await call(body), type);
    expect(moderator.calls).toHaveLength(0);
  });

  it.each([
    ['invalid JSON', '{"Image": '],
    ['a JSON array', '[]'],
    ['MinConfidence as a string', JSON.stringify(bytes(small, { MinConfidence: '50' }))],
    ['Bytes that are not base64', JSON.stringify({ Image: { Bytes: 'not base64!' } })],
    ['an S3Object that is a string', JSON.stringify({ Image: { S3Object: 's3://photos/a' } })],
  ])('answers SerializationException to %s', async (_what, body) => {
    expectProtocolError(await call(body), 'SerializationException');
  });

  it('accepts a valid HumanLoopConfig and starts no human loop', async () => {
    const answer = await call(
      bytes(small, {
        HumanLoopConfig: {
          HumanLoopName: 'review-1',
          FlowDefinitionArn: 'arn:aws:sagemaker:us-east-1:123456789012:flow-definition/x',
          DataAttributes: { ContentClassifiers: ['FreeOfAdultContent'] },
        },
      }),
    );
    expect(answer.status).toBe(200);
    expect(answer.json['HumanLoopActivationOutput']).toBeUndefined();
  });

  it('renders the moderator’s errors with Rekognition’s code, status and wording', async () => {
    moderator.failWith = new ModerationError(
      'InvalidImageFormatException',
      'sharp: unsupported image format',
    );
    const format = await call(bytes(small));
    expectModeledError(format, 'InvalidImageFormatException');
    expect(format.json['Message']).toBe(
      'Request has invalid image format. sharp: unsupported image format',
    );
    moderator.failWith = new ModerationError('ThrottlingException');
    expectModeledError(await call(bytes(small)), 'ThrottlingException');
    moderator.failWith = new ModerationError('InternalServerError', 'worker died');
    expectModeledError(await call(bytes(small)), 'InternalServerError', 500);
    moderator.failWith = new Error('a bug');
    const bug = await call(bytes(small));
    expectModeledError(bug, 'InternalServerError', 500);
    expect(bug.json['Message']).toBe('Internal server error');
  });

  it('answers other Rekognition operations with UnknownOperationException', async () => {
    const answer = await call(bytes(small), { target: 'RekognitionService.DetectLabels' });
    expectProtocolError(answer, 'UnknownOperationException');
    expect(moderator.calls).toHaveLength(0);
  });
});

describe('authentication', () => {
  it.each([
    ['an unsigned request', { unsigned: true }, 'MissingAuthenticationTokenException'],
    [
      'an unknown access key',
      { credentials: { ...CREDENTIALS, accessKeyId: 'AKIAUNKNOWN' } },
      'UnrecognizedClientException',
    ],
    [
      'a wrong secret',
      { credentials: { ...CREDENTIALS, secretAccessKey: 'wrong' } },
      'InvalidSignatureException',
    ],
    [
      'a body changed after signing',
      { sendInstead: JSON.stringify(bytes(large)) },
      'InvalidSignatureException',
    ],
    ['a signature for another service', { service: 's3' }, 'IncompleteSignatureException'],
  ])('refuses %s', async (_what, options, type) => {
    const answer = await call(bytes(small), options);
    expectProtocolError(answer, type);
    expect(moderator.calls).toHaveLength(0);
  });

  it('leaves requests that are not Rekognition’s to the next handler', async () => {
    const get = await fetch(endpoint, {
      headers: { 'x-amz-target': 'RekognitionService.DetectModerationLabels' },
    });
    expect(get.status).toBe(599);
    const other = await fetch(endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonSQS.ListQueues' },
      body: '{}',
    });
    expect(other.status).toBe(599);
  });
});

describe('the rekognition backend pointed at Vigil', () => {
  it('round-trips labels and errors through the API', async () => {
    const client = createRekognitionModerator({
      region: 'us-east-1',
      endpoint,
      credentials: CREDENTIALS,
      retryBaseMs: 1,
    });
    await expect(client.detectModerationLabels(small, { minConfidence: 60 })).resolves.toEqual(
      RESULT,
    );
    expect(moderator.calls[0]!.options).toEqual({ minConfidence: 60 });
    expect(moderator.calls[0]!.image.equals(small)).toBe(true);
    moderator.failWith = new ModerationError('InvalidImageFormatException', 'not an image');
    const error = await client.detectModerationLabels(small).then(
      () => undefined,
      (e: unknown) => e as ModerationError,
    );
    expect(error?.code).toBe('InvalidImageFormatException');
    expect(error?.message).toBe('Request has invalid image format. not an image');
    await client.close();
  });
});
