import { describe, expect, it } from 'vitest';
import { progressLine } from './progress.js';

describe('progressLine', () => {
  it.each([
    [0, 20, 40, `[${'.'.repeat(24)}]  0/20 images`],
    [5, 20, 40, `[${'#'.repeat(6)}${'.'.repeat(18)}]  5/20 images`],
    [20, 20, 40, `[${'#'.repeat(24)}] 20/20 images`],
    [3, 3, 200, `[${'#'.repeat(40)}] 3/3 images`],
    [1, 2, 10, '[] 1/2 images'],
    [0, 0, 30, `[${'#'.repeat(16)}] 0/0 images`],
  ])('%i of %i in %i columns', (done, total, width, line) => {
    expect(progressLine(done, total, width)).toBe(line);
  });

  it('leaves the last column free, so the terminal does not wrap the line', () => {
    expect(progressLine(7, 100, 50)).toHaveLength(49);
  });
});
