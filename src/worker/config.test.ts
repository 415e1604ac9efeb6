import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';

const load = (values: Record<string, unknown>) =>
  loadConfig({}, {}, { path: 'worker.json', values });

describe('the worker config section', () => {
  it('moderates, and runs no function, unless told otherwise', () => {
    const { worker } = load({});
    expect(worker.moderate).toBe(true);
    expect(worker.functions).toEqual([]);
  });

  it('takes functions declared in functions', () => {
    const { worker } = load({
      functions: [{ name: 'thumbnails', module: './thumbnails.mjs' }],
      worker: { moderate: false, functions: ['thumbnails'] },
    });
    expect(worker).toMatchObject({ moderate: false, functions: ['thumbnails'] });
  });

  it('names a function that is not declared', () => {
    expect(() => load({ worker: { functions: ['thumbnails'] } })).toThrow(
      'Invalid worker.functions[0] (from config file worker.json): no function named thumbnails in functions',
    );
  });
});
