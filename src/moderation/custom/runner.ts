/**
 * A user model in a model worker: an ONNX Runtime session (one thread, like the bundled
 * models) checked against its config when it loads — input shape, output size against the
 * labels file, output kind — so a wrong declaration fails the start, naming the model and
 * its file, instead of judging images with nonsense.
 */
import * as ort from 'onnxruntime-node';
import { singleThreadSession } from '../local/onnx-session.js';
import type { CustomModelRuntime } from './prepare.js';
import { inputDims, outputProblem, toModelInput, toProbabilities } from './tensors.js';

export interface CustomModel {
  readonly spec: CustomModelRuntime;
  /** Class probabilities for one frame of `spec.width × spec.height` RGB bytes. */
  classify(frame: Uint8Array): Promise<Float32Array>;
}

/** Loads and checks one model; every error names the model and its file. */
export async function loadCustomModel(spec: CustomModelRuntime): Promise<CustomModel> {
  const fail = (detail: string) =>
    new Error(`Custom model '${spec.name}' (${spec.file}): ${detail}`);
  let session: ort.InferenceSession;
  try {
    session = await singleThreadSession(spec.file);
  } catch (error) {
    throw fail(`ONNX Runtime cannot load it: ${(error as Error).message}`);
  }
  const [input] = session.inputNames;
  const [output] = session.outputNames;
  if (input === undefined || output === undefined) throw fail('it has no input or no output');
  const dims = inputDims(spec);
  const declared = session.inputMetadata[0];
  if (declared?.isTensor && declared.shape.length > 0) {
    const fits =
      declared.shape.length === dims.length &&
      declared.shape.every((d, i) => typeof d !== 'number' || d === dims[i] || i === 0);
    if (!fits)
      throw fail(
        `its input is [${declared.shape.join(', ')}] but the config declares ${spec.layout} ${spec.width}×${spec.height}, i.e. [${dims.join(', ')}]; check "inputSize" ([width, height]) and "layout"`,
      );
  }
  const run = async (frame: Uint8Array): Promise<Float32Array> => {
    const feeds = { [input]: new ort.Tensor('float32', toModelInput(frame, spec), dims) };
    const values = (await session.run(feeds))[output]?.data;
    if (!(values instanceof Float32Array)) throw fail('its first output is not float32');
    if (values.length !== spec.classes)
      throw fail(
        `its output has ${values.length} values but its labels file ${spec.labelsFile} has ${spec.classes} lines; they must match, one class name per output, in order`,
      );
    return values;
  };
  // A mid-grey frame: sizes ONNX Runtime's buffers and checks the output before any image.
  const warm = await run(new Uint8Array(spec.width * spec.height * 3).fill(128)).catch(
    (error: Error) => {
      throw error.message.startsWith('Custom model') ? error : fail(error.message);
    },
  );
  const problem = outputProblem(warm, spec.output);
  if (problem) throw fail(problem);
  return {
    spec,
    classify: async (frame) => toProbabilities(await run(frame), spec.output),
  };
}
