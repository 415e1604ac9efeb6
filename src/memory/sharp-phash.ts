import sharp from 'sharp';
import sharpPhash from 'sharp-phash';
import { decodeFrameAt, FRAME_BYTES, MODEL_INPUT_SIZE } from '../moderation/local/decode.js';
import { UnhashableImageError, type ImageHasher } from './types.js';

// sharp-phash is CommonJS (`module.exports = phash`) but declares `export default`: imported
// from ESM, the default import is the function itself, which its types call `.default`.
const phash = sharpPhash as unknown as typeof sharpPhash.default;

/** Larger pictures are not remembered: decoding them costs more than judging them. */
const MAX_INPUT_PIXELS = 100_000_000;

/** Names SharpPhash's hashes (ImageHasher.algorithm), wherever it runs. */
export const SHARP_PHASH_ALGORITHM = 'phash-dct64/sharp-phash-2/frame-224';

/**
 * pHash, as the `sharp-phash` package computes it (the DCT hash of Krawetz's "Looks Like
 * It"): greyscale, 32×32, 2-D DCT, the 8×8 lowest frequencies but the DC term, each bit
 * "above their mean" — of the 224×224 frame the local models read (decode.ts: EXIF
 * orientation applied, transparency flattened onto white, squashed), so a copy that differs
 * only in those does not hash differently, and a server can hash the frame it decoded for
 * the models instead of decoding the image again (ThreadedHasher with a frame source).
 * Animated images are not hashed: one frame would speak for all (a GIF blocked for its
 * third frame would be remembered by its first).
 *
 * @example
 * const hash = await new SharpPhash().hash(bytes); // 'c3a1…' (16 hex digits)
 */
export class SharpPhash implements ImageHasher {
  readonly algorithm = SHARP_PHASH_ALGORITHM;

  async hash(image: Buffer): Promise<string> {
    let frame: Buffer;
    try {
      const { pages = 1 } = await sharp(image, {
        failOn: 'error',
        limitInputPixels: MAX_INPUT_PIXELS,
      }).metadata();
      if (pages > 1)
        throw new UnhashableImageError(`${pages} frames: only still images are hashed`);
      frame = await decodeFrameAt(image, 0, FRAME, Math.sqrt(MAX_INPUT_PIXELS));
    } catch (error) {
      if (error instanceof UnhashableImageError) throw error;
      throw new UnhashableImageError(`not a decodable image: ${(error as Error).message}`);
    }
    return hashFrame(frame);
  }
}

const FRAME = { width: MODEL_INPUT_SIZE, height: MODEL_INPUT_SIZE };

/** The hash of one 224×224 RGB frame (as decode.ts makes them): SharpPhash's second half. */
export async function hashFrame(frame: Uint8Array): Promise<string> {
  if (frame.length !== FRAME_BYTES)
    throw new UnhashableImageError(`a frame of ${frame.length} bytes, not ${FRAME_BYTES}`);
  const pixels = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  const bits = await phash(pixels, { raw: { ...FRAME, channels: 3 } });
  return bitsToHex(bits);
}
/** sharp-phash's 64 characters of 0 and 1 as 16 hex digits. */
function bitsToHex(bits: string): string {
  if (!/^[01]{64}$/.test(bits)) throw new Error(`sharp-phash returned ${JSON.stringify(bits)}`);
  let hex = '';
  for (let i = 0; i < 64; i += 4) hex += parseInt(bits.slice(i, i + 4), 2).toString(16);
  return hex;
}
