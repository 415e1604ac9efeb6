/**
 * Deterministic variants of the repository's test images, decoded as Vigil decodes them:
 * the inputs on which the tfjs and ONNX Runtime models are compared.
 */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import sharp, { type Sharp } from 'sharp';
import { DEFAULT_DECODE_LIMITS, FRAME_BYTES, decodeForModel } from '../decode.js';

const FIXTURES = ['../../../../test/fixtures/images/', '../../../../test/fixtures/photos/'];
// Fixtures that are refused by design (truncated, below the minimum side).
const REFUSED = new Set(['corrupt.jpg', 'too-small.jpg']);

export interface TestFrame {
  label: string;
  /** 224×224×3 RGB bytes. */
  pixels: Uint8Array;
}

type Variant = (image: Sharp, width: number, height: number) => Sharp;

/** Each keeps both sides ≥ 80 px, Vigil's minimum, for every fixture (all ≥ 224 px). */
// PNG keeps the variant exact; one re-encodes as JPEG to add compression artefacts.
const VARIANTS: Record<string, Variant | null> = {
  // The stored file itself, every frame of an animation included.
  original: null,
  mirrored: (image) => image.flop().png(),
  'centre crop': (image, w, h) =>
    image
      .extract({
        left: Math.round(w * 0.2),
        top: Math.round(h * 0.15),
        width: Math.round(w * 0.6),
        height: Math.round(h * 0.6),
      })
      .png(),
  'colour shift': (image) => image.modulate({ brightness: 1.15, saturation: 0.6, hue: 50 }).png(),
  'small, rotated JPEG q60': (image) =>
    image.resize(96, 120, { fit: 'fill' }).rotate(90).jpeg({ quality: 60 }),
};

export async function testFrames(): Promise<TestFrame[]> {
  const frames: TestFrame[] = [];
  for (const folder of FIXTURES) {
    const dir = fileURLToPath(new URL(folder, import.meta.url));
    const names = (await readdir(dir)).filter(
      (n) => /\.(jpe?g|png|gif)$/.test(n) && !REFUSED.has(n),
    );
    for (const name of names.sort()) {
      const bytes = await readFile(dir + name);
      for (const [variant, make] of Object.entries(VARIANTS)) {
        const encoded = make ? await reencode(bytes, make) : bytes;
        const decoded = await decodeForModel(encoded, DEFAULT_DECODE_LIMITS);
        for (let i = 0; i < decoded.frames; i++)
          frames.push({
            label: `${name} ${variant}${decoded.frames > 1 ? ` frame ${i}` : ''}`,
            pixels: decoded.pixels.subarray(i * FRAME_BYTES, (i + 1) * FRAME_BYTES),
          });
      }
    }
  }
  return frames;
}

/** The first frame, upright, with the variant applied. */
async function reencode(bytes: Buffer, make: Variant): Promise<Buffer> {
  const { width, height } = (await sharp(bytes).metadata()).autoOrient;
  return make(sharp(bytes).autoOrient(), width, height).toBuffer();
}
