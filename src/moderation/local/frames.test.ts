import { describe, expect, it } from 'vitest';
import { pickFrames } from './frames.js';

describe('pickFrames', () => {
  it.each([
    [1, 8, [0]],
    [5, 8, [0, 1, 2, 3, 4]],
    [8, 8, [0, 1, 2, 3, 4, 5, 6, 7]],
    [8, 2, [0, 7]],
    [9, 8, [0, 1, 2, 3, 5, 6, 7, 8]],
    [100, 5, [0, 25, 50, 74, 99]],
    [100, 1, [0]],
  ])('%i frames, at most %i → %j', (total, max, expected) => {
    expect(pickFrames(total, max)).toEqual(expected);
  });

  it('refuses counts below one', () => {
    expect(() => pickFrames(0, 8)).toThrow(RangeError);
    expect(() => pickFrames(3, 0)).toThrow(RangeError);
  });
});
