/**
 * Image bytes → the model's input: 224×224 RGB frames, decoded by sharp (libvips) with
 * Rekognition's limits enforced first, from the header alone, before any pixel is decoded.
 *
 * Runs in the main thread on purpose: sharp does its work on libuv's thread pool, not on the
 * JavaScript thread, so the event loop stays free either way; decoding here rejects bad
 * images before they take a model worker, and only fixed 150 KB frames cross to a worker
 * instead of up to 15 MB of compressed bytes. (Measurements: docs/moderation.md.)
 */
import sharp, { type Metadata } from 'sharp';
import { ModerationError } from '../types.js';
import { pickFrames } from './frames.js';

// libvips keeps recent operations (up to 50 MB) to reuse their results; every uploaded image
// is new, so the cache only holds memory (measured: ~40 MiB of Vigil's peak RSS under load).
sharp.cache(false);

/** NSFWJS MobileNetV2's input side. */
export const MODEL_INPUT_SIZE = 224;
export const FRAME_BYTES = MODEL_INPUT_SIZE * MODEL_INPUT_SIZE * 3;

export interface DecodeLimits {
  /** Bytes of the encoded image. Rekognition: 15 MB for an S3 object. */
  maxBytes: number;
  /** Rekognition: 80 px minimum for both width and height. */
  minSide: number;
  /** Rekognition: 10,000 px maximum for both width and height (DetectModerationLabels). */
  maxSide: number;
  /** All frames of an animation together: decoding later GIF frames means decoding earlier ones. */
  maxTotalPixels: number;
  /** Frames classified per animation, evenly spaced. */
  maxFrames: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  maxBytes: 15 * 1024 * 1024,
  minSide: 80,
  maxSide: 10_000,
  maxTotalPixels: 250_000_000,
  maxFrames: 8,
};

export interface DecodedImage {
  /** `frames` × 224 × 224 × 3 bytes, RGB, row-major, in its own ArrayBuffer (transferable). */
  pixels: Uint8Array;
  frames: number;
  /** Frames in the file (1 for a still image). */
  totalFrames: number;
  format: string;
}

/** Rekognition takes JPEG and PNG; Vigil also takes these, animations included. */
function acceptedFormat(meta: Metadata): boolean {
  if (meta.format === 'heif') return meta.compression === 'av1';
  return ['jpeg', 'png', 'webp', 'gif'].includes(meta.format);
}

const invalidFormat = (detail: string) =>
  new ModerationError('InvalidImageFormatException', detail);

async function readHeader(bytes: Buffer): Promise<Metadata> {
  try {
    // Only the header is read here, so sharp's own pixel limit is lifted: the size the header
    // declares is then checked below and refused with Rekognition's error code.
    return await sharp(bytes, { failOn: 'error', limitInputPixels: false }).metadata();
  } catch (err) {
    throw invalidFormat(`The bytes are not a readable image: ${(err as Error).message}.`);
  }
}

function checkLimits(meta: Metadata, limits: DecodeLimits): { pages: number } {
  const { width, height } = meta.autoOrient;
  if (Math.min(width, height) < limits.minSide)
    throw new ModerationError(
      'InvalidParameterException',
      `The image is ${width}×${height} px; both sides must be at least ${limits.minSide} px.`,
    );
  if (Math.max(width, height) > limits.maxSide)
    throw new ModerationError(
      'InvalidParameterException',
      `The image is ${width}×${height} px; neither side may exceed ${limits.maxSide} px.`,
      // Rekognition's own wording for this case.
      `Input image dimensions ${width} x ${height} exceed maximum dimension size of ${limits.maxSide} pixels`,
    );
  const pages = meta.pages ?? 1;
  if (width * height * pages > limits.maxTotalPixels)
    throw new ModerationError(
      'ImageTooLargeException',
      `${pages} frame(s) of ${width}×${height} px exceed the limit of ${limits.maxTotalPixels} decoded pixels.`,
    );
  return { pages };
}

/** A frame's pixel size: 224×224 for the bundled models, other sizes for users' models. */
export interface FrameSize {
  width: number;
  height: number;
}

const MODEL_FRAME: FrameSize = { width: MODEL_INPUT_SIZE, height: MODEL_INPUT_SIZE };

/**
 * One frame of the image as RGB bytes of `size`: upright, flattened onto white, squashed,
 * sRGB. Every model reads frames made by these same steps.
 */
export async function decodeFrameAt(
  bytes: Buffer,
  page: number,
  size: FrameSize,
  maxSide: number,
): Promise<Buffer> {
  try {
    const { data, info } = await sharp(bytes, {
      failOn: 'error',
      page,
      pages: 1,
      limitInputPixels: maxSide * maxSide,
    })
      .autoOrient()
      // What a viewer sees on a white page; hidden colour under full transparency is ignored.
      .flatten({ background: '#ffffff' })
      // Squashed, not cropped: the whole picture is judged, as NSFWJS does.
      .resize(size.width, size.height, { fit: 'fill' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== size.width * size.height * 3)
      throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}`);
    return data;
  } catch (err) {
    const at = size === MODEL_FRAME ? '' : ` at ${size.width}×${size.height}`;
    throw invalidFormat(`Frame ${page} could not be decoded${at}: ${(err as Error).message}.`);
  }
}

/**
 * Decodes an image for the model, or throws the `ModerationError` Rekognition would answer.
 *
 * @example
 * const { pixels, frames } = await decodeForModel(await readFile('a.gif'), DEFAULT_DECODE_LIMITS);
 */
export async function decodeForModel(bytes: Buffer, limits: DecodeLimits): Promise<DecodedImage> {
  if (bytes.length === 0)
    throw new ModerationError('InvalidParameterException', 'The image is empty (0 bytes).');
  if (bytes.length > limits.maxBytes)
    throw new ModerationError(
      'ImageTooLargeException',
      `The image is ${bytes.length} bytes; the limit is ${limits.maxBytes}.`,
    );
  const meta = await readHeader(bytes);
  if (!acceptedFormat(meta))
    throw invalidFormat(
      `Format '${meta.format}${meta.compression ? `/${meta.compression}` : ''}' is not accepted; use JPEG, PNG, WebP, AVIF or GIF.`,
    );
  const { pages } = checkLimits(meta, limits);
  const chosen = pickFrames(pages, limits.maxFrames);
  const decoded = await Promise.all(
    chosen.map((page) => decodeFrameAt(bytes, page, MODEL_FRAME, limits.maxSide)),
  );
  const pixels = new Uint8Array(decoded.length * FRAME_BYTES);
  decoded.forEach((frame, i) => pixels.set(frame, i * FRAME_BYTES));
  return { pixels, frames: decoded.length, totalFrames: pages, format: meta.format };
}
