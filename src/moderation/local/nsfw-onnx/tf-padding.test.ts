import { describe, expect, it } from 'vitest';
import { tfSamePads, windowPads } from './tf-padding.js';

describe('tfSamePads', () => {
  // Values from TF's documented rule: out = ceil(in / s), total = max((out-1)·s + k' - in, 0),
  // before = floor(total / 2).
  it.each([
    { size: 224, kernel: 3, stride: 2, dilation: 1, pads: [0, 1] },
    { size: 225, kernel: 3, stride: 2, dilation: 1, pads: [1, 1] },
    { size: 7, kernel: 3, stride: 1, dilation: 1, pads: [1, 1] },
    { size: 8, kernel: 4, stride: 1, dilation: 1, pads: [1, 2] },
    { size: 5, kernel: 1, stride: 2, dilation: 1, pads: [0, 0] },
    { size: 6, kernel: 2, stride: 2, dilation: 1, pads: [0, 0] },
    { size: 5, kernel: 2, stride: 2, dilation: 1, pads: [0, 1] },
    { size: 10, kernel: 3, stride: 1, dilation: 2, pads: [2, 2] },
    { size: 9, kernel: 7, stride: 3, dilation: 1, pads: [2, 2] },
    { size: 10, kernel: 7, stride: 3, dilation: 1, pads: [3, 3] },
    { size: 11, kernel: 5, stride: 4, dilation: 1, pads: [1, 1] },
    { size: 12, kernel: 5, stride: 4, dilation: 1, pads: [0, 1] },
  ])('pads $size px, kernel $kernel, stride $stride, dilation $dilation by $pads', (c) => {
    expect(tfSamePads(c.size, c.kernel, c.stride, c.dilation)).toEqual(c.pads);
  });

  it('keeps ceil(size / stride) outputs', () => {
    for (let size = 1; size < 40; size++)
      for (const kernel of [1, 2, 3, 5])
        for (const stride of [1, 2, 3]) {
          const [before, after] = tfSamePads(size, kernel, stride);
          const out = Math.floor((size + before + after - kernel) / stride) + 1;
          expect(out).toBe(Math.ceil(size / stride));
          expect(after - before).toBeGreaterThanOrEqual(0);
          expect(after - before).toBeLessThanOrEqual(1);
        }
  });
});

describe('windowPads', () => {
  it('orders pads as ONNX wants: top, left, bottom, right', () => {
    expect(windowPads('same', [224, 223], [3, 3], [2, 2])).toEqual([0, 1, 1, 1]);
  });

  it('pads nothing for valid', () => {
    expect(windowPads('valid', [224, 224], [3, 3], [2, 2])).toEqual([0, 0, 0, 0]);
  });

  it('refuses other modes by name', () => {
    expect(() => windowPads('causal', [8, 8], [3, 3], [1, 1])).toThrow(/'causal'/);
  });
});
