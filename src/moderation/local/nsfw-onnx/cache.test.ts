import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cachedFile } from './cache.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bytes = (fill: number, size = 1024) => new Uint8Array(size).fill(fill);

describe('cachedFile', () => {
  it('produces the file once and then reuses it', async () => {
    let calls = 0;
    const produce = () => Promise.resolve(bytes(++calls));
    const file = join(dir, 'models', 'm.onnx');
    expect(await cachedFile(file, produce)).toBe(file);
    expect(await cachedFile(file, produce)).toBe(file);
    expect(calls).toBe(1);
    expect(await readFile(file)).toEqual(Buffer.from(bytes(1)));
  });

  it('shares one production between concurrent callers in a thread', async () => {
    let calls = 0;
    const produce = async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return bytes(7);
    };
    const file = join(dir, 'm.onnx');
    await Promise.all([cachedFile(file, produce), cachedFile(file, produce)]);
    expect(calls).toBe(1);
  });

  it('leaves neither the file nor a temporary one when production fails, and retries', async () => {
    const file = join(dir, 'm.onnx');
    await expect(cachedFile(file, () => Promise.reject(new Error('no weights')))).rejects.toThrow(
      'no weights',
    );
    expect(await readdir(dir)).toEqual([]);
    await cachedFile(file, () => Promise.resolve(bytes(2)));
    expect(await readdir(dir)).toEqual(['m.onnx']);
  });

  it('never reads a half-written file left by a crash: only whole files get the name', async () => {
    const file = join(dir, 'm.onnx');
    // What a crash mid-write leaves: a temporary file, not the cache name.
    await writeFile(`${file}.123-0-crashed.tmp`, bytes(9, 10));
    await cachedFile(file, () => Promise.resolve(bytes(3)));
    expect(await readFile(file)).toEqual(Buffer.from(bytes(3)));
  });

  it('keeps a whole file when two worker threads write it at once', async () => {
    const file = join(dir, 'm.onnx');
    const size = 8 * 1024 * 1024;
    // Each thread writes 8 MB of its own byte value, so a mix of the two would show.
    const results = await Promise.all([1, 2].map((fill) => inWorker(file, fill, size)));
    expect(results).toEqual([file, file]);
    const written = await readFile(file);
    expect(written.length).toBe(size);
    expect([1, 2]).toContain(written[0]);
    expect(written.every((b) => b === written[0])).toBe(true);
    expect(await readdir(dir)).toEqual(['m.onnx']);
  });
});

/** Runs cachedFile in a new worker thread (registering tsx there, as pool.ts does). */
function inWorker(file: string, fill: number, size: number): Promise<string> {
  const cache = JSON.stringify(new URL('./cache.ts', import.meta.url).href);
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    import('tsx/esm/api')
      .then((tsx) => { tsx.register(); return import(${cache}); })
      .then(({ cachedFile }) =>
        cachedFile(workerData.file, async () => new Uint8Array(workerData.size).fill(workerData.fill)))
      .then((path) => parentPort.postMessage(path));
  `;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { file, fill, size } });
    worker.once('message', (path: string) => {
      resolve(path);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}
