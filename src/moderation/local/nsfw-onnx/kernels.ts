/**
 * Keras kernels (channels last: [kh, kw, in, out]) reordered into ONNX Conv weights
 * (channels first: [out, in / group, kh, kw]).
 */

export interface OnnxKernel {
  dims: [out: number, inPerGroup: number, kh: number, kw: number];
  values: Float32Array;
}

/** A Conv2D kernel [kh, kw, in, out] → [out, in, kh, kw]. */
export function convKernelToOnnx(shape: readonly number[], values: Float32Array): OnnxKernel {
  const [kh, kw, cin, cout] = fourDims(shape, 'Conv2D kernel');
  const out = new Float32Array(values.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++)
          out[((o * cin + i) * kh + y) * kw + x] = values[((y * kw + x) * cin + i) * cout + o]!;
  return { dims: [cout, cin, kh, kw], values: out };
}

/**
 * A DepthwiseConv2D kernel [kh, kw, channels, multiplier] → [channels·multiplier, 1, kh, kw],
 * for a Conv with group = channels. TF numbers the outputs c·multiplier + m, which is also
 * the order ONNX gives a group's outputs, so channel c's filters stay together.
 */
export function depthwiseKernelToOnnx(shape: readonly number[], values: Float32Array): OnnxKernel {
  const [kh, kw, channels, multiplier] = fourDims(shape, 'DepthwiseConv2D kernel');
  const out = new Float32Array(values.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let c = 0; c < channels; c++)
        for (let m = 0; m < multiplier; m++)
          out[((c * multiplier + m) * kh + y) * kw + x] =
            values[((y * kw + x) * channels + c) * multiplier + m]!;
  return { dims: [channels * multiplier, 1, kh, kw], values: out };
}

function fourDims(shape: readonly number[], what: string): [number, number, number, number] {
  const [a, b, c, d] = shape;
  if (
    shape.length !== 4 ||
    a === undefined ||
    b === undefined ||
    c === undefined ||
    d === undefined
  )
    throw new Error(`${what} must have 4 dimensions, has [${shape.join(', ')}]`);
  return [a, b, c, d];
}
