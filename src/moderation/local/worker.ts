/**
 * A model worker: loads the model once, then classifies the frames the pool sends it, one
 * request at a time. Anything it prints goes to the pool's log, not to the process's stdout.
 */
import { parentPort, threadId } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { classifyFrames, loadNsfwModel, tensorMemory, useWasmBackend } from './model.js';
import type { FromWorker, ToWorker } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('worker.ts runs only as a worker thread');

const started = performance.now();
tf.enableProdMode();
await useWasmBackend();
const model = await loadNsfwModel();
let classified = 0;

const send = (message: FromWorker) => port.postMessage(message);

async function handle(message: ToWorker): Promise<void> {
  if (message.kind === 'stats') {
    const { numTensors, numBytes } = tensorMemory();
    send({ kind: 'stats', id: message.id, threadId, numTensors, numBytes, classified });
    return;
  }
  try {
    const probabilities = await classifyFrames(model, message.pixels, message.count);
    classified += message.count;
    send({ kind: 'result', id: message.id, probabilities });
  } catch (err) {
    send({ kind: 'failed', id: message.id, message: (err as Error).message });
  }
}

port.on('message', (message: ToWorker) => void handle(message));
send({ kind: 'ready', backend: tf.getBackend(), loadMs: Math.round(performance.now() - started) });
