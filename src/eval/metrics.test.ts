import { describe, expect, it } from 'vitest';
import { fitThreshold, percentile, scores, type Sample } from './metrics.js';

describe('scores', () => {
  it.each([
    // tp, fp, fn → precision, recall, f1
    [8, 2, 2, 0.8, 0.8, 0.8],
    [1, 0, 0, 1, 1, 1],
    [0, 0, 3, null, 0, 0],
    [0, 2, 0, 0, null, 0],
    [0, 0, 0, null, null, null],
    [3, 1, 0, 0.75, 1, 6 / 7],
  ])('tp %i fp %i fn %i', (tp, fp, fn, precision, recall, f1) => {
    expect(scores(tp, fp, fn)).toEqual({ precision, recall, f1 });
  });
});

describe('percentile', () => {
  it.each([
    [[], 50, null],
    [[7], 50, 7],
    [[7], 95, 7],
    [[40, 10, 30, 20], 50, 20],
    [[40, 10, 30, 20], 95, 40],
    [[40, 10, 30, 20], 100, 40],
    [[40, 10, 30, 20], 0, 10],
    [Array.from({ length: 100 }, (_, i) => i + 1), 95, 95],
    [Array.from({ length: 20 }, (_, i) => i + 1), 95, 19],
  ])('%j at %i → %s', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });
});

const pos = (confidence: number): Sample => ({ confidence, positive: true });
const neg = (confidence: number): Sample => ({ confidence, positive: false });

describe('fitThreshold', () => {
  it.each([
    {
      name: 'separable: the middle of the gap',
      samples: [pos(90), neg(30)],
      fit: { threshold: 60, from: 31, to: 90, precision: 1, recall: 1, f1: 1 },
    },
    {
      name: 'no negatives: every threshold up to the weakest positive',
      samples: [pos(98.2), pos(40)],
      fit: { threshold: 20, from: 1, to: 40, precision: 1, recall: 1, f1: 1 },
    },
    {
      name: 'overlap: the threshold that trades best',
      // At 51–60: tp 2, fp 1, fn 0 → F1 0.8; at 61–70: tp 1, fp 0, fn 1 → 0.667.
      samples: [pos(70), pos(60), neg(50), neg(65)],
      fit: { threshold: 55, from: 51, to: 60, precision: 2 / 3, recall: 1, f1: 0.8 },
    },
    {
      name: 'a confidence exactly on a threshold counts as flagged',
      samples: [pos(50), neg(49)],
      fit: { threshold: 50, from: 50, to: 50, precision: 1, recall: 1, f1: 1 },
    },
    {
      name: 'positives above 99 are found by 99 at most',
      samples: [pos(99.9), neg(99.5)],
      fit: { threshold: 50, from: 1, to: 99, precision: 0.5, recall: 1, f1: 2 / 3 },
    },
  ])('$name', ({ samples, fit }) => {
    expect(fitThreshold(samples)).toEqual(fit);
  });

  it.each([
    ['no positives', [neg(90)]],
    ['no positive reaches 1', [pos(0.5), neg(0)]],
    ['nothing', []],
  ])('null when %s', (_, samples) => expect(fitThreshold(samples)).toBeNull());

  it('keeps the lowest of two equally good runs', () => {
    // 1–30: tp 2, fp 2 → F1 2/3; 31–40: 0.4; 41–50: 0.5; 51–60: tp 1, fn 1 → 2/3 again.
    const samples = [pos(30), pos(60), neg(40), neg(50)];
    expect(fitThreshold(samples)).toEqual({
      threshold: 15,
      from: 1,
      to: 30,
      precision: 0.5,
      recall: 1,
      f1: 2 / 3,
    });
  });
});
