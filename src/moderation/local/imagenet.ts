/**
 * The ImageNet-1k MobileNetV2 (int8, ONNX Model Zoo; models/imagenet-mobilenetv2/) on ONNX
 * Runtime's CPU provider: the model behind the weapons, drugs, alcohol, gambling and swimwear
 * labels (see ../objects.ts). It reads the same 224×224 RGB frames as NSFWJS, so an image is
 * decoded once for both models.
 */
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { singleThreadSession } from './onnx-session.js';
import { IMAGENET_CLASSES } from '../objects.js';
import { MODEL_INPUT_SIZE } from './decode.js';

/** The model file shipped in the repository (Apache-2.0; provenance in its README). */
export const IMAGENET_MODEL_FILE = fileURLToPath(
  new URL('../../../models/imagenet-mobilenetv2/mobilenetv2-12-int8.onnx', import.meta.url),
);
/** Names the model in `ModerationModelVersion`. */
export const IMAGENET_MODEL_VERSION = 'imagenet-mobilenetv2-12-int8';

// torchvision's ImageNet normalisation, which the zoo's model was trained with.
const MEAN = [0.485, 0.456, 0.406] as const;
const STD = [0.229, 0.224, 0.225] as const;
const PLANE = MODEL_INPUT_SIZE * MODEL_INPUT_SIZE;

export interface ImagenetModel {
  /** The softmax over the 1000 classes for one 224×224×3 RGB frame. */
  classify(frame: Uint8Array): Promise<Float32Array>;
  release(): Promise<void>;
}

/** Loads the model, on one thread (see onnx-session.ts). */
export async function loadImagenetModel(file = IMAGENET_MODEL_FILE): Promise<ImagenetModel> {
  const session = await singleThreadSession(file);
  const [input] = session.inputNames;
  const [output] = session.outputNames;
  if (input === undefined || output === undefined)
    throw new Error(`${file} has no input or no output`);
  const planes = new Float32Array(3 * PLANE);
  return {
    async classify(frame) {
      if (frame.length !== 3 * PLANE)
        throw new Error(`Expected one ${MODEL_INPUT_SIZE}×${MODEL_INPUT_SIZE}×3 frame`);
      toNormalisedPlanes(frame, planes);
      const tensor = new ort.Tensor('float32', planes, [1, 3, MODEL_INPUT_SIZE, MODEL_INPUT_SIZE]);
      const results = await session.run({ [input]: tensor });
      const logits = results[output]?.data;
      if (!(logits instanceof Float32Array) || logits.length !== IMAGENET_CLASSES)
        throw new Error(`${file} did not answer ${IMAGENET_CLASSES} logits`);
      return softmax(logits);
    },
    release: () => session.release(),
  };
}

/** Interleaved RGB bytes (HWC) → three normalised planes (CHW), as the model reads them. */
export function toNormalisedPlanes(frame: Uint8Array, into: Float32Array): void {
  for (let i = 0; i < PLANE; i++)
    for (let c = 0; c < 3; c++)
      into[c * PLANE + i] = (frame[i * 3 + c]! / 255 - MEAN[c]!) / STD[c]!;
}

/** Probabilities from logits, shifted by the maximum so exp() cannot overflow. */
export function softmax(logits: Float32Array): Float32Array {
  let max = -Infinity;
  for (const x of logits) max = Math.max(max, x);
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i]! - max);
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / sum;
  return out;
}
