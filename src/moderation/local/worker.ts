/**
 * A model worker: loads both models once (NSFWJS on tfjs-wasm, the ImageNet classifier on
 * ONNX Runtime), then scores the frames the pool sends it, one request at a time. Anything
 * it prints goes to the pool's log, not to the process's stdout.
 */
import { parentPort, threadId } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { objectMasses } from '../objects.js';
import { FRAME_BYTES } from './decode.js';
import { loadImagenetModel } from './imagenet.js';
import { classifyFrames, loadNsfwModel, tensorMemory, useWasmBackend } from './model.js';
import type { FrameScores, FromWorker, ToWorker } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('worker.ts runs only as a worker thread');

const started = performance.now();
tf.enableProdMode();
await useWasmBackend();
const [nsfw, imagenet] = await Promise.all([loadNsfwModel(), loadImagenetModel()]);
// ONNX Runtime sizes its buffers on the first run: pay for it here, not on a user's image.
// (NSFWJS's load() already ran its own warm-up inference.)
await imagenet.classify(new Uint8Array(FRAME_BYTES));
let classified = 0;

const send = (message: FromWorker) => port.postMessage(message);

async function score(pixels: Uint8Array, count: number): Promise<FrameScores[]> {
  const nsfwRows = await classifyFrames(nsfw, pixels, count);
  const frames: FrameScores[] = [];
  for (let i = 0; i < count; i++) {
    const frame = pixels.subarray(i * FRAME_BYTES, (i + 1) * FRAME_BYTES);
    frames.push({ nsfw: nsfwRows[i]!, objects: objectMasses(await imagenet.classify(frame)) });
  }
  return frames;
}

async function handle(message: ToWorker): Promise<void> {
  if (message.kind === 'stats') {
    const { numTensors, numBytes } = tensorMemory();
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
send({ kind: 'ready', backend: tf.getBackend(), loadMs: Math.round(performance.now() - started) });
