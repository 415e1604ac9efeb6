import { bmvbhash } from 'blockhash-core';
import sharp from 'sharp';
import { decodeFrameAt, FRAME_BYTES, MODEL_INPUT_SIZE } from '../moderation/local/decode.js';
import { UnhashableImageError, type ImageHasher } from './types.js';

/** Larger pictures are not remembered: decoding them costs more than judging them. */
const MAX_INPUT_PIXELS = 100_000_000;

/** Names FrameBlockhash's hashes (ImageHasher.algorithm), wherever they are computed. */
export const BLOCKHASH_ALGORITHM = 'blockhash-64/blockhash-core-0.1/frame-224';

/** 8 × 8 blocks: 64 bits, as image memory's index expects (hash.ts). */
const BLOCKS_PER_SIDE = 8;
const SIDE = MODEL_INPUT_SIZE;

/**
 * Blockhash (Yang, Gu and Niu, "Block mean value based image perceptual hashing", 2006), as
 * the `blockhash-core` package computes it: 8 × 8 block sums, each bit "above its band's
 * median" — of the luma of the 224×224 frame the local models read (decode.ts: EXIF orientation applied,
 * transparency flattened onto white, squashed), so a copy that differs only in those does not
 * hash differently, and a server can hash the frame it decoded for the models instead of
 * decoding the image again (ThreadedHasher with a frame source). Animated images are not
 * hashed: one frame would speak for all (a GIF blocked for its third frame would be
 * remembered by its first).
 *
 * @example
 * const hash = await new FrameBlockhash().hash(bytes); // 'c3a1…' (16 hex digits)
 */
export class FrameBlockhash implements ImageHasher {
  readonly algorithm = BLOCKHASH_ALGORITHM;

  async hash(image: Buffer): Promise<string> {
    let frame: Buffer;
    try {
      const { pages = 1 } = await sharp(image, {
        failOn: 'error',
        limitInputPixels: MAX_INPUT_PIXELS,
      }).metadata();
      if (pages > 1)
        throw new UnhashableImageError(`${pages} frames: only still images are hashed`);
      frame = await decodeFrameAt(
        image,
        0,
        { width: SIDE, height: SIDE },
        Math.sqrt(MAX_INPUT_PIXELS),
      );
    } catch (error) {
      if (error instanceof UnhashableImageError) throw error;
      throw new UnhashableImageError(`not a decodable image: ${(error as Error).message}`);
    }
    return hashFrame(frame);
  }
}

/**
 * The hash of one 224×224 RGB frame (as decode.ts makes them): FrameBlockhash's second half,
 * about 0.3 ms.
 */
export function hashFrame(frame: Uint8Array): string {
  if (frame.length !== FRAME_BYTES)
    throw new UnhashableImageError(`a frame of ${frame.length} bytes, not ${FRAME_BYTES}`);
  // blockhash-core reads RGBA (ImageData's layout) and sums R+G+B. Fed the frame's luma
  // (Rec. 601) in all three, a greyscale copy of a picture hashes like its original.
  const rgba = new Uint8Array(SIDE * SIDE * 4);
  for (let i = 0, j = 0; i < frame.length; i += 3, j += 4) {
    const luma = Math.round(0.299 * frame[i]! + 0.587 * frame[i + 1]! + 0.114 * frame[i + 2]!);
    rgba[j] = rgba[j + 1] = rgba[j + 2] = luma;
    rgba[j + 3] = 255;
  }
  const hash = bmvbhash({ width: SIDE, height: SIDE, data: rgba }, BLOCKS_PER_SIDE);
  if (!/^[0-9a-f]{16}$/.test(hash))
    throw new Error(`blockhash-core returned ${JSON.stringify(hash)}`);
  return hash;
}
