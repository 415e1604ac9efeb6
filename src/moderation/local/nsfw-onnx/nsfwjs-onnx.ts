/**
 * NSFWJS's bundled MobileNetV2 → ONNX model bytes: read through tfjs (read-nsfwjs.ts),
 * mapped layer by layer (convert.ts), encoded (serialize.ts).
 */
import { NSFW_CLASSES } from '../../taxonomy.js';
import { kerasToOnnx } from './convert.js';
import { nsfwjsVersion } from '../nsfwjs-version.js';
import { CONVERTER_VERSION, NSFW_ONNX_INPUT, NSFW_ONNX_OUTPUT } from './names.js';
import { readNsfwjsModel } from './read-nsfwjs.js';
import { serializeModel } from './serialize.js';

export async function convertNsfwjs(): Promise<Uint8Array> {
  const graph = kerasToOnnx(await readNsfwjsModel(), {
    input: NSFW_ONNX_INPUT,
    output: NSFW_ONNX_OUTPUT,
  });
  const classes = NSFW_CLASSES.join(',');
  return serializeModel(
    { ...graph, name: 'nsfwjs-mobilenetv2' },
    {
      producerVersion: CONVERTER_VERSION,
      docString:
        `NSFWJS ${nsfwjsVersion()} MobileNetV2, converted from its bundled tfjs weights. ` +
        `Input: float32 [batch, 224, 224, 3], RGB bytes / 255. Output: softmax over ${classes}.`,
      metadata: { source: `nsfwjs@${nsfwjsVersion()} MobileNetV2`, classes },
    },
  );
}
