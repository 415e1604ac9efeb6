/**
 * A model worker: loads both models once — NSFWJS on ONNX Runtime (or on tfjs-wasm when the
 * pool says so; see nsfw-runtime.ts) and the ImageNet classifier on ONNX Runtime — then
 * scores the frames the pool sends it, one request at a time. Anything it prints goes to the
 * pool's log, not to the process's stdout.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { objectMasses } from '../objects.js';
import { FRAME_BYTES } from './decode.js';
import { loadImagenetModel, type ImagenetModel } from './imagenet.js';
import { loadNsfwOnnxModel, type NsfwModel } from './nsfw-onnx-runtime.js';
import type { NsfwRuntime } from './nsfw-runtime.js';
import type { FrameScores, FromWorker, ToWorker } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('worker.ts runs only as a worker thread');
const { nsfw: runtime } = workerData as { nsfw: NsfwRuntime };

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
const [nsfw, imagenet]: [NsfwModel & { tensors?: () => TensorCount }, ImagenetModel] =
  await Promise.all([
    runtime.kind === 'onnx' ? loadNsfwOnnxModel(runtime.file) : loadNsfwTfjs(),
    loadImagenetModel(),
  ]);
// ONNX Runtime sizes its buffers on the first run: pay for it here, not on a user's image.
// (NSFWJS's tfjs load() already ran its own warm-up inference.)
const blank = new Uint8Array(FRAME_BYTES);
await Promise.all([imagenet.classify(blank), nsfw.classifyFrames(blank, 1)]);
let classified = 0;

const send = (message: FromWorker) => port.postMessage(message);

async function score(pixels: Uint8Array, count: number): Promise<FrameScores[]> {
  const nsfwRows = await nsfw.classifyFrames(pixels, count);
  const frames: FrameScores[] = [];
  for (let i = 0; i < count; i++) {
    const frame = pixels.subarray(i * FRAME_BYTES, (i + 1) * FRAME_BYTES);
    frames.push({ nsfw: nsfwRows[i]!, objects: objectMasses(await imagenet.classify(frame)) });
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
    const frames = await score(message.pixels, message.count);
    classified += message.count;
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
