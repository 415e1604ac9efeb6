import { describe, expect, it } from 'vitest';
import { foldBatchNorm, type BatchNormParams } from './fold-batch-norm.js';

/** A 1×1 conv with two inputs and `out` outputs, computed directly: Σᵢ W[o,i]·x[i] + b[o]. */
function conv1x1(kernel: Float32Array, bias: Float32Array | undefined, x: number[], out: number) {
  return Array.from({ length: out }, (_, o) => {
    let sum = bias?.[o] ?? 0;
    x.forEach((xi, i) => (sum += kernel[o * x.length + i]! * xi));
    return sum;
  });
}

/** Keras BatchNormalization at inference, computed directly. */
function batchNorm(y: number[], bn: BatchNormParams) {
  return y.map(
    (v, o) =>
      ((v - bn.movingMean[o]!) / Math.sqrt(bn.movingVariance[o]! + bn.epsilon)) *
        (bn.gamma?.[o] ?? 1) +
      (bn.beta?.[o] ?? 0),
  );
}

const kernel = Float32Array.of(0.5, -1.25, 2, 0.75, -0.3, 1.1); // [3 out, 2 in]
const bias = Float32Array.of(0.1, -0.2, 0.3);
const bn: BatchNormParams = {
  gamma: Float32Array.of(1.5, 0.2, -0.7),
  beta: Float32Array.of(-0.4, 0.05, 1.3),
  movingMean: Float32Array.of(0.25, -1, 2.5),
  movingVariance: Float32Array.of(0.09, 4, 1e-4),
  epsilon: 1e-3,
};

describe('foldBatchNorm', () => {
  it.each([{ x: [1, 2] }, { x: [-3.5, 0.25] }, { x: [0, 0] }, { x: [100, -40] }])(
    'matches conv then BN on $x',
    ({ x }) => {
      const folded = foldBatchNorm(kernel, bias, bn);
      const direct = batchNorm(conv1x1(kernel, bias, x, 3), bn);
      const merged = conv1x1(folded.kernel, folded.bias, x, 3);
      merged.forEach((v, o) => expect(v).toBeCloseTo(direct[o]!, 4));
    },
  );

  it('treats a conv without bias as bias 0 and BN without γ, β as 1 and 0', () => {
    const plain: BatchNormParams = { ...bn, gamma: undefined, beta: undefined };
    const folded = foldBatchNorm(kernel, undefined, plain);
    const direct = batchNorm(conv1x1(kernel, undefined, [2, -1], 3), plain);
    conv1x1(folded.kernel, folded.bias, [2, -1], 3).forEach((v, o) =>
      expect(v).toBeCloseTo(direct[o]!, 4),
    );
  });

  it('refuses parameters that do not match the channel count', () => {
    expect(() => foldBatchNorm(kernel, Float32Array.of(1, 2), bn)).toThrow(/bias has 2 values/);
    expect(() => foldBatchNorm(Float32Array.of(1, 2, 3, 4), undefined, bn)).toThrow(/3 channels/);
  });
});
