/**
 * The converted model against the tfjs model Vigil runs today (WASM backend, through
 * model.ts's classifyFrames), on the repository's images and deterministic variants of them.
 *
 * Tolerance: 1e-4 per class probability. Both runtimes compute in float32 with the same
 * weights; only summation order, FMA use and the folded BN change the rounding, which
 * measures ~1e-6 here. A mapping mistake (a pad on the wrong side, a transposed kernel, a
 * Flatten in the wrong order) moves probabilities by 1e-2 or more — seen when each was
 * introduced on purpose in convert.test.ts — so 1e-4 separates the two by two orders of
 * magnitude either way, and leaves room for other CPUs' kernels (AVX-512, ARM NEON).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_INPUT_SIZE } from '../decode.js';
import { classifyFrames, loadNsfwModel, useWasmBackend } from '../model.js';
import { nsfwOnnxModel } from './index.js';
import { testFrames, type TestFrame } from './test-images.test-helper.js';

const TOLERANCE = 1e-4;

let cacheDir: string;
let converted: { file: string; mtimeMs: number };
let session: ort.InferenceSession;
let frames: TestFrame[];

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'vigil-nsfw-onnx-'));
  const file = await nsfwOnnxModel(cacheDir);
  converted = { file, mtimeMs: (await stat(file)).mtimeMs };
  session = await ort.InferenceSession.create(file, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  frames = await testFrames();
}, 120_000);

afterAll(async () => {
  await session?.release();
  await rm(cacheDir, { recursive: true, force: true });
});

async function onnxProbabilities(pixels: Uint8Array): Promise<Float32Array> {
  // NSFWJS's normalisation, as classifyFrames applies it before tfjs.
  const input = Float32Array.from(pixels, (b) => b / 255);
  const shape = [1, MODEL_INPUT_SIZE, MODEL_INPUT_SIZE, 3];
  const result = await session.run({ input: new ort.Tensor('float32', input, shape) });
  return result.probabilities!.data as Float32Array;
}

const argmax = (p: ArrayLike<number>) => Array.from(p).indexOf(Math.max(...Array.from(p)));

describe('NSFWJS on ONNX Runtime', () => {
  it('answers what the tfjs WASM model answers, on 50+ images', async () => {
    expect(frames.length).toBeGreaterThanOrEqual(50);
    await useWasmBackend();
    const tfjs = await loadNsfwModel();
    let worst = { diff: 0, label: '' };
    const winners = new Set<number>();
    try {
      for (const { label, pixels } of frames) {
        const [expected] = await classifyFrames(tfjs, pixels, 1);
        const actual = await onnxProbabilities(pixels);
        expect(actual.length).toBe(5);
        expected!.forEach((p, c) => {
          const diff = Math.abs(actual[c]! - p);
          if (diff > worst.diff) worst = { diff, label };
        });
        const sorted = [...expected!].sort((a, b) => b - a);
        // A near tie may legitimately flip; none of these images has one.
        if (sorted[0]! - sorted[1]! > 2 * TOLERANCE)
          expect(argmax(actual), label).toBe(argmax(expected!));
        winners.add(argmax(expected!));
      }
    } finally {
      tfjs.dispose();
    }
    console.log(
      `${frames.length} frames; max |ONNX − tfjs| = ${worst.diff.toExponential(2)} (${worst.label})`,
    );
    expect(worst.diff).toBeLessThanOrEqual(TOLERANCE);
    // The set spans several classes, so the comparison is not all on one saturated output.
    expect(winners.size).toBeGreaterThanOrEqual(3);
  }, 300_000);

  it('takes a batch of several frames at once', async () => {
    const [a, b] = frames;
    const input = Float32Array.from([...a!.pixels, ...b!.pixels], (x) => x / 255);
    const shape = [2, MODEL_INPUT_SIZE, MODEL_INPUT_SIZE, 3];
    const result = await session.run({ input: new ort.Tensor('float32', input, shape) });
    const batch = result.probabilities!.data as Float32Array;
    const one = [...(await onnxProbabilities(a!.pixels)), ...(await onnxProbabilities(b!.pixels))];
    batch.forEach((p, i) => expect(p).toBeCloseTo(one[i]!, 6));
  });

  it('reuses the cached file instead of converting again', async () => {
    const file = await nsfwOnnxModel(cacheDir);
    expect(file).toBe(converted.file);
    expect(file).toMatch(/\/nsfwjs-mobilenetv2-\d+\.\d+\.\d+-\d+\.onnx$/);
    expect((await stat(file)).mtimeMs).toBe(converted.mtimeMs);
  });
});
