/** Starting this folder's model worker (see src/threads). */
import type { Worker, WorkerOptions } from 'node:worker_threads';
import { startWorker as startWorkerNextTo } from '../../threads/index.js';

/** Starts `worker.js` (or `worker.ts` from sources) next to this file. */
export function startWorker(name: 'worker', options: WorkerOptions = {}): Worker {
  return startWorkerNextTo(import.meta.url, name, options);
}
