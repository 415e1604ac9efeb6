/**
 * The local backend on real photographs (test/fixtures/photos, licenses in its README): the
 * ImageNet model's categories reach the seed's threshold on clear photographs of them, and
 * everyday photographs stay far below it. Few photos: this checks direction and calibration,
 * not accuracy.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalModerator, type LocalModerator, type ModerationResult } from './index.js';

const SEED_THRESHOLD = 80;
/** "Far below" the threshold: everyday photos must not come near it. */
const EVERYDAY_MAX = 20;

const photo = (name: string) =>
  readFile(new URL(`../../test/fixtures/photos/${name}`, import.meta.url));
const confidence = (result: ModerationResult, name: string) =>
  result.ModerationLabels.find((l) => l.Name === name)?.Confidence ?? 0;

let moderator: LocalModerator;
let cacheDir: string;
const logged: string[] = [];
beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'vigil-models-'));
  // NSFWJS on ONNX Runtime, converted into the cache as `vigil serve` does.
  moderator = await createLocalModerator({
    workers: 2,
    modelCacheDir: cacheDir,
    log: (line) => logged.push(line),
  });
});
afterAll(async () => {
  await moderator?.close();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('NSFWJS on ONNX Runtime', () => {
  it('converts it once into the cache directory, with nothing to report', async () => {
    expect(await readdir(cacheDir)).toEqual([
      expect.stringMatching(/^nsfwjs-mobilenetv2-.*\.onnx$/),
    ]);
    expect(logged.filter((line) => line.includes('tfjs'))).toEqual([]);
  });

  it('falls back to tfjs-wasm, saying why, when the conversion cannot be written', async () => {
    const notADirectory = join(cacheDir, 'file');
    await writeFile(notADirectory, 'x');
    const lines: string[] = [];
    const fallback = await createLocalModerator({
      workers: 1,
      modelCacheDir: join(notADirectory, 'models'),
      log: (line) => lines.push(line),
    });
    try {
      expect(lines.join('\n')).toMatch(/could not be converted to ONNX .*running it on tfjs-wasm/);
      const result = await fallback.detectModerationLabels(await photo('rifle_steyr_aug.jpg'), {
        minConfidence: SEED_THRESHOLD,
      });
      expect(result.ModerationLabels.map((l) => l.Name)).toEqual(['Weapons', 'Violence']);
    } finally {
      await fallback.close();
    }
  });
});

describe('clear photographs of a category reach the seed threshold', () => {
  it.each([
    ['pistol_beretta92_atf.jpg', 'Weapons', 'Violence'],
    ['pistol_walther_pdp.jpg', 'Weapons', 'Violence'],
    ['assault_rifle_famas_usmc.jpg', 'Weapons', 'Violence'],
    ['assault_rifle_fn_scar_usgov.jpg', 'Weapons', 'Violence'],
    ['rifle_steyr_aug.jpg', 'Weapons', 'Violence'],
    ['beer_bottle_orion.jpg', 'Alcoholic Beverages', 'Alcohol'],
  ])('%s → %s › %s', async (file, child, top) => {
    const result = await moderator.detectModerationLabels(await photo(file), {
      minConfidence: SEED_THRESHOLD,
    });
    expect(result.ModerationLabels).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Name: child, ParentName: top, TaxonomyLevel: 2 }),
        expect.objectContaining({ Name: top, ParentName: '', TaxonomyLevel: 1 }),
      ]),
    );
    expect(confidence(result, top)).toBe(confidence(result, child));
    // Nothing about nudity in a photo of an object.
    expect(result.ModerationLabels.map((l) => l.Name)).not.toContain('Explicit');
  });
});

describe('everyday photographs stay far below it', () => {
  it.each([
    'clean_cat_chelsea_skimage.jpg',
    'clean_food_coffee_skimage.jpg',
    'clean_person_astronaut_skimage.jpg',
    'clean_rocket_launch_skimage.jpg',
  ])('%s', async (file) => {
    const result = await moderator.detectModerationLabels(await photo(file), { minConfidence: 0 });
    for (const label of result.ModerationLabels)
      expect(label.Confidence, label.Name).toBeLessThan(EVERYDAY_MAX);
  });
});
