/**
 * A one-off worker that converts NSFWJS to ONNX (nsfw-onnx/) into the cache directory it is
 * given and exits: the conversion reads the weights through tfjs, whose WebAssembly heap
 * should not stay in any long-lived thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { nsfwOnnxModel } from './nsfw-onnx/index.js';

const port = parentPort;
if (!port) throw new Error('convert-worker.ts runs only as a worker thread');
const { cacheDir } = workerData as { cacheDir: string };
try {
  port.postMessage({ file: await nsfwOnnxModel(cacheDir) });
} catch (error) {
  port.postMessage({ error: error instanceof Error ? error.message : String(error) });
}
