/**
 * A one-off child process that converts NSFWJS to ONNX (nsfw-onnx/) into the cache directory
 * named by its argument, answers over IPC and exits. A process, not a worker thread: the
 * conversion reads the weights through tfjs, and memory a thread used stays in the server's
 * heap after the thread ends (measured: ~40 MiB of RSS on a data directory's first start).
 */
import { nsfwOnnxModel } from './nsfw-onnx/index.js';

const [cacheDir] = process.argv.slice(2);
const answer = (message: { file: string } | { error: string }) =>
  new Promise<void>((resolve) => {
    if (!process.send) throw new Error('convert-process.ts runs only as a forked child');
    process.send(message, () => resolve());
  });
try {
  if (cacheDir === undefined) throw new Error('no cache directory given');
  await answer({ file: await nsfwOnnxModel(cacheDir) });
} catch (error) {
  await answer({ error: error instanceof Error ? error.message : String(error) });
}
process.disconnect?.();
