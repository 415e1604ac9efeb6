/**
 * NSFWJS's MobileNetV2 as an ONNX model for ONNX Runtime, converted in Node from the weights
 * bundled in the installed `nsfwjs` package.
 */
import { join } from 'node:path';
import { cachedFile } from './cache.js';
import { nsfwOnnxFileName } from './names.js';
import { convertNsfwjs } from './nsfwjs-onnx.js';

/**
 * The path of `<cacheDir>/nsfwjs-mobilenetv2-<nsfwjs version>-<converter version>.onnx`,
 * converting it on first use (about 2 s; it loads the tfjs model on the WASM backend of the
 * calling thread to read the weights).
 *
 * The model reads input `input`, float32 [batch, 224, 224, 3]: RGB bytes / 255, as NSFWJS
 * feeds tfjs. It answers `probabilities`, float32 [batch, 5]: the softmax over Drawing,
 * Hentai, Neutral, Porn, Sexy, equal to the tfjs model's output within float32 rounding.
 *
 * @example
 * const file = await nsfwOnnxModel(join(dataDir, 'models'));
 * const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1 });
 */
export function nsfwOnnxModel(cacheDir: string): Promise<string> {
  return cachedFile(join(cacheDir, nsfwOnnxFileName()), convertNsfwjs);
}
