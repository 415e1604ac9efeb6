/** Starting worker threads from compiled JavaScript or from TypeScript sources. */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the module `<name>.js` next to `from` (an `import.meta.url`), or `<name>.ts` when
 * running from sources (tests, tsx). On Node 20 a worker does not inherit the parent's
 * loader, so from sources it registers tsx itself before importing the module.
 *
 * @example
 * const worker = startWorker(import.meta.url, 'hash-worker');
 */
export function startWorker(from: string, name: string, options: WorkerOptions = {}): Worker {
  if (from.endsWith('.ts')) {
    const url = JSON.stringify(new URL(`./${name}.ts`, from).href);
    return new Worker(
      `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${url}); });`,
      { ...options, eval: true },
    );
  }
  return new Worker(new URL(`./${name}.js`, from), options);
}
