/**
 * The pipeline core with the real moderator: Vigil's local model (NSFWJS on TensorFlow.js)
 * judging a flagged fixture, an ordinary synthetic image and bytes that are no image.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalModerator, type LocalModerator } from '../moderation/index.js';
import { SqliteReportStore } from '../reporting/index.js';
import { FakeObjectStore, FakeReviewQueue, s3Record } from './fakes.test-helper.js';
import { moderateRecord } from './moderate-image.js';
import type { PipelinePorts } from './ports.js';

const FLAGGED = new URL('../../test/fixtures/images/flagged-porn.jpg', import.meta.url);

let dir: string;
let moderator: LocalModerator;
let reports: SqliteReportStore;
let objects: FakeObjectStore;
let reviewQueue: FakeReviewQueue;
let ports: PipelinePorts;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-pipeline-model-'));
  moderator = await createLocalModerator({ workers: 1 });
  reports = SqliteReportStore.open(join(dir, 'reports.db'), { synchronous: 'normal' });
  objects = new FakeObjectStore();
  reviewQueue = new FakeReviewQueue();
  ports = { objects, moderator, reviewQueue, reports, clock: { now: () => Date.now() } };
});
afterAll(async () => {
  await moderator?.close();
  await reports?.close();
  await rm(dir, { recursive: true, force: true });
});

async function moderate(key: string, bytes: Buffer) {
  const etag = objects.put('uploads', key, bytes);
  return moderateRecord(s3Record('uploads', key, etag), ports);
}

/** An ordinary picture: a smooth colour gradient. */
function gradient(): Promise<Buffer> {
  const [width, height] = [256, 256];
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) raw.set([x, y, 128], (y * width + x) * 3);
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

describe('moderate-image with the local model', () => {
  it('blocks the flagged fixture', async () => {
    const outcome = await moderate('flagged.jpg', await readFile(FLAGGED));
    expect(outcome.decision).toBe('blocked');
    expect(outcome).toMatchObject({
      labels: expect.arrayContaining([
        expect.objectContaining({ Name: 'Explicit Nudity' }),
      ]) as unknown,
    });
    expect(objects.tagsOf('uploads', 'flagged.jpg')).toEqual([
      { Key: 'BlockedContent', Value: 'true' },
    ]);
    expect(reviewQueue.messages.at(-1)).toMatchObject({
      key: 'flagged.jpg',
      decision: 'blocked',
      modelVersion: expect.stringMatching(/^vigil-/) as unknown,
    });
  });

  it('leaves an ordinary image clean', async () => {
    const outcome = await moderate('gradient.jpg', await gradient());
    expect(outcome).toMatchObject({ decision: 'clean', labels: [] });
    expect(objects.tagsOf('uploads', 'gradient.jpg')).toEqual([]);
  });

  it('fails closed on bytes that are no image', async () => {
    const outcome = await moderate('corrupt.jpg', Buffer.from('this is not a JPEG at all'));
    expect(outcome.decision).toBe('failed');
    expect(outcome.reason).toMatch(/^InvalidImageFormatException: /);
    expect(objects.tagsOf('uploads', 'corrupt.jpg')).toEqual([
      { Key: 'ScanStatus', Value: 'failed' },
    ]);
    expect(reviewQueue.messages.at(-1)).toMatchObject({ key: 'corrupt.jpg', decision: 'failed' });
  });
});
