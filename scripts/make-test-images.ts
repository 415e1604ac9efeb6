/**
 * Generates the moderation fixtures in test/fixtures/images/ without any real explicit
 * content, and writes test/fixtures/images/README.md with the scores they got.
 *
 *   node --import tsx scripts/make-test-images.ts      # ≈15 min on 2 cores; deterministic
 *
 * Flagged images are adversarial noise: start from seeded noise and take signed-gradient
 * steps that raise the bundled NSFWJS model's log-probability of one class (the fast
 * gradient sign method, iterated). Each round the candidate is encoded exactly as the
 * fixture will be stored (JPEG q90, a GIF frame, a 1 MP upscale), decoded by the production
 * decoder, and the next steps start from what survived — so the file on disk, not the float
 * tensor, is what scores high. Clean images are plain synthetic drawings.
 *
 * Gradients run on tfjs's CPU backend (the WASM backend has no gradient kernels for
 * depthwise convolutions); the scores in the README come from the production path: the
 * local moderator's decoder and WASM worker pool.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { load } from 'nsfwjs/core';
import { MobileNetV2Model } from 'nsfwjs/models/mobilenet_v2';
import { format, resolveConfig } from 'prettier';
import sharp from 'sharp';
import {
  DEFAULT_DECODE_LIMITS,
  FRAME_BYTES,
  MODEL_INPUT_SIZE as S,
  decodeForModel,
} from '../src/moderation/local/decode.js';
import { WorkerPool } from '../src/moderation/local/pool.js';
import { NSFW_CLASSES, type NsfwClass } from '../src/moderation/taxonomy.js';

const OUT = join(import.meta.dirname, '..', 'test', 'fixtures', 'images');
const STEP = 2 / 255;
const GOAL = 0.98;

/** mulberry32: a small seeded PRNG, so every run makes the same bytes. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Only the gradient with respect to the input is needed. tfjs's fused convolutions compute
 * the filter gradients as well, which is most of the CPU time; answering them with zeros
 * leaves the input gradient unchanged and makes a step ~8× faster.
 */
function skipFilterGradients(): void {
  for (const kernelName of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter']) {
    tf.unregisterKernel(kernelName, 'cpu');
    tf.registerKernel({
      kernelName,
      backendName: 'cpu',
      kernelFunc: ({ attrs, backend }) => {
        const shape = attrs!['filterShape'] as number[];
        const cpu = backend as {
          makeTensorInfo(s: number[], d: 'float32', v: Float32Array): tf.TensorInfo;
        };
        return cpu.makeTensorInfo(
          shape,
          'float32',
          new Float32Array(shape.reduce((a, b) => a * b)),
        );
      },
    });
  }
}

await tf.setBackend('cpu');
skipFilterGradients();
const nsfw = await load('MobileNetV2', { modelDefinitions: [MobileNetV2Model] });
const predict = (x: tf.Tensor4D) => nsfw.model.predict(x) as tf.Tensor2D;

async function cpuScores(frame: Uint8Array): Promise<number[]> {
  const out = tf.tidy(() => predict(tf.tensor4d(frame, [1, S, S, 3], 'float32').div(255)));
  const data = Array.from(await out.data());
  out.dispose();
  return data;
}

/** The production decoder's view of `bytes`: frame `frame` as the model receives it. */
async function decodedFrame(bytes: Buffer, frame = 0): Promise<Uint8Array> {
  const { pixels } = await decodeForModel(bytes, { ...DEFAULT_DECODE_LIMITS, maxFrames: 1000 });
  return pixels.slice(frame * FRAME_BYTES, (frame + 1) * FRAME_BYTES);
}

const fmt = (p: readonly number[]) =>
  NSFW_CLASSES.map((c, i) => `${c} ${(p[i]! * 100).toFixed(1)}`).join(', ');

/**
 * Iterated signed-gradient ascent on log p(target), with each round passed through `encode`
 * and the production decoder. Resolves to the encoded bytes once they score ≥ GOAL.
 * `gray` ascends a grey image (one channel shown as three): at most 256 colours, so a GIF
 * palette holds it exactly where colour noise would be destroyed by quantisation.
 */
async function ascend(
  label: string,
  target: NsfwClass,
  start: Uint8Array,
  encode: (rgb: Uint8Array) => Promise<Buffer>,
  { frame = 0, gray = false } = {},
): Promise<Buffer> {
  const index = NSFW_CLASSES.indexOf(target);
  const asRgb = (x: tf.Tensor4D) => (gray ? tf.tile(x, [1, 1, 1, 3]) : x);
  const fromRgb = (rgb: Uint8Array) => {
    const t = tf.tensor4d(rgb, [1, S, S, 3], 'float32');
    const x = tf.tidy(() => (gray ? t.slice([0, 0, 0, 0], [1, S, S, 1]) : t.clone()).div(255));
    t.dispose();
    return x as tf.Tensor4D;
  };
  const gradient = tf.grad((x: tf.Tensor) =>
    tf.log(
      predict(asRgb(x as tf.Tensor4D))
        .slice([0, index], [1, 1])
        .sum()
        .add(1e-9),
    ),
  );
  let x = fromRgb(start);
  for (let round = 1; round <= 20; round++) {
    for (let step = 0; step < 2; step++) {
      const g = gradient(x);
      const next = tf.tidy(() => x.add(g.sign().mul(STEP)).clipByValue(0, 1) as tf.Tensor4D);
      g.dispose();
      x.dispose();
      x = next;
    }
    const quantised = tf.tidy(() => asRgb(x).mul(255).round());
    const rgb = Uint8Array.from(await quantised.data());
    quantised.dispose();
    const bytes = await encode(rgb);
    const survived = await decodedFrame(bytes, frame);
    const p = await cpuScores(survived);
    console.log(`${label} round ${round}: ${fmt(p)} (${bytes.length} bytes)`);
    x.dispose();
    if (p[index]! >= GOAL) return bytes;
    x = fromRgb(survived);
  }
  throw new Error(`${label}: ${target} did not reach ${GOAL}`);
}

/** Smooth seeded noise: 28×28 uniform noise enlarged to 224×224 (compresses better than white noise). */
async function seededNoise(seed: number): Promise<Uint8Array> {
  const next = random(seed);
  const small = Buffer.from(Array.from({ length: 28 * 28 * 3 }, () => Math.floor(next() * 256)));
  return sharp(small, { raw: { width: 28, height: 28, channels: 3 } })
    .resize(S, S)
    .raw()
    .toBuffer();
}

const raw = (rgb: Uint8Array, width = S, height = S) =>
  sharp(Buffer.from(rgb), { raw: { width, height, channels: 3 } });
const jpeg224 = (rgb: Uint8Array) => raw(rgb).jpeg({ quality: 90 }).toBuffer();
const jpeg1mp = (rgb: Uint8Array) =>
  raw(rgb).resize(1152, 864, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer();

const svg = (w: number, h: number, body: string) =>
  sharp(
    Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${body}</svg>`),
  );

function landscape(w: number, h: number, sky: string, ground: string, sunX: number): string {
  return (
    `<defs><linearGradient id="s" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${sky}"/>` +
    `<stop offset="1" stop-color="#bae6fd"/></linearGradient></defs>` +
    `<rect width="${w}" height="${h}" fill="url(#s)"/>` +
    `<rect y="${Math.round(h * 0.7)}" width="${w}" height="${h - Math.round(h * 0.7)}" fill="${ground}"/>` +
    `<circle cx="${sunX}" cy="${Math.round(h * 0.2)}" r="${Math.round(h * 0.1)}" fill="#fef08a"/>`
  );
}

function shapes(w: number, h: number): string {
  return (
    `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#1e3a8a"/>` +
    `<stop offset="1" stop-color="#10b981"/></linearGradient></defs><rect width="${w}" height="${h}" fill="url(#g)"/>` +
    `<circle cx="${w * 0.3}" cy="${h * 0.5}" r="${h * 0.2}" fill="#facc15"/>` +
    `<rect x="${w * 0.56}" y="${h * 0.25}" width="${w * 0.28}" height="${h * 0.5}" fill="#0ea5e9"/>`
  );
}

const CARTOON =
  '<rect width="256" height="256" fill="#bfdbfe"/><circle cx="128" cy="110" r="70" fill="#fde047" stroke="#000" stroke-width="5"/>' +
  '<circle cx="105" cy="95" r="10"/><circle cx="151" cy="95" r="10"/>' +
  '<path d="M95 135 Q128 165 161 135" fill="none" stroke="#000" stroke-width="5"/>' +
  '<rect x="20" y="200" width="216" height="40" fill="#22c55e" stroke="#000" stroke-width="4"/>';

interface Made {
  file: string;
  how: string;
  bytes: Buffer;
}
const made: Made[] = [];
async function save(file: string, bytes: Buffer, how: string): Promise<void> {
  await writeFile(join(OUT, file), bytes);
  made.push({ file, how, bytes });
  console.log(`wrote ${file} (${bytes.length} bytes)`);
}

await mkdir(OUT, { recursive: true });

// (a) Flagged: adversarial noise, one class each.
const porn = await ascend('porn', 'Porn', await seededNoise(1), jpeg224);
await save('flagged-porn.jpg', porn, 'noise (seed 1) ascended on Porn, JPEG q90');
// The Porn pattern stored rotated a quarter turn anticlockwise, with EXIF Orientation 6
// ("rotate 90° clockwise to display"): flagged only when orientation is honoured.
const pornPixels = await decodedFrame(porn);
const rotated = await raw(pornPixels).rotate(270).png().withMetadata({ orientation: 6 }).toBuffer();
const asDisplayed = await cpuScores(await decodedFrame(rotated));
const asStored = await cpuScores(await sharp(rotated).removeAlpha().raw().toBuffer());
console.log(`exif-rotated: as displayed ${fmt(asDisplayed)}; as stored ${fmt(asStored)}`);
if (asDisplayed[3]! < GOAL || asStored[3]! >= 0.5)
  throw new Error('the rotated PNG must be flagged only when its orientation is honoured');
await save(
  'flagged-porn-exif-rotated.png',
  rotated,
  `flagged-porn.jpg as decoded, pixels rotated 270°, PNG with EXIF Orientation 6 (as stored, without rotation: ${fmt(asStored)})`,
);

// (b) Clean synthetic drawings.
await save(
  'clean-shapes.jpg',
  await svg(320, 240, shapes(320, 240)).jpeg({ quality: 90 }).toBuffer(),
  'SVG gradient with a circle and a rectangle, JPEG q90',
);
await save(
  'clean-cartoon.png',
  await svg(256, 256, CARTOON).png().toBuffer(),
  'SVG smiley with outlines, PNG',
);
await save(
  'clean-landscape.png',
  await svg(320, 240, landscape(320, 240, '#0369a1', '#166534', 260))
    .png()
    .toBuffer(),
  'SVG sky, sun and ground (scored as Drawing), PNG',
);

// (c) An animation whose fourth of eight frames is flagged; the others are clean landscapes.
const FLAGGED_FRAME = 3;
const cleanFrames = await Promise.all(
  Array.from({ length: 8 }, (_, i) =>
    svg(S, S, landscape(S, S, ['#0369a1', '#1d4ed8', '#0e7490'][i % 3]!, '#166534', 40 + i * 18))
      .png()
      .toBuffer(),
  ),
);
const animation = async (rgb: Uint8Array) => {
  const frames = [...cleanFrames];
  frames[FLAGGED_FRAME] = await raw(rgb).png().toBuffer();
  return sharp(frames, { join: { animated: true } })
    .gif({ delay: 200, loop: 0 })
    .toBuffer();
};
await save(
  'animated-one-flagged.gif',
  await ascend('gif frame', 'Porn', await seededNoise(4), animation, {
    frame: FLAGGED_FRAME,
    gray: true,
  }),
  `8 frames of 224×224; frame ${FLAGGED_FRAME} is grey noise (seed 4, first channel) ascended on Porn through the GIF encoder, the others are clean landscapes`,
);

// Benchmark inputs, about one megapixel.
await save(
  'bench-flagged-1mp.jpg',
  await ascend('1 MP', 'Porn', pornPixels, jpeg1mp),
  'the Porn pattern enlarged to 1152×864 and re-ascended through the enlargement, JPEG q90',
);
await save(
  'bench-clean-1mp.jpg',
  await svg(1152, 864, landscape(1152, 864, '#1d4ed8', '#15803d', 900))
    .jpeg({ quality: 90 })
    .toBuffer(),
  '1152×864 SVG landscape, JPEG q90',
);

// (a), continued: the two other flagged classes.
await save(
  'flagged-hentai.jpg',
  await ascend('hentai', 'Hentai', await seededNoise(2), jpeg224),
  'noise (seed 2) ascended on Hentai, JPEG q90',
);
await save(
  'flagged-sexy.jpg',
  await ascend('sexy', 'Sexy', await seededNoise(3), jpeg224),
  'noise (seed 3) ascended on Sexy, JPEG q90',
);

// (c) Unusable inputs.
const clean = made.find((m) => m.file === 'clean-shapes.jpg')!.bytes;
await save(
  'corrupt.jpg',
  clean.subarray(0, Math.floor(clean.length * 0.6)),
  'clean-shapes.jpg cut to 60% of its bytes (a truncated upload)',
);
await save(
  'too-small.jpg',
  await svg(50, 50, shapes(50, 50)).jpeg({ quality: 90 }).toBuffer(),
  '50×50 px, below the 80 px minimum side',
);

// Scores through the production path: decoder + WASM worker pool.
const pool = await WorkerPool.start({
  // The fixtures were scored on tfjs-wasm when made; the ONNX conversion matches it (3e-6).
  nsfw: { kind: 'tfjs' },
  size: 2,
  queueLimit: 100,
  taskTimeoutMs: 60_000,
  startupTimeoutMs: 60_000,
  log: () => {},
  custom: [],
});
const scoreRows: string[] = [];
const errorRows: string[] = [];
const madeHow: string[] = [];
for (const { file, how, bytes } of made) {
  const meta = await sharp(bytes)
    .metadata()
    .catch(() => undefined);
  const size = meta
    ? `${meta.width}×${meta.height}${meta.pages ? `, ${meta.pages} frames` : ''}`
    : '';
  madeHow.push(`- \`${file}\` (${size}, ${bytes.length} bytes): ${how}.`);
  try {
    const decoded = await decodeForModel(bytes, { ...DEFAULT_DECODE_LIMITS, maxFrames: 1000 });
    const frames = await pool.classify({
      pixels: decoded.pixels,
      count: decoded.frames,
      sized: [],
    });
    frames.forEach((p, i) => {
      const name = frames.length > 1 ? `\`${file}\` frame ${i}` : `\`${file}\``;
      scoreRows.push(`| ${name} | ${p.nsfw.map((v) => (v * 100).toFixed(1)).join(' | ')} |`);
    });
  } catch (err) {
    const { code, detail } = err as { code?: string; detail?: string };
    errorRows.push(`| \`${file}\` | ${code ?? 'error'} | ${detail ?? (err as Error).message} |`);
  }
}
await pool.close();

const readme = join(OUT, 'README.md');
const text = `# Moderation test images

Made by \`node --import tsx scripts/make-test-images.ts\` (deterministic: seeded noise, fixed
SVGs). No image here shows anything: the "flagged" ones are adversarial noise that the bundled
NSFWJS MobileNetV2 model scores as one class with high confidence — iterated signed-gradient
steps on the model's log-probability of that class, each round encoded as stored (JPEG q90,
GIF, 1 MP upscale) and decoded by Vigil's decoder, so the stored file itself scores high.
The clean ones are plain synthetic drawings.

${madeHow.join('\n')}

Class probabilities (%) at generation time, through the production path: Vigil's decoder
(sharp: orientation, flatten, 224×224 fill) and the WASM worker pool. The tests in
\`src/moderation/local.test.ts\` hold flagged fixtures to ≥ 90% of their class and clean
ones to no label at MinConfidence 50.

| file | ${NSFW_CLASSES.join(' | ')} |
|---|${NSFW_CLASSES.map(() => '--:').join('|')}|
${scoreRows.join('\n')}

Refused, with Rekognition's error code:

| file | code | detail |
|---|---|---|
${errorRows.join('\n')}
`;
await writeFile(readme, await format(text, { ...(await resolveConfig(readme)), filepath: readme }));
console.log('wrote README.md');
