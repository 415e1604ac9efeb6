import { describe, expect, it } from 'vitest';
import { percent, ratio, textColumns } from './text-columns.js';

describe('textColumns', () => {
  it('pads to the widest cell, numbers on the right, no trailing spaces', () => {
    expect(
      textColumns(
        ['NAME', 'N', 'NOTE'],
        [
          ['a', '10', ''],
          ['longer', '2', 'x'],
        ],
        [1],
      ),
    ).toEqual(['NAME     N  NOTE', 'a       10', 'longer   2  x']);
  });
});

describe('percent and ratio', () => {
  it.each([
    [null, '-', '-'],
    [0, '0.0%', '0.00'],
    [2 / 3, '66.7%', '0.67'],
    [1, '100.0%', '1.00'],
  ])('%s → %s, %s', (value, asPercent, asRatio) => {
    expect(percent(value)).toBe(asPercent);
    expect(ratio(value)).toBe(asRatio);
  });
});
