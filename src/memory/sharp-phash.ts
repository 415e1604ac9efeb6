import sharp, { type OutputInfo } from 'sharp';
import sharpPhash from 'sharp-phash';
import { UnhashableImageError, type ImageHasher } from './types.js';

// sharp-phash is CommonJS (`module.exports = phash`) but declares `export default`: imported
// from ESM, the default import is the function itself, which its types call `.default`.
const phash = sharpPhash as unknown as typeof sharpPhash.default;

/**
 * Side of the picture handed to the hash: the hash itself looks at 32×32, so anything above
 * that only costs time; 128 leaves sharp's resampling to average the detail away first.
 */
const NORMALISED_SIDE = 128;
/** Larger pictures are not remembered: decoding them costs more than judging them. */
const MAX_INPUT_PIXELS = 100_000_000;

/** Names SharpPhash's hashes (ImageHasher.algorithm), wherever it runs. */
export const SHARP_PHASH_ALGORITHM = 'phash-dct64/sharp-phash-2';

/**
 * pHash, as the `sharp-phash` package computes it (the DCT hash of Krawetz's "Looks Like
 * It"): greyscale, 32×32, 2-D DCT, the 8×8 lowest frequencies but the DC term, each bit
 * "above their mean". The picture is first normalised as the local moderator sees it —
 * EXIF orientation applied, transparency flattened onto white — so a copy that differs only
 * in those does not hash differently. Animated images are not hashed: one frame would speak
 * for all (a GIF blocked for its third frame would be remembered by its first).
 *
 * @example
 * const hash = await new SharpPhash().hash(bytes); // 'c3a1…' (16 hex digits)
 */
export class SharpPhash implements ImageHasher {
  readonly algorithm = SHARP_PHASH_ALGORITHM;

  async hash(image: Buffer): Promise<string> {
    let normalised: { data: Buffer; info: OutputInfo };
    try {
      const input = sharp(image, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS });
      const { pages = 1 } = await input.metadata();
      if (pages > 1)
        throw new UnhashableImageError(`${pages} frames: only still images are hashed`);
      normalised = await input
        .autoOrient()
        .flatten({ background: '#ffffff' })
        .resize(NORMALISED_SIDE, NORMALISED_SIDE, { fit: 'fill' })
        .raw()
        .toBuffer({ resolveWithObject: true });
    } catch (error) {
      if (error instanceof UnhashableImageError) throw error;
      throw new UnhashableImageError(`not a decodable image: ${(error as Error).message}`);
    }
    const { width, height, channels } = normalised.info;
    const bits = await phash(normalised.data, { raw: { width, height, channels } });
    return bitsToHex(bits);
  }
}

/** sharp-phash's 64 characters of 0 and 1 as 16 hex digits. */
function bitsToHex(bits: string): string {
  if (!/^[01]{64}$/.test(bits)) throw new Error(`sharp-phash returned ${JSON.stringify(bits)}`);
  let hex = '';
  for (let i = 0; i < 64; i += 4) hex += parseInt(bits.slice(i, i + 4), 2).toString(16);
  return hex;
}
