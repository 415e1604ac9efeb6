/**
 * A model worker: loads both models once — NSFWJS on ONNX Runtime (or on tfjs-wasm when the
 * pool says so; see nsfw-runtime.ts) and the ImageNet classifier on ONNX Runtime — then
 * scores the frames the pool sends it, one request at a time. Anything it prints goes to the
 * pool's log, not to the process's stdout.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { loadCustomModel, type CustomModel } from '../custom/runner.js';
import type { CustomModelRuntime } from '../custom/prepare.js';
import { objectMasses } from '../objects.js';
import { FRAME_BYTES, MODEL_INPUT_SIZE } from './decode.js';
import { loadImagenetModel, type ImagenetModel } from './imagenet.js';
import { loadNsfwOnnxModel, type NsfwModel } from './nsfw-onnx-runtime.js';
import type { NsfwRuntime } from './nsfw-runtime.js';
import type { FrameBatch, FrameScores, FromWorker, ToWorker } from './protocol.js';
import { sizeKey } from './sized-frames.js';

const port = parentPort;
if (!port) throw new Error('worker.ts runs only as a worker thread');
const { nsfw: runtime, custom: customSpecs } = workerData as {
  nsfw: NsfwRuntime;
  custom: CustomModelRuntime[];
};

/** NSFWJS on tfjs-wasm, imported only when needed: tfjs costs ~50 MB and a wasm heap. */
interface TensorCount {
  numTensors: number;
  numBytes: number;
}

async function loadNsfwTfjs(): Promise<NsfwModel & { tensors(): TensorCount }> {
  const tfjs = await import('./model.js');
  const tf = await import('@tensorflow/tfjs');
  tf.enableProdMode();
  await tfjs.useWasmBackend();
  const model = await tfjs.loadNsfwModel();
  return {
    classifyFrames: (pixels, count) => tfjs.classifyFrames(model, pixels, count),
    tensors: tfjs.tensorMemory,
  };
}

const started = performance.now();
// A user model that fails to load fails the worker, and so the backend's start, with its
// reason (runner.ts): never a backend that silently runs without it.
const [nsfw, imagenet, custom]: [
  NsfwModel & { tensors?: () => TensorCount },
  ImagenetModel,
  CustomModel[],
] = await Promise.all([
  runtime.kind === 'onnx' ? loadNsfwOnnxModel(runtime.file) : loadNsfwTfjs(),
  loadImagenetModel(),
  Promise.all(customSpecs.map(loadCustomModel)),
]);
// ONNX Runtime sizes its buffers on the first run: pay for it here, not on a user's image.
// (NSFWJS's tfjs load() already ran its own warm-up inference.)
const blank = new Uint8Array(FRAME_BYTES);
await Promise.all([imagenet.classify(blank), nsfw.classifyFrames(blank, 1)]);
let classified = 0;

const send = (message: FromWorker) => port.postMessage(message);

/** Frame `i` at a user model's input size: the 224×224 frames, or the batch's own size. */
function frameFor(model: CustomModel, batch: FrameBatch, i: number): Uint8Array {
  const { width, height } = model.spec;
  const pixels =
    width === MODEL_INPUT_SIZE && height === MODEL_INPUT_SIZE
      ? batch.pixels
      : batch.sized.find((s) => sizeKey(s) === sizeKey(model.spec))?.pixels;
  if (!pixels) throw new Error(`no ${width}×${height} frames for model '${model.spec.name}'`);
  const bytes = width * height * 3;
  return pixels.subarray(i * bytes, (i + 1) * bytes);
}

async function score(batch: FrameBatch): Promise<FrameScores[]> {
  const { pixels, count } = batch;
  const nsfwRows = await nsfw.classifyFrames(pixels, count);
  const frames: FrameScores[] = [];
  for (let i = 0; i < count; i++) {
    const frame = pixels.subarray(i * FRAME_BYTES, (i + 1) * FRAME_BYTES);
    const objects = objectMasses(await imagenet.classify(frame));
    const scores: Float32Array[] = [];
    for (const model of custom) scores.push(await model.classify(frameFor(model, batch, i)));
    frames.push({ nsfw: nsfwRows[i]!, objects, custom: scores });
  }
  return frames;
}

async function handle(message: ToWorker): Promise<void> {
  if (message.kind === 'stats') {
    // tfjs counts its live tensors; ONNX Runtime keeps none between requests.
    const { numTensors, numBytes } = nsfw.tensors?.() ?? { numTensors: 0, numBytes: 0 };
    send({ kind: 'stats', id: message.id, threadId, numTensors, numBytes, classified });
    return;
  }
  try {
    const frames = await score(message.frames);
    classified += message.frames.count;
    send({ kind: 'result', id: message.id, frames });
  } catch (err) {
    send({ kind: 'failed', id: message.id, message: (err as Error).message });
  }
}

port.on('message', (message: ToWorker) => void handle(message));
send({
  kind: 'ready',
  backend: runtime.kind === 'onnx' ? 'onnxruntime' : 'tfjs-wasm',
  loadMs: Math.round(performance.now() - started),
});
