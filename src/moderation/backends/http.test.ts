import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModerationError } from '../types.js';
import {
  startFakeClassifier,
  type ClassifierReply,
  type ClassifierRequest,
  type FakeClassifier,
} from './fake-classifier.test-helper.js';
import { createHttpModerator, type HttpModeratorOptions } from './http.js';

let fake: FakeClassifier;
let url: string;
let received: ClassifierRequest[];
/** What the classifier answers to every request. */
let reply: ClassifierReply;

beforeAll(async () => {
  fake = await startFakeClassifier(() => reply);
  url = fake.url;
  received = fake.received;
});

afterAll(() => fake.close());

beforeEach(() => {
  received.length = 0;
  reply = { body: { labels: [] } };
});

const image = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const moderator = (options: Partial<HttpModeratorOptions> = {}) =>
  createHttpModerator({ url, ...options });

async function failure(promise: Promise<unknown>): Promise<ModerationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModerationError);
  return error as ModerationError;
}

describe('HttpModerator', () => {
  it('POSTs the image bytes with the configured headers', async () => {
    await moderator({ headers: { authorization: 'Bearer t0ken' } }).detectModerationLabels(image, {
      minConfidence: 70,
    });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/v1/classify');
    expect(request!.body.equals(image)).toBe(true);
    expect(request!.headers['content-type']).toBe('application/octet-stream');
    expect(request!.headers['authorization']).toBe('Bearer t0ken');
    expect(request!.headers['x-vigil-min-confidence']).toBe('70');
  });

  it('maps simple labels onto the v7 taxonomy with their ancestors', async () => {
    reply = {
      body: {
        labels: [
          { name: 'Smoking', confidence: 91.5 },
          { name: 'Weapons', confidence: 64 },
          { name: 'Violence', confidence: 70 },
          { name: 'Explicit Nudity', confidence: 12 },
        ],
        modelVersion: 'my-model-3',
        contentTypes: [
          { name: 'Illustrated', confidence: 88 },
          { name: 'Photographic', confidence: 50 },
        ],
      },
    };
    const result = await moderator().detectModerationLabels(image);
    expect(result).toEqual({
      ModerationLabels: [
        {
          Confidence: 91.5,
          Name: 'Smoking',
          ParentName: 'Drugs & Tobacco Paraphernalia & Use',
          TaxonomyLevel: 3,
        },
        {
          Confidence: 91.5,
          Name: 'Drugs & Tobacco Paraphernalia & Use',
          ParentName: 'Drugs & Tobacco',
          TaxonomyLevel: 2,
        },
        { Confidence: 91.5, Name: 'Drugs & Tobacco', ParentName: '', TaxonomyLevel: 1 },
        { Confidence: 70, Name: 'Violence', ParentName: '', TaxonomyLevel: 1 },
        { Confidence: 64, Name: 'Weapons', ParentName: 'Violence', TaxonomyLevel: 2 },
      ],
      ModerationModelVersion: 'my-model-3',
      ContentTypes: [{ Confidence: 88, Name: 'Illustrated' }],
    });
  });

  it('applies MinConfidence and labelMap (null ignores a label)', async () => {
    reply = {
      body: {
        labels: [
          { name: 'nsfw', confidence: 97 },
          { name: 'gore', confidence: 60 },
          { name: 'safe', confidence: 99 },
        ],
      },
    };
    const result = await moderator({
      labelMap: { nsfw: 'Explicit Nudity', gore: 'Blood & Gore', safe: null },
      modelVersion: 'nsfw-detector-2',
    }).detectModerationLabels(image, { minConfidence: 80 });
    expect(result.ModerationLabels.map((l) => [l.Name, l.Confidence])).toEqual([
      ['Explicit Nudity', 97],
      ['Explicit', 97],
    ]);
    expect(result.ModerationModelVersion).toBe('nsfw-detector-2');
  });

  it('refuses a label it cannot place in the taxonomy instead of dropping it', async () => {
    reply = { body: { labels: [{ name: 'nsfw', confidence: 97 }] } };
    const error = await failure(moderator().detectModerationLabels(image));
    expect(error.code).toBe('InternalServerError');
    expect(error.detail).toContain('"nsfw"');
    expect(error.detail).toContain('labelMap');
  });

  it('passes a Rekognition-shaped answer through, filtered by MinConfidence', async () => {
    reply = {
      body: {
        ModerationLabels: [
          { Confidence: 95, Name: 'Custom Thing', ParentName: 'Custom', TaxonomyLevel: 2 },
          { Confidence: 95, Name: 'Custom', ParentName: '', TaxonomyLevel: 1 },
          { Confidence: 30, Name: 'Alcohol' },
        ],
        ModerationModelVersion: '7.0',
        ContentTypes: [{ Confidence: 99, Name: 'Animated' }],
      },
    };
    const result = await moderator().detectModerationLabels(image);
    expect(result).toEqual({
      ModerationLabels: [
        { Confidence: 95, Name: 'Custom Thing', ParentName: 'Custom', TaxonomyLevel: 2 },
        { Confidence: 95, Name: 'Custom', ParentName: '', TaxonomyLevel: 1 },
      ],
      ModerationModelVersion: '7.0',
      ContentTypes: [{ Confidence: 99, Name: 'Animated' }],
    });
    const low = await moderator().detectModerationLabels(image, { minConfidence: 10 });
    expect(low.ModerationLabels[2]).toEqual({
      Confidence: 30,
      Name: 'Alcohol',
      ParentName: '',
      TaxonomyLevel: 1,
    });
  });

  it.each([
    ['not JSON', 'not json at all', 'not JSON'],
    ['neither shape', { result: 'ok' }, 'without "labels"'],
    [
      'a confidence out of range',
      { labels: [{ name: 'Weapons', confidence: 0.97e3 }] },
      'from 0 to 100',
    ],
    ['a label without a name', { labels: [{ confidence: 50 }] }, 'labels[0] without a name'],
    ['labels that are not a list', { labels: 'Weapons' }, 'not a list'],
  ])('refuses an answer with %s', async (_what, body, detail) => {
    reply = { body };
    const error = await failure(moderator().detectModerationLabels(image));
    expect(error.code).toBe('InternalServerError');
    expect(error.detail).toContain(detail);
  });

  it.each([
    [413, {}, 'ImageTooLargeException'],
    [415, {}, 'InvalidImageFormatException'],
    [422, 'cannot decode', 'InvalidImageFormatException'],
    [429, {}, 'ThrottlingException'],
    [503, {}, 'ThrottlingException'],
    [500, { error: 'boom' }, 'InternalServerError'],
    [
      400,
      { __type: 'InvalidImageFormatException', message: 'bad jpeg' },
      'InvalidImageFormatException',
    ],
    [400, { code: 'ImageTooLargeException' }, 'ImageTooLargeException'],
    [404, {}, 'InternalServerError'],
  ])('maps status %i %j to %s', async (status, body, code) => {
    reply = { status, body };
    const error = await failure(moderator().detectModerationLabels(image));
    expect(error.code).toBe(code);
    expect(error.detail).toContain(`answered ${status}`);
  });

  it('refuses images over its limit without sending them', async () => {
    const error = await failure(moderator({ maxImageBytes: 5 }).detectModerationLabels(image));
    expect(error.code).toBe('ImageTooLargeException');
    expect(received).toHaveLength(0);
  });

  it('times out, and reports an unreachable classifier', async () => {
    reply = { body: { labels: [] }, delayMs: 500 };
    const slow = await failure(moderator({ timeoutMs: 100 }).detectModerationLabels(image));
    expect(slow.detail).toContain('did not answer within 100 ms');
    const closedPort = createServer();
    await new Promise<void>((resolve) => closedPort.listen(0, '127.0.0.1', resolve));
    const port = (closedPort.address() as AddressInfo).port;
    await new Promise((resolve) => closedPort.close(resolve));
    const gone = await failure(
      createHttpModerator({ url: `http://127.0.0.1:${port}/` }).detectModerationLabels(image),
    );
    expect(gone.code).toBe('InternalServerError');
    expect(gone.detail).toContain('could not be reached');
  });

  it('refuses a url that is not http(s)', () => {
    expect(() => createHttpModerator({ url: 'file:///etc/passwd' })).toThrow(RangeError);
  });
});
