/**
 * The behaviour every `Moderator` backend shares, stated through the port alone: each backend
 * runs this suite (see moderator-contract.test.ts), as Hono's routers run `common.case.test.ts`.
 * What a backend does beyond it (retries, worker pools, label mapping) is tested beside it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModerationError, type ModerationResult, type Moderator } from './types.js';

export interface ModeratorContractSubject {
  moderator: Moderator;
  /** An image the backend flags: at least one label at MinConfidence 80. */
  flagged: Buffer;
  /** An image in which the backend finds nothing at MinConfidence 80. */
  clean: Buffer;
  /**
   * For backends that call a service: how many requests have reached it so far, so the
   * suite can check that what the port refuses itself costs no round trip.
   */
  upstreamRequests?: () => number;
  /** Frees what setup made besides the moderator (fake servers); the suite closes the moderator. */
  close?: () => Promise<void>;
}

/** Rekognition's limit for an image in S3, the largest any backend takes: 15 MiB. */
export const CONTRACT_MAX_IMAGE_BYTES = 15 * 1024 * 1024;

const TAXONOMY_LEVELS = [1, 2, 3];
const CONTENT_TYPE_NAMES = ['Animated', 'Illustrated'];

/** Checks one answer against the shape `DetectModerationLabels` documents. */
export function expectModerationResultShape(result: ModerationResult): void {
  expect(Object.keys(result).sort()).toEqual([
    'ContentTypes',
    'ModerationLabels',
    'ModerationModelVersion',
  ]);
  expect(typeof result.ModerationModelVersion).toBe('string');
  expect(result.ModerationModelVersion).not.toBe('');
  expect(Array.isArray(result.ModerationLabels)).toBe(true);
  const byName = new Map(result.ModerationLabels.map((l) => [l.Name, l]));
  expect(byName.size, 'each label appears once').toBe(result.ModerationLabels.length);
  for (const label of result.ModerationLabels) {
    const what = JSON.stringify(label);
    expect(Object.keys(label).sort(), what).toEqual([
      'Confidence',
      'Name',
      'ParentName',
      'TaxonomyLevel',
    ]);
    expect(typeof label.Name, what).toBe('string');
    expect(label.Name, what).not.toBe('');
    expectPercentage(label.Confidence, what);
    expect(TAXONOMY_LEVELS, what).toContain(label.TaxonomyLevel);
    expect(typeof label.ParentName, what).toBe('string');
    expect(label.ParentName === '', `${what}: ParentName is '' exactly at level 1`).toBe(
      label.TaxonomyLevel === 1,
    );
    if (label.TaxonomyLevel > 1) {
      // The ancestor chain comes as separate entries; a parent never scores below its child,
      // or some MinConfidence would return the child without it.
      const parent = byName.get(label.ParentName);
      expect(parent, `${what}: its parent is returned too`).toBeDefined();
      expect(parent?.TaxonomyLevel, `${what}: parent's level`).toBe(label.TaxonomyLevel - 1);
      expect(parent?.Confidence, `${what}: parent's confidence`).toBeGreaterThanOrEqual(
        label.Confidence,
      );
    }
  }
  expect(Array.isArray(result.ContentTypes)).toBe(true);
  for (const type of result.ContentTypes) {
    const what = JSON.stringify(type);
    expect(Object.keys(type).sort(), what).toEqual(['Confidence', 'Name']);
    expect(CONTENT_TYPE_NAMES, what).toContain(type.Name);
    expectPercentage(type.Confidence, what);
  }
}

function expectPercentage(value: number, what: string): void {
  expect(typeof value, what).toBe('number');
  expect(value, what).toBeGreaterThanOrEqual(0);
  expect(value, what).toBeLessThanOrEqual(100);
}

/** The `ModerationError` a promise rejects with (fails the test if it resolves). */
export async function moderationFailure(promise: Promise<unknown>): Promise<ModerationError> {
  const outcome = await promise.then(
    (value) => ({ resolved: value }),
    (error: unknown) => ({ rejected: error }),
  );
  if ('resolved' in outcome)
    expect.fail(`expected a ModerationError, got an answer: ${JSON.stringify(outcome.resolved)}`);
  expect(outcome.rejected).toBeInstanceOf(ModerationError);
  return outcome.rejected as ModerationError;
}

/**
 * Declares the `Moderator` contract suite for one backend. `setup` runs once (a local model
 * takes seconds to load); the closing cases run last and close the moderator.
 *
 * @example
 * describeModeratorContract('local', async () => ({
 *   moderator: await createLocalModerator({ workers: 1 }),
 *   flagged: await readFile('test/fixtures/images/flagged-porn.jpg'),
 *   clean: await readFile('test/fixtures/images/clean-landscape.png'),
 * }));
 */
export function describeModeratorContract(
  name: string,
  setup: () => Promise<ModeratorContractSubject>,
): void {
  describe(`Moderator contract: ${name}`, () => {
    let subject: ModeratorContractSubject;
    const detect = (image: Buffer, minConfidence?: number) =>
      subject.moderator.detectModerationLabels(
        image,
        minConfidence === undefined ? undefined : { minConfidence },
      );
    const sent = () => subject.upstreamRequests?.() ?? 0;
    /** The failure of a request the backend must refuse itself, without calling out. */
    const refusedLocally = async (request: () => Promise<unknown>) => {
      const before = sent();
      const error = await moderationFailure(request());
      expect(sent(), 'requests sent upstream').toBe(before);
      return error;
    };

    beforeAll(async () => {
      subject = await setup();
    });
    afterAll(async () => {
      await subject?.moderator.close();
      await subject?.close?.();
    });

    describe('the answer', () => {
      it.each([0, undefined, 80])(
        'has DetectModerationLabels’ shape, each label with its ancestors (MinConfidence %s)',
        async (minConfidence) => {
          expectModerationResultShape(await detect(subject.flagged, minConfidence));
          expectModerationResultShape(await detect(subject.clean, minConfidence));
        },
      );

      it('flags the flagged image at MinConfidence 80', async () => {
        const result = await detect(subject.flagged, 80);
        expect(result.ModerationLabels.length).toBeGreaterThan(0);
      });

      it('finds nothing in the clean image at MinConfidence 80', async () => {
        const result = await detect(subject.clean, 80);
        expect(result.ModerationLabels).toEqual([]);
      });
    });

    describe('MinConfidence', () => {
      const levels = [0, 25, 50, 80, 99.5, 100];

      it('returns only labels at or above it, and raising it only removes labels', async () => {
        for (const image of [subject.flagged, subject.clean]) {
          const results: ModerationResult[] = [];
          for (const min of levels) results.push(await detect(image, min));
          results.forEach((result, i) => {
            const min = levels[i]!;
            for (const label of result.ModerationLabels) {
              expect(label.Confidence, `${label.Name} at ${min}`).toBeGreaterThanOrEqual(min);
              if (i > 0)
                expect(results[i - 1]!.ModerationLabels, `${label.Name} at ${min}`).toContainEqual(
                  label,
                );
            }
          });
        }
      });

      it('defaults to 50, as Rekognition does', async () => {
        for (const image of [subject.flagged, subject.clean]) {
          const at50 = await detect(image, 50);
          expect(await subject.moderator.detectModerationLabels(image)).toEqual(at50);
          expect(await subject.moderator.detectModerationLabels(image, {})).toEqual(at50);
        }
      });

      it.each([-1, -0.001, 100.001, 101, Number.NaN, Number.POSITIVE_INFINITY])(
        'refuses %s with InvalidParameterException',
        async (min) => {
          const error = await refusedLocally(() => detect(subject.flagged, min));
          expect(error).toMatchObject({ code: 'InvalidParameterException', status: 400 });
        },
      );
    });

    describe('images it cannot take', () => {
      it('refuses bytes that are not an image with InvalidImageFormatException', async () => {
        const error = await moderationFailure(detect(Buffer.from('not an image')));
        expect(error).toMatchObject({
          code: 'InvalidImageFormatException',
          status: 400,
          retryable: false,
        });
      });

      it('refuses an empty image with InvalidParameterException, before sending it', async () => {
        // Image.Bytes has a minimum length of 1 in Rekognition's model; a zero-byte object
        // must never reach a classifier that might call it clean.
        const error = await refusedLocally(() => detect(Buffer.alloc(0)));
        expect(error).toMatchObject({ code: 'InvalidParameterException', retryable: false });
      });

      it('refuses an image over 15 MiB with ImageTooLargeException, before sending it', async () => {
        const error = await refusedLocally(() =>
          detect(Buffer.alloc(CONTRACT_MAX_IMAGE_BYTES + 1)),
        );
        expect(error).toMatchObject({
          code: 'ImageTooLargeException',
          status: 400,
          retryable: false,
        });
      });
    });

    describe('concurrency', () => {
      it('answers 8 parallel requests each for its own image', async () => {
        const expected = {
          flagged: await detect(subject.flagged),
          clean: await detect(subject.clean),
        };
        const kinds = [
          'clean',
          'flagged',
          'clean',
          'clean',
          'flagged',
          'flagged',
          'clean',
          'flagged',
        ] as const;
        const results = await Promise.all(kinds.map((kind) => detect(subject[kind])));
        results.forEach((result, i) => expect(result, `request ${i}`).toEqual(expected[kinds[i]!]));
      });

      it('reads only the bytes of the view it is given, as in a pooled Buffer', async () => {
        const { flagged } = subject;
        const backing = Buffer.alloc(flagged.length + 64, 0xab);
        flagged.copy(backing, 32);
        const view = backing.subarray(32, 32 + flagged.length);
        expect(await detect(view)).toEqual(await detect(flagged));
      });
    });

    describe('close', () => {
      it('finishes a request accepted before close, then refuses new ones', async () => {
        const { moderator, flagged } = subject;
        const expected = await detect(flagged);
        const accepted = moderator.detectModerationLabels(flagged);
        const closed = moderator.close();
        await expect(accepted).resolves.toEqual(expected);
        await expect(closed).resolves.toBeUndefined();
        const after = await refusedLocally(() => moderator.detectModerationLabels(flagged));
        expect(after.code).toBe('InternalServerError');
        await expect(moderator.close(), 'a second close').resolves.toBeUndefined();
      });
    });
  });
}
