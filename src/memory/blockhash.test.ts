/**
 * The sharp-based hasher on the repository's fixture images and transformed copies of them,
 * made here with sharp: copies stay within the default `maxDistance` (10), different
 * pictures stay far beyond it.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { hammingDistance, isImageHash } from './hash.js';
import { loadImageHasher } from './index.js';
import { UnhashableImageError, type ImageHasher } from './types.js';

const fixture = (name: string) =>
  readFile(new URL(`../../test/fixtures/images/${name}`, import.meta.url));

/** A copy with `fraction` of each side cut off. */
async function cropped(image: Buffer, fraction: number): Promise<Buffer> {
  const { width, height } = await sharp(image).metadata();
  const dx = Math.round(width * fraction);
  const dy = Math.round(height * fraction);
  return sharp(image)
    .extract({ left: dx, top: dy, width: width - 2 * dx, height: height - 2 * dy })
    .jpeg({ quality: 90 })
    .toBuffer();
}

let hasher: ImageHasher;
beforeAll(async () => {
  hasher = await loadImageHasher();
});

describe('FrameBlockhash', () => {
  it('hashes an image as 16 hex digits, the same every time', async () => {
    const image = await fixture('flagged-porn.jpg');
    const hash = await hasher.hash(image);
    expect(isImageHash(hash)).toBe(true);
    expect(await hasher.hash(image)).toBe(hash);
    expect(hasher.algorithm).toMatch(/blockhash-core/);
  });

  it.each(['flagged-porn.jpg', 'flagged-hentai.jpg', 'flagged-sexy.jpg', 'clean-shapes.jpg'])(
    'keeps copies of %s within 10 bits: resized, recompressed, cropped a little, PNG, grey',
    async (name) => {
      const image = await fixture(name);
      const { width } = await sharp(image).metadata();
      const copies = {
        'resized to 50%': await sharp(image)
          .resize(Math.round(width / 2))
          .jpeg()
          .toBuffer(),
        'JPEG quality 40': await sharp(image).jpeg({ quality: 40 }).toBuffer(),
        'cropped 2% a side': await cropped(image, 0.02),
        PNG: await sharp(image).png().toBuffer(),
        greyscale: await sharp(image).greyscale().jpeg().toBuffer(),
      };
      const original = await hasher.hash(image);
      for (const [what, copy] of Object.entries(copies))
        expect(hammingDistance(original, await hasher.hash(copy)), what).toBeLessThanOrEqual(10);
    },
  );

  it('sees an EXIF-rotated copy as it is shown, and transparency as on white', async () => {
    const original = await hasher.hash(await fixture('flagged-porn.jpg'));
    const rotated = await hasher.hash(await fixture('flagged-porn-exif-rotated.png'));
    expect(hammingDistance(original, rotated)).toBeLessThanOrEqual(2);
    const cartoon = await fixture('clean-cartoon.png');
    const withAlpha = await sharp(cartoon).ensureAlpha().png().toBuffer();
    expect(hammingDistance(await hasher.hash(cartoon), await hasher.hash(withAlpha))).toBe(0);
  });

  it('keeps different pictures far apart', async () => {
    const names = [
      'flagged-porn.jpg',
      'flagged-hentai.jpg',
      'flagged-sexy.jpg',
      'clean-shapes.jpg',
      'clean-cartoon.png',
      'clean-landscape.png',
    ];
    const hashes = await Promise.all(names.map(async (n) => hasher.hash(await fixture(n))));
    for (let i = 0; i < hashes.length; i++)
      for (let j = i + 1; j < hashes.length; j++)
        expect(
          hammingDistance(hashes[i]!, hashes[j]!),
          `${names[i]} ~ ${names[j]}`,
        ).toBeGreaterThan(16);
  });

  it.each<[string, () => Promise<Buffer>]>([
    ['bytes that are no image', () => Promise.resolve(Buffer.from('explicit, says the test'))],
    ['a truncated JPEG', () => fixture('corrupt.jpg')],
    ['an animated GIF (one frame would speak for all)', () => fixture('animated-one-flagged.gif')],
  ])('refuses %s', async (_what, load) => {
    await expect(hasher.hash(await load())).rejects.toThrow(UnhashableImageError);
  });
});
