import { describe, expect, it } from 'vitest';
import { convKernelToOnnx, depthwiseKernelToOnnx } from './kernels.js';

// Each value encodes its own Keras index, so a misplaced value names where it came from.
const indexed = (n: number) => Float32Array.from({ length: n }, (_, i) => i);

describe('convKernelToOnnx', () => {
  it('moves [kh, kw, in, out] to [out, in, kh, kw]', () => {
    const [kh, kw, cin, cout] = [2, 3, 4, 5];
    const { dims, values } = convKernelToOnnx([kh, kw, cin, cout], indexed(kh * kw * cin * cout));
    expect(dims).toEqual([cout, cin, kh, kw]);
    for (let o = 0; o < cout; o++)
      for (let i = 0; i < cin; i++)
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++)
            expect(values[((o * cin + i) * kh + y) * kw + x]).toBe(
              ((y * kw + x) * cin + i) * cout + o,
            );
  });

  it('refuses a kernel that is not 4-D', () => {
    expect(() => convKernelToOnnx([3, 3, 8], indexed(72))).toThrow(/4 dimensions/);
  });
});

describe('depthwiseKernelToOnnx', () => {
  it('numbers outputs channel·multiplier + m, one input channel per group', () => {
    const [kh, kw, channels, mult] = [3, 2, 3, 2];
    const { dims, values } = depthwiseKernelToOnnx(
      [kh, kw, channels, mult],
      indexed(kh * kw * channels * mult),
    );
    expect(dims).toEqual([channels * mult, 1, kh, kw]);
    for (let c = 0; c < channels; c++)
      for (let m = 0; m < mult; m++)
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++)
            expect(values[((c * mult + m) * kh + y) * kw + x]).toBe(
              ((y * kw + x) * channels + c) * mult + m,
            );
  });
});
