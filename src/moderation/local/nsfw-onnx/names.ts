/**
 * The converted model's names, in a module of their own: the model workers and the main
 * thread need them, and importing the converter would load tfjs (~50 MB) into each of them.
 */
import { nsfwjsVersion } from '../nsfwjs-version.js';

/**
 * Bump whenever the converter's output can change (op mapping, fusions, names, opset): the
 * cached file's name carries it, so an upgraded Vigil never reads an older conversion.
 */
export const CONVERTER_VERSION = '1';

export const NSFW_ONNX_INPUT = 'input';
export const NSFW_ONNX_OUTPUT = 'probabilities';

/** The cached model's file name, e.g. `nsfwjs-mobilenetv2-4.3.0-1.onnx`. */
export const nsfwOnnxFileName = () =>
  `nsfwjs-mobilenetv2-${nsfwjsVersion()}-${CONVERTER_VERSION}.onnx`;
