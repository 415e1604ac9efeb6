import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModerationResult } from '../../moderation/index.js';
import { RekognitionError, RekognitionModerator } from './rekognition.js';
import {
  startRekognitionServer,
  type RekognitionAnswer,
  type RekognitionServer,
} from './rekognition-server.test-helper.js';

const KEYS = { accessKeyId: 'AKIAVIGILTEST', secretAccessKey: 'secret-key-for-tests-0123456789' };
const FLAGGED: ModerationResult = {
  ModerationLabels: [
    { Confidence: 98.25, Name: 'Explicit', ParentName: '', TaxonomyLevel: 1 },
    { Confidence: 98.25, Name: 'Explicit Nudity', ParentName: 'Explicit', TaxonomyLevel: 2 },
  ],
  ModerationModelVersion: '7.0',
  ContentTypes: [{ Confidence: 91, Name: 'Illustrated' }],
};

function answer({ image }: { image: Buffer }): RekognitionAnswer {
  const text = image.toString();
  if (text === 'flagged') return FLAGGED;
  if (text === 'corrupt')
    return {
      error: {
        status: 400,
        type: 'InvalidImageFormatException',
        message: 'Request has invalid image format.',
      },
    };
  if (text === 'busy')
    return {
      error: {
        status: 400,
        type: 'ThrottlingException',
        message: 'Slow down; sudden increase in rate of requests.',
      },
    };
  if (text === 'broken')
    return {
      error: { status: 500, type: 'InternalServerError', message: 'Internal server error' },
    };
  return { ModerationLabels: [], ModerationModelVersion: '7.0', ContentTypes: [] };
}

let server: RekognitionServer;
let moderator: RekognitionModerator;

beforeAll(async () => {
  server = await startRekognitionServer({ ...KEYS, answer });
  moderator = new RekognitionModerator({
    endpoint: server.url,
    region: 'eu-west-1',
    credentials: KEYS,
  });
});
afterAll(async () => {
  await server.close();
});

describe('RekognitionModerator', () => {
  it('sends a signed DetectModerationLabels request with the bytes and MinConfidence', async () => {
    const bytes = Buffer.from('flagged');
    expect(await moderator.detectModerationLabels(bytes, { minConfidence: 80 })).toEqual(FLAGGED);
    expect(server.requests.at(-1)).toEqual({
      image: bytes,
      minConfidence: 80,
      accessKeyId: KEYS.accessKeyId,
      region: 'eu-west-1',
    });
  });

  it('leaves MinConfidence out when not given (the service default applies)', async () => {
    const result = await moderator.detectModerationLabels(Buffer.from('kitten'));
    expect(result.ModerationLabels).toEqual([]);
    expect(server.requests.at(-1)?.minConfidence).toBeUndefined();
  });

  it('signs binary images of a realistic size', async () => {
    const image = Buffer.alloc(3 * 1024 * 1024, 0xd8);
    await moderator.detectModerationLabels(image, { minConfidence: 50 });
    expect(server.requests.at(-1)?.image.equals(image)).toBe(true);
  });

  it.each<[string, string, number, boolean]>([
    ['corrupt', 'InvalidImageFormatException', 400, false],
    ['busy', 'ThrottlingException', 400, true],
    ['broken', 'InternalServerError', 500, true],
  ])('turns a %s answer into a coded error', async (image, code, status, retryable) => {
    const error = await moderator
      .detectModerationLabels(Buffer.from(image))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RekognitionError);
    expect(error).toMatchObject({ code, status, retryable });
  });

  it('is refused with wrong credentials', async () => {
    const impostor = new RekognitionModerator({
      endpoint: server.url,
      region: 'eu-west-1',
      credentials: { ...KEYS, secretAccessKey: 'not-the-secret-0123456789' },
    });
    await expect(impostor.detectModerationLabels(Buffer.from('flagged'))).rejects.toMatchObject({
      code: 'InvalidSignatureException',
      status: 403,
    });
  });

  it('fails with a codeless error (transient to the pipeline) when nothing listens', async () => {
    const nowhere = new RekognitionModerator({
      endpoint: 'http://127.0.0.1:1',
      region: 'eu-west-1',
      credentials: KEYS,
    });
    const error = await nowhere.detectModerationLabels(Buffer.from('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ message: 'fetch failed' });
    expect((error as { code?: unknown }).code).toBeUndefined();
  });
});
