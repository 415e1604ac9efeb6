/**
 * The local backend with the real model: real workers, real WASM inference, the generated
 * fixtures of test/fixtures/images (see its README for how they were made and scored).
 */
import { readFile } from 'node:fs/promises';
import { crc32, deflateSync } from 'node:zlib';
import type { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLocalModerator, type LocalModerator, type ModerationResult } from './index.js';
import { DEFAULT_DECODE_LIMITS, decodeForModel } from './local/decode.js';

/** What the flagged fixtures must keep scoring on their class (they scored ≥ 98 when made). */
const FLAGGED_MIN = 90;
const EXPLICIT = 'Explicit';
const NON_EXPLICIT = 'Non-Explicit Nudity of Intimate parts and Kissing';

const fixture = (name: string) =>
  readFile(new URL(`../../test/fixtures/images/${name}`, import.meta.url));
const confidence = (result: ModerationResult, name: string) =>
  result.ModerationLabels.find((l) => l.Name === name)?.Confidence ?? 0;

/** A PNG that is only a header: it declares its size but holds no pixels worth decoding. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(0))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

let moderator: LocalModerator;
beforeAll(async () => {
  moderator = await createLocalModerator({ workers: 2 });
});
afterAll(() => moderator?.close());

describe('real inference on the fixtures', () => {
  it.each([
    ['flagged-porn.jpg', EXPLICIT, 'Explicit Nudity'],
    ['flagged-hentai.jpg', EXPLICIT, 'Explicit Nudity'],
    ['flagged-sexy.jpg', NON_EXPLICIT, 'Non-Explicit Nudity'],
  ])('%s is labelled %s › %s', async (file, top, child) => {
    const result = await moderator.detectModerationLabels(await fixture(file));
    expect(result.ModerationModelVersion).toMatch(
      /^vigil-nsfwjs-mobilenetv2-\d+\.\d+\.\d+\+imagenet-mobilenetv2-12-int8$/,
    );
    expect(result.ModerationLabels).toEqual([
      { Name: child, ParentName: top, TaxonomyLevel: 2, Confidence: expect.any(Number) as number },
      { Name: top, ParentName: '', TaxonomyLevel: 1, Confidence: expect.any(Number) as number },
    ]);
    expect(confidence(result, child)).toBeGreaterThanOrEqual(FLAGGED_MIN);
  });

  it('marks the drawn explicit fixture Illustrated, the photo-like one not', async () => {
    const hentai = await moderator.detectModerationLabels(await fixture('flagged-hentai.jpg'));
    expect(hentai.ContentTypes).toEqual([
      { Name: 'Illustrated', Confidence: expect.any(Number) as number },
    ]);
    expect(hentai.ContentTypes[0]!.Confidence).toBeGreaterThanOrEqual(FLAGGED_MIN);
    const porn = await moderator.detectModerationLabels(await fixture('flagged-porn.jpg'));
    expect(porn.ContentTypes).toEqual([]);
  });

  it.each(['clean-shapes.jpg', 'clean-cartoon.png', 'clean-landscape.png', 'bench-clean-1mp.jpg'])(
    '%s has no label at MinConfidence 50',
    async (file) => {
      const result = await moderator.detectModerationLabels(await fixture(file));
      expect(result.ModerationLabels).toEqual([]);
    },
  );

  it('reads the landscape drawing as Illustrated without labelling it', async () => {
    const result = await moderator.detectModerationLabels(await fixture('clean-landscape.png'));
    expect(result.ContentTypes.map((t) => t.Name)).toEqual(['Illustrated']);
  });

  it('flags the 1 MP benchmark image through its downscale', async () => {
    const result = await moderator.detectModerationLabels(await fixture('bench-flagged-1mp.jpg'));
    expect(confidence(result, EXPLICIT)).toBeGreaterThanOrEqual(FLAGGED_MIN);
  });

  it('classifies the frames decodedFrames made for the same Buffer, once, with the same answer', async () => {
    const image = await fixture('bench-flagged-1mp.jpg');
    const direct = await moderator.detectModerationLabels(Buffer.from(image));
    const early = moderator.decodedFrames(image);
    expect(moderator.decodedFrames(image)).toBe(early); // one decode however often asked
    const { pixels } = await early;
    expect(pixels.byteLength).toBeGreaterThan(0);
    const shared = await moderator.detectModerationLabels(image, { minConfidence: 50 });
    expect(pixels.byteLength).toBe(0); // handed to a worker: this decode was the one classified
    expect(shared.ModerationLabels).toEqual(
      direct.ModerationLabels.filter((label) => label.Confidence >= 50),
    );
    expect(moderator.decodedFrames(image)).not.toBe(early); // used once, then forgotten
  });
});

describe('MinConfidence', () => {
  it('returns low-confidence labels at 0 and filters at the label’s own confidence', async () => {
    const image = await fixture('flagged-sexy.jpg');
    const all = await moderator.detectModerationLabels(image, { minConfidence: 0 });
    // At 0 every label either model can give comes back, strongest first.
    expect(all.ModerationLabels.slice(0, 2).map((l) => l.Name)).toEqual([
      'Non-Explicit Nudity',
      NON_EXPLICIT,
    ]);
    expect(all.ModerationLabels.map((l) => l.Name)).toEqual(
      expect.arrayContaining(['Explicit Nudity', EXPLICIT, 'Weapons', 'Violence', 'Gambling']),
    );
    const sexy = confidence(all, NON_EXPLICIT);
    const at = await moderator.detectModerationLabels(image, { minConfidence: sexy });
    expect(at.ModerationLabels).toHaveLength(2);
    const above = await moderator.detectModerationLabels(image, {
      minConfidence: Math.min(100, sexy + 0.001),
    });
    expect(above.ModerationLabels).toEqual([]);
  });

  it.each([-1, 101, Number.NaN])('refuses %s with InvalidParameterException', async (min) => {
    await expect(
      moderator.detectModerationLabels(await fixture('clean-shapes.jpg'), { minConfidence: min }),
    ).rejects.toMatchObject({ code: 'InvalidParameterException', status: 400 });
  });
});

describe('formats, orientation and animation', () => {
  it('accepts lossless WebP and AVIF of a flagged image and still flags them', async () => {
    const { data, info } = await sharp(await fixture('flagged-porn.jpg'))
      .raw()
      .toBuffer({ resolveWithObject: true });
    const still = sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } });
    for (const bytes of [
      await still.clone().webp({ lossless: true }).toBuffer(),
      await still.clone().avif({ lossless: true }).toBuffer(),
    ]) {
      const result = await moderator.detectModerationLabels(bytes);
      expect(confidence(result, EXPLICIT)).toBeGreaterThanOrEqual(FLAGGED_MIN);
    }
  });

  it('honours EXIF orientation: the same pixels without it are not flagged', async () => {
    const oriented = await fixture('flagged-porn-exif-rotated.png');
    expect((await sharp(oriented).metadata()).orientation).toBe(6);
    const result = await moderator.detectModerationLabels(oriented);
    expect(confidence(result, EXPLICIT)).toBeGreaterThanOrEqual(FLAGGED_MIN);
    const stripped = await sharp(oriented).png().toBuffer(); // metadata dropped, pixels as stored
    expect((await sharp(stripped).metadata()).orientation).toBeUndefined();
    const unoriented = await moderator.detectModerationLabels(stripped);
    expect(unoriented.ModerationLabels).toEqual([]);
  });

  it('flags an animated GIF when one of its eight frames is flagged (worst frame decides)', async () => {
    const gif = await fixture('animated-one-flagged.gif');
    expect((await sharp(gif).metadata()).pages).toBe(8);
    const result = await moderator.detectModerationLabels(gif);
    expect(confidence(result, EXPLICIT)).toBeGreaterThanOrEqual(FLAGGED_MIN);
    // The clean frames alone: drop the flagged one and nothing is left to flag.
    const frames = await Promise.all(
      [0, 1, 2, 4, 5, 6, 7].map((page) => sharp(gif, { page }).png().toBuffer()),
    );
    const clean = await sharp(frames, { join: { animated: true } })
      .gif()
      .toBuffer();
    expect((await moderator.detectModerationLabels(clean)).ModerationLabels).toEqual([]);
  });
});

describe('limits and error codes', () => {
  const refused = async (bytes: Buffer, code: string, detail?: RegExp) => {
    const err = await moderator.detectModerationLabels(bytes).catch((e: unknown) => e);
    expect(err).toMatchObject({ code, retryable: false });
    if (detail) expect((err as { detail: string }).detail).toMatch(detail);
    return err as Error;
  };

  it('refuses a truncated JPEG and non-image bytes with InvalidImageFormatException', async () => {
    const err = await refused(await fixture('corrupt.jpg'), 'InvalidImageFormatException');
    expect(err.message).toBe('Request has invalid image format.');
    await refused(Buffer.from('definitely not an image'), 'InvalidImageFormatException');
    await refused(Buffer.alloc(0), 'InvalidParameterException', /empty/);
  });

  it('refuses formats outside JPEG, PNG, WebP, AVIF and GIF', async () => {
    const tiff = await sharp(await fixture('clean-shapes.jpg'))
      .tiff()
      .toBuffer();
    await refused(tiff, 'InvalidImageFormatException', /'tiff' is not accepted/);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"/>');
    await refused(svg, 'InvalidImageFormatException', /'svg' is not accepted/);
  });

  it('refuses a side under 80 px with InvalidParameterException', async () => {
    await refused(await fixture('too-small.jpg'), 'InvalidParameterException', /50×50 px/);
  });

  it('refuses a side over 10,000 px from the header alone, in Rekognition’s words', async () => {
    const wide = await sharp({
      create: { width: 10_001, height: 100, channels: 3, background: '#808080' },
    })
      .png()
      .toBuffer();
    const err = await refused(wide, 'InvalidParameterException');
    expect(err.message).toBe(
      'Input image dimensions 10001 x 100 exceed maximum dimension size of 10000 pixels',
    );
    // A decompression bomb: 400 megapixels declared in a 70-byte file, refused before decoding.
    await refused(pngHeaderOnly(20_000, 20_000), 'InvalidParameterException', /20000×20000/);
  });

  it('refuses more than 15 MB with ImageTooLargeException', async () => {
    const err = await refused(Buffer.alloc(15 * 1024 * 1024 + 1), 'ImageTooLargeException');
    expect(err.message).toBe('Image size is too large.');
  });

  it('refuses animations whose frames together exceed the pixel limit', async () => {
    const gif = await fixture('animated-one-flagged.gif');
    const limits = { ...DEFAULT_DECODE_LIMITS, maxTotalPixels: 8 * 224 * 224 - 1 };
    await expect(decodeForModel(gif, limits)).rejects.toMatchObject({
      code: 'ImageTooLargeException',
    });
    await expect(
      decodeForModel(gif, { ...limits, maxTotalPixels: 8 * 224 * 224 }),
    ).resolves.toMatchObject({
      frames: 8,
      totalFrames: 8,
    });
  });
});

describe('the worker pool', () => {
  it('keeps the tensor count of every worker flat over many classifications', async () => {
    const before = await moderator.stats();
    const images = await Promise.all(
      ['flagged-porn.jpg', 'clean-shapes.jpg', 'corrupt.jpg', 'animated-one-flagged.gif'].map(
        fixture,
      ),
    );
    const requests = [...Array<Buffer>(24).fill(images[0]!), ...Array<Buffer>(24).fill(images[1]!)];
    requests.push(images[2]!, images[3]!, images[3]!);
    const outcomes = await Promise.allSettled(
      requests.map((image) => moderator.detectModerationLabels(image)),
    );
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(1);
    const after = await moderator.stats();
    expect(after.map((s) => s.numTensors)).toEqual(before.map((s) => s.numTensors));
    const classified = (stats: typeof after) => stats.reduce((n, s) => n + s.classified, 0);
    expect(classified(after) - classified(before)).toBe(48 + 2 * 8);
  });

  it('answers concurrent requests correctly, on both workers', async () => {
    const files = ['flagged-porn.jpg', 'clean-shapes.jpg', 'flagged-sexy.jpg', 'clean-cartoon.png'];
    const images = await Promise.all(files.map(fixture));
    const before = await moderator.stats();
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) => moderator.detectModerationLabels(images[i % 4]!)),
    );
    results.forEach((r, i) =>
      expect(r.ModerationLabels[1]?.Name, files[i % 4]).toBe(
        [EXPLICIT, undefined, NON_EXPLICIT, undefined][i % 4],
      ),
    );
    const after = await moderator.stats();
    after.forEach((s, i) => expect(s.classified).toBeGreaterThan(before[i]!.classified));
  });
});

describe('a one-worker pool: sampling, back-pressure, crashes', () => {
  const online: Worker[] = [];
  let small: LocalModerator;
  beforeAll(async () => {
    small = await createLocalModerator({
      workers: 1,
      maxFrames: 2,
      queueLimit: 1,
      onWorkerOnline: (w) => online.push(w),
    });
  });
  afterAll(() => small?.close());

  it('classifies only maxFrames evenly spaced frames (first and last of eight here)', async () => {
    const result = await small.detectModerationLabels(await fixture('animated-one-flagged.gif'));
    expect(result.ModerationLabels).toEqual([]);
  });

  it('queues one request behind a busy worker and refuses the next with ThrottlingException', async () => {
    const image = await fixture('bench-flagged-1mp.jpg');
    const outcomes = await Promise.allSettled(
      [1, 2, 3].map(() => small.detectModerationLabels(image)),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(2);
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(refused).toEqual([
      {
        status: 'rejected',
        reason: expect.objectContaining({ code: 'ThrottlingException', retryable: true }) as Error,
      },
    ]);
  });

  it('fails the request of a crashed worker at once, replaces the worker and carries on', async () => {
    const image = await fixture('flagged-porn.jpg');
    const pending = small.detectModerationLabels(image);
    await vi.waitFor(() => expect(small.load().busy).toBe(1), { interval: 1 });
    await online[0]!.terminate();
    await expect(pending).rejects.toMatchObject({
      code: 'InternalServerError',
      status: 500,
      retryable: true,
      detail: expect.stringMatching(/stopped unexpectedly .* while classifying/) as string,
    });
    const after = await small.detectModerationLabels(image);
    expect(confidence(after, EXPLICIT)).toBeGreaterThanOrEqual(FLAGGED_MIN);
    expect(online).toHaveLength(2);
    expect(small.load()).toEqual({ workers: 1, busy: 0, queued: 0 });
  });

  it('finishes accepted requests on close, then refuses new ones', async () => {
    const image = await fixture('clean-shapes.jpg');
    const inflight = small.detectModerationLabels(image);
    await small.close();
    await expect(inflight).resolves.toMatchObject({ ModerationLabels: [] });
    await expect(small.detectModerationLabels(image)).rejects.toMatchObject({
      code: 'InternalServerError',
    });
  });
});

describe('a classification that overruns its time limit', () => {
  it('fails with InternalServerError instead of hanging, and the worker is replaced', async () => {
    const online: Worker[] = [];
    const slow = await createLocalModerator({
      workers: 1,
      taskTimeoutMs: 1,
      onWorkerOnline: (w) => online.push(w),
    });
    try {
      await expect(
        slow.detectModerationLabels(await fixture('clean-shapes.jpg')),
      ).rejects.toMatchObject({
        code: 'InternalServerError',
        detail: expect.stringMatching(/did not finish within 1 ms/) as string,
      });
      await vi.waitFor(() => expect(online).toHaveLength(2), { timeout: 30_000 });
    } finally {
      await slow.close();
    }
  });
});

describe('options', () => {
  it('names the option and the fix when one is wrong', async () => {
    await expect(createLocalModerator({ workers: 0 })).rejects.toThrow(
      /'workers' must be a whole number ≥ 1/,
    );
    await expect(createLocalModerator({ queueLimit: -1 })).rejects.toThrow(/'queueLimit'/);
  });
});
