/** Starting this folder's worker threads from compiled JavaScript or from TypeScript sources. */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts `<name>.js` (or `<name>.ts` when running from sources: tests, tsx) next to this file.
 * On Node 20 a worker does not inherit the parent's loader, so from sources it registers tsx
 * itself before importing the module.
 */
export function startWorker(name: 'worker', options: WorkerOptions = {}): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const url = JSON.stringify(new URL(`./${name}.ts`, here).href);
    return new Worker(
      `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${url}); });`,
      { ...options, eval: true },
    );
  }
  return new Worker(new URL(`./${name}.js`, here), options);
}
