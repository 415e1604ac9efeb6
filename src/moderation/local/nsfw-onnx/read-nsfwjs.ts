/**
 * The NSFWJS MobileNetV2 model as installed in node_modules/nsfwjs, read through TensorFlow.js
 * exactly as Vigil's tfjs path loads it — so the converter never parses the weight bundles
 * itself and sees the same dequantised float32 weights the tfjs model computes with.
 */
import { loadNsfwModel, useWasmBackend } from '../model.js';
import { readKerasModel, type KerasModel } from './keras-model.js';

/** Loads the bundled model on the WASM backend, reads it, and frees its tensors. */
export async function readNsfwjsModel(): Promise<KerasModel> {
  await useWasmBackend();
  const nsfwjs = await loadNsfwModel();
  try {
    if (!('layers' in nsfwjs.model))
      throw new Error(
        'NSFWJS MobileNetV2 loaded as a GraphModel; the converter reads Keras layers',
      );
    return readKerasModel(nsfwjs.model);
  } finally {
    nsfwjs.dispose();
  }
}
