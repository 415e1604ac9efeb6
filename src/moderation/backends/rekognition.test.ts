import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModerationError } from '../types.js';
import {
  FAKE_AWS_KEY as KEY,
  awsError,
  startFakeRekognition,
  type FakeRekognition,
  type RekognitionCall,
  type RekognitionReply,
} from './fake-rekognition.test-helper.js';
import {
  MAX_REKOGNITION_BYTES,
  createRekognitionModerator,
  credentialsFromEnv,
  type RekognitionModeratorOptions,
} from './rekognition.js';

let fake: FakeRekognition;
let endpoint: string;
let calls: RekognitionCall[];
/** What the fake answers to the next calls, in order; then the sample. */
let replies: ((call: RekognitionCall) => RekognitionReply)[];

/** Rekognition's own sample answer (Developer Guide, "Detecting inappropriate images"). */
const SAMPLE = {
  ModerationLabels: [
    {
      Confidence: 99.44782257080078,
      Name: 'Smoking',
      ParentName: 'Drugs & Tobacco Paraphernalia & Use',
      TaxonomyLevel: 3,
    },
    {
      Confidence: 99.44782257080078,
      Name: 'Drugs & Tobacco Paraphernalia & Use',
      ParentName: 'Drugs & Tobacco',
      TaxonomyLevel: 2,
    },
    { Confidence: 99.44782257080078, Name: 'Drugs & Tobacco', ParentName: '', TaxonomyLevel: 1 },
  ],
  ModerationModelVersion: '7.0',
  ContentTypes: [{ Confidence: 99.9999008178711, Name: 'Illustrated' }],
};

beforeAll(async () => {
  fake = await startFakeRekognition((call) =>
    (replies.shift() ?? (() => ({ status: 200, body: SAMPLE })))(call),
  );
  endpoint = fake.endpoint;
  calls = fake.calls;
});

afterAll(() => fake.close());

beforeEach(() => {
  calls.length = 0;
  replies = [];
});

const moderator = (options: Partial<RekognitionModeratorOptions> = {}) =>
  createRekognitionModerator({
    region: 'eu-west-1',
    endpoint,
    credentials: KEY,
    retryBaseMs: 1,
    ...options,
  });

const image = Buffer.from('\xff\xd8\xff\xe0 pretend this is a JPEG', 'latin1');

async function failure(promise: Promise<unknown>): Promise<ModerationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModerationError);
  return error as ModerationError;
}

describe('RekognitionModerator', () => {
  it('sends a signed JSON 1.1 request with the image in base64 and returns the answer', async () => {
    const result = await moderator().detectModerationLabels(image, { minConfidence: 80 });
    expect(result).toEqual(SAMPLE);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(Buffer.from(call!.body.Image.Bytes, 'base64').equals(image)).toBe(true);
    expect(call!.body.MinConfidence).toBe(80);
    expect(call!.body.ProjectVersion).toBeUndefined();
    expect(call!.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAFAKEREKOGNITION\/\d{8}\/eu-west-1\/rekognition\/aws4_request, /,
    );
  });

  it('sends Rekognition’s default MinConfidence and filters what comes back below it', async () => {
    replies.push(() => ({
      status: 200,
      body: {
        ...SAMPLE,
        ModerationLabels: [
          { Confidence: 92, Name: 'Weapons', ParentName: 'Violence', TaxonomyLevel: 2 },
          { Confidence: 40, Name: 'Violence', ParentName: '', TaxonomyLevel: 1 },
        ],
      },
    }));
    const result = await moderator().detectModerationLabels(image);
    expect(calls[0]!.body.MinConfidence).toBe(50);
    expect(result.ModerationLabels.map((l) => l.Name)).toEqual(['Weapons']);
  });

  it('sends the adapter ARN and a session token, both signed', async () => {
    const projectVersion =
      'arn:aws:rekognition:eu-west-1:123456789012:project/mod/version/mod.1/1700000000000';
    await moderator({
      projectVersion,
      credentials: () => Promise.resolve({ ...KEY, sessionToken: 'session-token-value' }),
    }).detectModerationLabels(image);
    expect(calls[0]!.body.ProjectVersion).toBe(projectVersion);
    expect(calls[0]!.headers['x-amz-security-token']).toBe('session-token-value');
    expect(calls[0]!.headers.authorization).toContain('x-amz-security-token');
  });

  it('keeps Rekognition’s error code and message, and does not retry client errors', async () => {
    replies.push(() =>
      awsError('InvalidImageFormatException', 'Request has invalid image format.'),
    );
    const error = await failure(moderator().detectModerationLabels(image));
    expect(error.code).toBe('InvalidImageFormatException');
    expect(error.message).toBe('Request has invalid image format.');
    expect(error.retryable).toBe(false);
    expect(calls).toHaveLength(1);
  });

  it('reads the error type from x-amzn-errortype when the body has none', async () => {
    replies.push(() => ({
      status: 400,
      headers: {
        'x-amzn-errortype':
          'InvalidParameterException:http://internal.amazon.com/coral/com.amazonaws.rekognition/',
      },
      body: { message: 'Request has invalid parameters' },
    }));
    const error = await failure(moderator().detectModerationLabels(image));
    expect(error.code).toBe('InvalidParameterException');
    expect(error.message).toBe('Request has invalid parameters');
  });

  it('retries throttling and server faults, then succeeds', async () => {
    replies.push(
      () => awsError('ThrottlingException', 'Slow down; sudden increase in rate of requests.'),
      () => awsError('InternalServerError', 'Internal server error', 500),
    );
    const result = await moderator().detectModerationLabels(image);
    expect(result).toEqual(SAMPLE);
    expect(calls).toHaveLength(3);
  });

  it('gives up after maxAttempts with the last error', async () => {
    for (let i = 0; i < 3; i++)
      replies.push(() =>
        awsError('ProvisionedThroughputExceededException', 'Provisioned Rate exceeded.'),
      );
    const error = await failure(moderator({ maxAttempts: 2 }).detectModerationLabels(image));
    expect(error.code).toBe('ThrottlingException');
    expect(error.retryable).toBe(true);
    expect(error.detail).toContain('ProvisionedThroughputExceededException');
    expect(calls).toHaveLength(2);
  });

  it('reports refused credentials without retrying', async () => {
    const error = await failure(
      moderator({ credentials: { ...KEY, secretAccessKey: 'wrong' } }).detectModerationLabels(
        image,
      ),
    );
    expect(error.code).toBe('InternalServerError');
    expect(error.detail).toContain('InvalidSignatureException');
    expect(calls).toHaveLength(0);
    const unknown = await failure(
      moderator({ credentials: { ...KEY, accessKeyId: 'AKIAUNKNOWN' } }).detectModerationLabels(
        image,
      ),
    );
    expect(unknown.detail).toContain('UnrecognizedClientException');
  });

  it('refuses images Rekognition would refuse without sending them', async () => {
    const big = await failure(
      moderator().detectModerationLabels(Buffer.alloc(MAX_REKOGNITION_BYTES + 1)),
    );
    expect(big.code).toBe('ImageTooLargeException');
    const empty = await failure(moderator().detectModerationLabels(Buffer.alloc(0)));
    expect(empty.code).toBe('InvalidParameterException');
    const confidence = await failure(
      moderator().detectModerationLabels(image, { minConfidence: 101 }),
    );
    expect(confidence.code).toBe('InvalidParameterException');
    expect(calls).toHaveLength(0);
  });

  it('times out a request that takes too long', async () => {
    replies.push(() => ({ status: 200, body: SAMPLE, delayMs: 500 }));
    const error = await failure(
      moderator({ timeoutMs: 100, maxAttempts: 1 }).detectModerationLabels(image),
    );
    expect(error.code).toBe('InternalServerError');
    expect(error.detail).toContain('did not answer within 100 ms');
  });

  it('refuses an answer it cannot read', async () => {
    replies.push(() => ({ status: 200, body: { ModerationLabels: [{ Confidence: 90 }] } }));
    const error = await failure(moderator().detectModerationLabels(image));
    expect(error.code).toBe('InternalServerError');
    expect(error.detail).toContain('ModerationLabels[0] without a Name');
  });

  it('finishes accepted requests on close, then refuses new ones', async () => {
    replies.push(() => ({ status: 200, body: SAMPLE, delayMs: 150 }));
    const backend = moderator();
    const pending = backend.detectModerationLabels(image);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await backend.close();
    await expect(pending).resolves.toEqual(SAMPLE);
    const closed = await failure(backend.detectModerationLabels(image));
    expect(closed.detail).toBe('The moderator is closed.');
  });

  it('reads credentials from the standard environment variables', () => {
    expect(credentialsFromEnv({})).toBeUndefined();
    expect(
      credentialsFromEnv({
        AWS_ACCESS_KEY_ID: 'a',
        AWS_SECRET_ACCESS_KEY: 'b',
        AWS_SESSION_TOKEN: 'c',
      }),
    ).toEqual({ accessKeyId: 'a', secretAccessKey: 'b', sessionToken: 'c' });
  });
});
