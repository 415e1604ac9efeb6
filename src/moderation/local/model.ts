/**
 * The NSFWJS MobileNetV2 model on TensorFlow.js's WebAssembly backend, loaded from the
 * weights bundled in the `nsfwjs` npm package and the `.wasm` binaries of
 * `@tensorflow/tfjs-backend-wasm` — never from the network.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import { load, type NSFWJS } from 'nsfwjs/core';
import { MobileNetV2Model } from 'nsfwjs/models/mobilenet_v2';
import { MODEL_INPUT_SIZE } from './decode.js';

const require = createRequire(import.meta.url);

/** Selects the WASM backend with the binaries installed next to its package's `main` file. */
export async function useWasmBackend(): Promise<void> {
  // In Node the prefix is a directory on disk; emscripten reads the .wasm file from there.
  setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + sep);
  if (!(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js WASM backend failed to start');
  await tf.ready();
}

/** Loads the bundled MobileNetV2 weights (about 2.6 MB) and warms the model up once. */
export async function loadNsfwModel(): Promise<NSFWJS> {
  return load('MobileNetV2', { modelDefinitions: [MobileNetV2Model] });
}

/**
 * Class probabilities for `count` frames, one frame per inference: a batch of eight would be
 * only ~8% faster on the WASM backend but would raise the WebAssembly heap — which never
 * shrinks — by the activations of eight images. Every intermediate tensor is freed
 * (tf.tidy) and each output disposed once read: leaked tensors are the most reported NSFWJS
 * problem.
 */
export async function classifyFrames(
  model: NSFWJS,
  pixels: Uint8Array,
  count: number,
): Promise<number[][]> {
  const frameBytes = MODEL_INPUT_SIZE * MODEL_INPUT_SIZE * 3;
  if (pixels.length !== count * frameBytes)
    throw new Error(`Expected ${count} frames of ${MODEL_INPUT_SIZE}×${MODEL_INPUT_SIZE}×3 bytes`);
  const shape: [number, number, number, number] = [1, MODEL_INPUT_SIZE, MODEL_INPUT_SIZE, 3];
  const rows: number[][] = [];
  for (let i = 0; i < count; i++) {
    const frame = pixels.subarray(i * frameBytes, (i + 1) * frameBytes);
    // Same normalisation as NSFWJS's infer(): bytes / 255, no mean subtraction.
    const output = tf.tidy(
      () => model.model.predict(tf.tensor4d(frame, shape, 'float32').div(255)) as tf.Tensor,
    );
    try {
      rows.push(Array.from(await output.data()));
    } finally {
      output.dispose();
    }
  }
  return rows;
}

export const tensorMemory = () => tf.memory();
