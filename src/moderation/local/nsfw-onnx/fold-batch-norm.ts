/**
 * Batch normalisation folded into the convolution before it: at inference BN is an affine map
 * per output channel, so it costs nothing once merged into that channel's filter and bias —
 * one Conv instead of Conv + BatchNormalization, and the Conv + Clip pair that ONNX Runtime
 * fuses stays adjacent.
 */

export interface BatchNormParams {
  /** Missing when the Keras layer has `scale: false` (then 1). */
  gamma?: Float32Array;
  /** Missing when the Keras layer has `center: false` (then 0). */
  beta?: Float32Array;
  movingMean: Float32Array;
  movingVariance: Float32Array;
  epsilon: number;
}

export interface FoldedConv {
  /** [out, …] with the output channel first, as ONNX Conv weights are. */
  kernel: Float32Array;
  bias: Float32Array;
}

/**
 * y = γ·(conv(x) + b − μ)/√(σ² + ε) + β, rewritten as conv'(x) + b' with
 * W'ₒ = Wₒ·sₒ and b'ₒ = (bₒ − μₒ)·sₒ + βₒ where sₒ = γₒ/√(σ²ₒ + ε). Worked in float64 and
 * rounded once, so the fold adds no more than one float32 rounding per weight.
 *
 * @example
 * foldBatchNorm(kernel, undefined, { movingMean, movingVariance, epsilon: 1e-3 });
 */
export function foldBatchNorm(
  kernel: Float32Array,
  bias: Float32Array | undefined,
  bn: BatchNormParams,
): FoldedConv {
  const channels = bn.movingMean.length;
  if (kernel.length % channels !== 0)
    throw new Error(`A kernel of ${kernel.length} values does not split into ${channels} channels`);
  for (const [name, v] of [
    ['bias', bias],
    ['gamma', bn.gamma],
    ['beta', bn.beta],
    ['moving variance', bn.movingVariance],
  ] as const)
    if (v !== undefined && v.length !== channels)
      throw new Error(`BatchNorm ${name} has ${v.length} values for ${channels} channels`);
  const perChannel = kernel.length / channels;
  const folded = new Float32Array(kernel.length);
  const foldedBias = new Float32Array(channels);
  for (let o = 0; o < channels; o++) {
    const scale = (bn.gamma?.[o] ?? 1) / Math.sqrt(bn.movingVariance[o]! + bn.epsilon);
    for (let i = o * perChannel; i < (o + 1) * perChannel; i++) folded[i] = kernel[i]! * scale;
    foldedBias[o] = ((bias?.[o] ?? 0) - bn.movingMean[o]!) * scale + (bn.beta?.[o] ?? 0);
  }
  return { kernel: folded, bias: foldedBias };
}
