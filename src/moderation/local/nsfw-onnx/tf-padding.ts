/**
 * TensorFlow's padding rules, reproduced as the explicit pads ONNX needs. ONNX's own
 * `auto_pad: SAME_UPPER` would match too, but explicit numbers can be checked against a table
 * and make the exported graph read the same in every runtime.
 */

/** Pads before and after one spatial axis. */
export type AxisPads = readonly [before: number, after: number];

/**
 * TF 'same' padding for one axis: the output keeps ⌈size / stride⌉ positions and the pad
 * total is split with the odd pixel at the END (TF's convention; Caffe and PyTorch put it at
 * the start) — so a stride-2 3×3 conv on 224 pixels pads (0, 1), not (1, 0).
 *
 * @example
 * tfSamePads(224, 3, 2); // [0, 1]
 * tfSamePads(7, 3, 1); // [1, 1]
 */
export function tfSamePads(size: number, kernel: number, stride: number, dilation = 1): AxisPads {
  const reach = (kernel - 1) * dilation + 1;
  const outSize = Math.ceil(size / stride);
  const total = Math.max((outSize - 1) * stride + reach - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/**
 * ONNX `pads` for a 2-D window ([top, left, bottom, right]) from a Keras padding mode, the
 * NHWC input's height and width, and the window's kernel, strides and dilations.
 */
export function windowPads(
  mode: string,
  [height, width]: readonly [number, number],
  kernel: readonly [number, number],
  strides: readonly [number, number],
  dilations: readonly [number, number] = [1, 1],
): [number, number, number, number] {
  if (mode === 'valid') return [0, 0, 0, 0];
  if (mode !== 'same') throw new Error(`Padding '${mode}' is not supported (only 'valid', 'same')`);
  const [top, bottom] = tfSamePads(height, kernel[0], strides[0], dilations[0]);
  const [left, right] = tfSamePads(width, kernel[1], strides[1], dilations[1]);
  return [top, left, bottom, right];
}
