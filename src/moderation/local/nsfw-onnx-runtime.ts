/**
 * NSFWJS's MobileNetV2 on ONNX Runtime, from the file `nsfw-onnx/` converts its bundled
 * weights into (equal to the tfjs model within float32 rounding: 3e-6 over 117 images, see
 * nsfw-onnx/equivalence.test.ts), about 2.5× faster than tfjs-wasm and without a
 * WebAssembly heap per worker.
 */
import * as ort from 'onnxruntime-node';
import { singleThreadSession } from './onnx-session.js';
import { NSFW_CLASSES } from '../taxonomy.js';
import { FRAME_BYTES, MODEL_INPUT_SIZE } from './decode.js';
import { NSFW_ONNX_INPUT, NSFW_ONNX_OUTPUT } from './nsfw-onnx/names.js';

export interface NsfwModel {
  /** NSFWJS's five class probabilities (NSFW_CLASSES order), one row per frame. */
  classifyFrames(pixels: Uint8Array, count: number): Promise<number[][]>;
}

/** Loads the converted model, one thread per session (one worker per core). */
export async function loadNsfwOnnxModel(file: string): Promise<NsfwModel> {
  const session = await singleThreadSession(file);
  return {
    async classifyFrames(pixels, count) {
      if (pixels.length !== count * FRAME_BYTES)
        throw new Error(
          `Expected ${count} frames of ${MODEL_INPUT_SIZE}×${MODEL_INPUT_SIZE}×3 bytes`,
        );
      // Same normalisation as NSFWJS's infer(): bytes / 255, no mean subtraction; NHWC.
      const input = new Float32Array(pixels.length);
      for (let i = 0; i < pixels.length; i++) input[i] = pixels[i]! / 255;
      const shape = [count, MODEL_INPUT_SIZE, MODEL_INPUT_SIZE, 3];
      const results = await session.run({
        [NSFW_ONNX_INPUT]: new ort.Tensor('float32', input, shape),
      });
      const data = results[NSFW_ONNX_OUTPUT]?.data;
      const width = NSFW_CLASSES.length;
      if (!(data instanceof Float32Array) || data.length !== count * width)
        throw new Error(`${file} did not answer ${count} rows of ${width} probabilities`);
      return Array.from({ length: count }, (_, i) =>
        Array.from(data.subarray(i * width, (i + 1) * width)),
      );
    },
  };
}
