/**
 * Frames at the input sizes of the user's own models (moderation.models) that do not read
 * 224×224: the same frames of the same image that decode.ts picked, squashed to each size by
 * the same steps (decode.ts's decodeFrameAt), in the same libuv pool. A model that reads 224×224 uses decode.ts's frames.
 */
import { decodeFrameAt, type DecodeLimits, type FrameSize } from './decode.js';
import { pickFrames } from './frames.js';

export type { FrameSize } from './decode.js';

/** `frames` × height × width × 3 bytes, RGB, row-major, in its own ArrayBuffer. */
export interface SizedFrames extends FrameSize {
  pixels: Uint8Array;
}

export const sizeKey = ({ width, height }: FrameSize) => `${width}x${height}`;

/**
 * The frames decodeForModel chose (it has already checked the image against `limits`), at
 * each of `sizes`.
 *
 * @example const [frames] = await decodeAtSizes(bytes, 1, limits, [{ width: 96, height: 64 }]);
 */
export async function decodeAtSizes(
  bytes: Buffer,
  totalFrames: number,
  limits: DecodeLimits,
  sizes: readonly FrameSize[],
): Promise<SizedFrames[]> {
  const pages = pickFrames(totalFrames, limits.maxFrames);
  return Promise.all(
    sizes.map(async (size) => {
      const frames = await Promise.all(
        pages.map((page) => decodeFrameAt(bytes, page, size, limits.maxSide)),
      );
      const frameBytes = size.width * size.height * 3;
      const pixels = new Uint8Array(frames.length * frameBytes);
      frames.forEach((frame, i) => pixels.set(frame, i * frameBytes));
      return { ...size, pixels };
    }),
  );
}
