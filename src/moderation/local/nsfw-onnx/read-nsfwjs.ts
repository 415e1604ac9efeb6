/**
 * The NSFWJS MobileNetV2 model as installed in node_modules/nsfwjs, read through TensorFlow.js
 * exactly as Vigil's tfjs path loads it — so the converter never parses the weight bundles
 * itself and sees the same dequantised float32 weights the tfjs model computes with.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadNsfwModel, useWasmBackend } from '../model.js';
import { readKerasModel, type KerasModel } from './keras-model.js';

const require = createRequire(import.meta.url);

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

/**
 * The installed nsfwjs version. Its package.json is not in the package's `exports`, so it is
 * found beside the resolved entry point.
 */
export function nsfwjsVersion(): string {
  for (let dir = dirname(require.resolve('nsfwjs')); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'nsfwjs' && pkg.version) return pkg.version;
    } catch {
      // No package.json at this level (or the nested one without a name): look further up.
    }
  }
  throw new Error('The installed nsfwjs package has no readable version');
}
