/**
 * The ImageNet-1k MobileNetV2 (int8, ONNX Model Zoo; models/imagenet-mobilenetv2/) on ONNX
 * Runtime's CPU provider: the model behind the weapons, drugs, alcohol, gambling and swimwear
 * labels (see ../objects.ts). It reads the same 224×224 RGB frames as NSFWJS, so an image is
 * decoded once for both models.
 */
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { NORMALISATION_PRESETS } from '../custom/schema.js';
import {
  inputDims,
  toModelInput,
  toProbabilities,
  type ModelInputSpec,
} from '../custom/tensors.js';
import { IMAGENET_CLASSES } from '../objects.js';
import { MODEL_INPUT_SIZE } from './decode.js';
import { singleThreadSession } from './onnx-session.js';

/** The model file shipped in the repository (Apache-2.0; provenance in its README). */
export const IMAGENET_MODEL_FILE = fileURLToPath(
  new URL('../../../models/imagenet-mobilenetv2/mobilenetv2-12-int8.onnx', import.meta.url),
);
/** Names the model in `ModerationModelVersion`. */
export const IMAGENET_MODEL_VERSION = 'imagenet-mobilenetv2-12-int8';

/** What the model reads: NCHW RGB with torchvision's ImageNet normalisation (its training). */
const INPUT: ModelInputSpec = {
  width: MODEL_INPUT_SIZE,
  height: MODEL_INPUT_SIZE,
  layout: 'nchw',
  channels: 'rgb',
  normalisation: NORMALISATION_PRESETS.imagenet,
};

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
  return {
    async classify(frame) {
      const tensor = new ort.Tensor('float32', toModelInput(frame, INPUT), inputDims(INPUT));
      const results = await session.run({ [input]: tensor });
      const logits = results[output]?.data;
      if (!(logits instanceof Float32Array) || logits.length !== IMAGENET_CLASSES)
        throw new Error(`${file} did not answer ${IMAGENET_CLASSES} logits`);
      return toProbabilities(logits, 'logits');
    },
    release: () => session.release(),
  };
}
