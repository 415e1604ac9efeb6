/**
 * Image memory through the pipeline's core (ADR 14), on real images: the repository's
 * fixtures and copies of them made here with sharp. The scripted moderator flags exact
 * bytes only (`flag`), so a copy it was never told about is blocked by memory alone, and
 * its request log tells whether it was asked.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Decision, RecalledImage, ReviewAction } from '../reporting/index.js';
import { choosePrecedent } from './image-memory.js';
import { DEFAULT_SETTINGS, type PipelineSettings } from './settings.js';
import { BUCKET, EXPLICIT, MODEL, SWIMWEAR, T0, useTestbed } from './testbed.test-helper.js';

const bed = useTestbed();

const fixture = (name: string) =>
  readFile(new URL(`../../test/fixtures/images/${name}`, import.meta.url));

let flagged: Buffer;
let copies: Record<string, Buffer>;

beforeAll(async () => {
  flagged = await fixture('flagged-porn.jpg');
  const { width, height } = await sharp(flagged).metadata();
  const [dx, dy] = [Math.round(width * 0.02), Math.round(height * 0.02)];
  copies = {
    'resized to 50%': await sharp(flagged)
      .resize(Math.round(width / 2))
      .jpeg()
      .toBuffer(),
    'recompressed at JPEG quality 40': await sharp(flagged).jpeg({ quality: 40 }).toBuffer(),
    'cropped by 2% on each side': await sharp(flagged)
      .extract({ left: dx, top: dy, width: width - 2 * dx, height: height - 2 * dy })
      .jpeg({ quality: 90 })
      .toBuffer(),
    'converted to PNG': await sharp(flagged).png().toBuffer(),
  };
});

/** Uploads the flagged fixture as the moderator's block, at `key`. */
async function blockedOriginal(key = 'content/original.jpg') {
  bed.flag(flagged);
  const upload = await bed.upload(key, flagged);
  expect(upload.outcome.decision).toBe('blocked');
  return { ...upload, key };
}

async function decide(write: { key: string; writeId: string }, action: ReviewAction) {
  const item = await bed.reports.findReviewItem({ bucket: BUCKET, ...write });
  const decided = await bed.reports.decideReview({
    id: item!.id,
    reviewer: 'ann',
    action,
    note: null,
    at: T0 + 60_000,
    tagsBefore: null,
    tagsAfter: null,
  });
  expect(decided.decided).toBe(true);
}

const recordOf = (key: string, writeId: string) =>
  bed.reports.findRecord({ bucket: BUCKET, key, writeId });

const withMemory = (memory: Partial<PipelineSettings['memory']>): PipelineSettings => ({
  ...DEFAULT_SETTINGS,
  memory: { ...DEFAULT_SETTINGS.memory, ...memory },
});

describe('a copy of an image the moderator blocked', () => {
  it.each([
    'resized to 50%',
    'recompressed at JPEG quality 40',
    'cropped by 2% on each side',
    'converted to PNG',
  ])('is blocked at once when %s, without the moderator, and reviewed', async (name) => {
    const original = await blockedOriginal();
    const { writeId, outcome } = await bed.upload('content/copy.jpg', copies[name]!);

    expect(bed.moderator.requests).toHaveLength(1);
    expect(outcome).toMatchObject({ decision: 'blocked', reviewMessageSent: true });
    expect(outcome).toHaveProperty(
      'reason',
      expect.stringMatching(
        new RegExp(
          `^remembered: looks like s3://uploads/content/original\\.jpg \\(write ${original.writeId}, \\d+ of 64 bits apart\\), blocked by the moderator$`,
        ),
      ),
    );
    expect(bed.objects.tagsOf(BUCKET, 'content/copy.jpg')).toEqual([
      { Key: 'BlockedContent', Value: 'true' },
    ]);
    const record = await recordOf('content/copy.jpg', writeId);
    expect(record).toMatchObject({
      decision: 'blocked',
      labels: EXPLICIT,
      modelVersion: `memory:${MODEL}`,
    });
    expect(bed.reviewQueue.messages.at(-1)).toMatchObject({
      key: 'content/copy.jpg',
      decision: 'blocked',
      modelVersion: `memory:${MODEL}`,
    });
    // Remembered with where its verdict came from, to be drawn on once a reviewer decides it.
    expect(await bed.reports.findRememberedImage(record!)).toMatchObject({
      precedent: { bucket: BUCKET, key: 'content/original.jpg', writeId: original.writeId },
    });
  });

  it('is the same bytes uploaded again to the same key: blocked by memory too', async () => {
    const original = await blockedOriginal('content/same.jpg');
    const again = await bed.upload('content/same.jpg', flagged);
    expect(again.writeId).not.toBe(original.writeId);
    expect(again.outcome).toMatchObject({ decision: 'blocked' });
    expect(again.outcome).toHaveProperty('reason', expect.stringContaining('0 of 64 bits apart'));
    expect(bed.moderator.requests).toHaveLength(1);
  });

  it('goes to the moderator when memory is off, or the copy is farther than maxDistance', async () => {
    await blockedOriginal();
    const off = await bed.upload('content/off.jpg', copies['resized to 50%']!, {
      settings: withMemory({ enabled: false }),
    });
    const strict = await bed.upload('content/strict.jpg', copies['cropped by 2% on each side']!, {
      settings: withMemory({ maxDistance: 0 }),
    });
    expect(bed.moderator.requests).toHaveLength(3);
    // The moderator was never told about these bytes: clean, as far as it can see.
    expect([off.outcome.decision, strict.outcome.decision]).toEqual(['clean', 'clean']);
  });
});

describe('a different picture', () => {
  it('is not taken for a remembered one: the moderator judges it', async () => {
    await blockedOriginal();
    for (const name of ['flagged-hentai.jpg', 'flagged-sexy.jpg', 'clean-shapes.jpg']) {
      const { outcome } = await bed.upload(`content/${name}`, await fixture(name));
      expect(outcome, name).toMatchObject({ decision: 'clean' });
    }
    expect(bed.moderator.requests).toHaveLength(4);
  });
});

describe('a copy of an image a reviewer ruled on', () => {
  it.each<[ReviewAction, string]>([
    ['keep-blocked', 'kept blocked by ann'],
    ['delete', 'deleted by ann'],
  ])(
    'after %s is blocked without the moderator and not sent to review again',
    async (action, who) => {
      const original = await blockedOriginal();
      await decide(original, action);
      const copy = await bed.upload('content/copy.jpg', copies['resized to 50%']!);
      expect(copy.outcome).toMatchObject({ decision: 'blocked', reviewMessageSent: false });
      expect(copy.outcome).toHaveProperty('reason', expect.stringMatching(new RegExp(`, ${who}$`)));
      expect(bed.moderator.requests).toHaveLength(1);
      const key = { bucket: BUCKET, key: 'content/copy.jpg', writeId: copy.writeId };
      expect(await bed.reports.findReviewItem(key)).toBeUndefined();
      // A ruling already covers it: nothing new to remember.
      expect(await bed.reports.findRememberedImage(key)).toBeUndefined();
      expect(bed.objects.tagsOf(BUCKET, 'content/copy.jpg')).toEqual([
        { Key: 'BlockedContent', Value: 'true' },
      ]);
    },
  );

  it('after approve is judged by the moderator and not sent back to review', async () => {
    const original = await blockedOriginal();
    await decide(original, 'approve');
    const again = await bed.upload('content/original.jpg', flagged);
    bed.flag(copies['resized to 50%']!);
    const resized = await bed.upload('content/resized.jpg', copies['resized to 50%']!);

    expect(bed.moderator.requests).toHaveLength(3);
    for (const { outcome } of [again, resized]) {
      expect(outcome).toMatchObject({ decision: 'clean', reviewMessageSent: false });
      expect(outcome).toHaveProperty(
        'reason',
        expect.stringMatching(
          /^approved before: looks like s3:\/\/uploads\/content\/original\.jpg \(write .+\), approved by ann; the moderator said Exposed Female Nipple 96\.1 ≥ 80: block/,
        ),
      );
    }
    expect(bed.reviewQueue.messages).toHaveLength(1);
    expect(bed.objects.tagsOf(BUCKET, 'content/resized.jpg')).toEqual([]);
    const record = await recordOf('content/resized.jpg', resized.writeId);
    // The moderator's own labels and model, and nothing remembered: memory never clears.
    expect(record).toMatchObject({ decision: 'clean', labels: EXPLICIT, modelVersion: MODEL });
    expect(await bed.reports.findRememberedImage(record!)).toBeUndefined();
  });

  it('after approve still goes to review when it shows a label the reviewer never saw', async () => {
    bed.flag(flagged, SWIMWEAR);
    const original = await bed.upload('content/original.jpg', flagged);
    await decide({ key: 'content/original.jpg', writeId: original.writeId }, 'approve');
    bed.flag(copies['converted to PNG']!, EXPLICIT);
    const copy = await bed.upload('content/copy.png', copies['converted to PNG']!);
    expect(copy.outcome).toMatchObject({ decision: 'blocked', reviewMessageSent: true });
    expect(copy.outcome).toHaveProperty(
      'reason',
      expect.stringMatching(
        /^Exposed Female Nipple 96\.1 ≥ 80: block \(default\); looks like s3:\/\/uploads\/content\/original\.jpg .*, approved by ann, which showed no Exposed Female Nipple$/,
      ),
    );
  });
});

describe('what is remembered', () => {
  it("the moderator's blocks, not clean images, nor anything with memory off", async () => {
    const clean = await bed.upload('content/clean.jpg', await fixture('clean-shapes.jpg'));
    const key = (k: string, writeId: string) => ({ bucket: BUCKET, key: k, writeId });
    expect(await bed.reports.findRememberedImage(key('content/clean.jpg', clean.writeId))).toBe(
      undefined,
    );
    bed.flag(flagged);
    const off = await bed.upload('content/off.jpg', flagged, {
      settings: withMemory({ enabled: false }),
    });
    expect(await bed.reports.findRememberedImage(key('content/off.jpg', off.writeId))).toBe(
      undefined,
    );
    const on = await bed.upload('content/on.jpg', flagged);
    expect(await bed.reports.findRememberedImage(key('content/on.jpg', on.writeId))).toEqual({
      hash: expect.stringMatching(/^[0-9a-f]{16}$/) as string,
      algorithm: bed.hasher.algorithm,
      precedent: null,
    });
  });

  it('nothing of what cannot be hashed: text, as the other tests upload, is judged as ever', async () => {
    const { writeId, outcome } = await bed.upload('content/x.jpg', 'explicit-1');
    expect(outcome.decision).toBe('blocked');
    expect(
      await bed.reports.findRememberedImage({ bucket: BUCKET, key: 'content/x.jpg', writeId }),
    ).toBeUndefined();
  });
});

describe('choosePrecedent', () => {
  const record = (key: string, review: ReviewAction | null, decision: Decision = 'blocked') => ({
    bucket: BUCKET,
    key,
    writeId: '01',
    etag: 'e',
    size: 1,
    contentType: 'image/jpeg',
    labels: [],
    decision,
    reason: 'r',
    modelVersion: MODEL,
    eventTime: 't',
    processingStart: T0,
    processingEnd: T0,
    attempt: 1,
    review: review && { action: review, by: 'ann', at: T0 },
  });
  const recalled = (
    key: string,
    distance: number,
    review: ReviewAction | null,
    decision: Decision = 'blocked',
  ): RecalledImage => ({
    record: record(key, review, decision),
    image: { hash: '0000000000000000', algorithm: 'a', precedent: null },
    distance,
  });

  it.each([
    [
      'the nearest, whatever it says',
      [recalled('blocked', 3, null), recalled('approved', 1, 'approve')],
      'approved',
    ],
    [
      "at equal distance a reviewer's word before the moderator's",
      [recalled('moderator', 2, null), recalled('approved', 2, 'approve')],
      'approved',
    ],
    [
      "at equal distance a reviewer's block before an approval",
      [recalled('approved', 2, 'approve'), recalled('kept', 2, 'keep-blocked')],
      'kept',
    ],
    [
      'the newest first among equals (as the store lists them)',
      [recalled('newer', 2, null), recalled('older', 2, null)],
      'newer',
    ],
  ])('is %s', (_name, candidates, expected) => {
    expect(choosePrecedent(candidates)?.record.key).toBe(expected);
  });

  it('is none when nothing near carries a verdict', () => {
    expect(choosePrecedent([])).toBeUndefined();
    expect(choosePrecedent([recalled('pending', 1, null, 'review')])).toBeUndefined();
    const drawnFromMemory = recalled('copy', 1, null);
    drawnFromMemory.image.precedent = { bucket: BUCKET, key: 'original', writeId: '01' };
    expect(choosePrecedent([drawnFromMemory])).toBeUndefined();
  });
});
