/**
 * A user model's input and output as numbers. Pure: RGB bytes → the float tensor the model was
 * trained on; the model's output → probabilities.
 */
import {
  NORMALISATION_PRESETS,
  type CustomModelConfig,
  type Normalisation,
  type OutputKind,
} from './schema.js';

/** What a model worker needs to run one user model (structured-cloneable). */
export interface ModelInputSpec {
  width: number;
  height: number;
  layout: 'nchw' | 'nhwc';
  /** Channel order the model reads; frames arrive as RGB. */
  channels: 'rgb' | 'bgr';
  normalisation: Normalisation;
}

/** The spec a config entry declares; presets are stated for RGB and reversed for BGR. */
export function inputSpec(config: CustomModelConfig): ModelInputSpec {
  const [width, height] =
    typeof config.inputSize === 'number' ? [config.inputSize, config.inputSize] : config.inputSize;
  let normalisation: Normalisation;
  if (typeof config.normalisation === 'string') {
    const preset = NORMALISATION_PRESETS[config.normalisation];
    normalisation =
      config.channels === 'bgr'
        ? { scale: preset.scale, mean: reversed(preset.mean), std: reversed(preset.std) }
        : preset;
  } else normalisation = config.normalisation;
  return { width, height, layout: config.layout, channels: config.channels, normalisation };
}

const reversed = ([a, b, c]: readonly [number, number, number]) => [c, b, a] as const;

/** The input tensor's dimensions, batch of one. */
export function inputDims(spec: ModelInputSpec): number[] {
  return spec.layout === 'nchw' ? [1, 3, spec.height, spec.width] : [1, spec.height, spec.width, 3];
}

/**
 * One frame of `width × height` interleaved RGB bytes → the model's float input.
 *
 * @example toModelInput(rgb, { width: 2, height: 1, layout: 'nchw', channels: 'bgr', normalisation })
 */
export function toModelInput(frame: Uint8Array, spec: ModelInputSpec): Float32Array {
  const plane = spec.width * spec.height;
  if (frame.length !== plane * 3)
    throw new Error(`Expected one ${spec.width}×${spec.height}×3 frame, got ${frame.length} bytes`);
  const { scale, mean, std } = spec.normalisation;
  const source = spec.channels === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  const out = new Float32Array(plane * 3);
  for (let c = 0; c < 3; c++) {
    const from = source[c]!;
    const m = mean[c]!;
    const s = std[c]!;
    for (let i = 0; i < plane; i++) {
      const value = (frame[i * 3 + from]! * scale - m) / s;
      out[spec.layout === 'nchw' ? c * plane + i : i * 3 + c] = value;
    }
  }
  return out;
}

/** Slack for float rounding when checking that an output is a probability distribution. */
const TOLERANCE = 1e-3;

/**
 * The model's output → probabilities: `logits` through a softmax over all classes, `sigmoid`
 * (independent logits) each through the logistic function; `probabilities` and `multilabel`
 * are probabilities already, taken as they are.
 */
export function toProbabilities(values: ArrayLike<number>, kind: OutputKind): Float32Array {
  const out = Float32Array.from(values);
  if (kind === 'sigmoid') {
    for (let i = 0; i < out.length; i++) out[i] = 1 / (1 + Math.exp(-out[i]!));
  } else if (kind === 'logits') {
    let max = -Infinity;
    for (const x of out) max = Math.max(max, x);
    let sum = 0;
    for (let i = 0; i < out.length; i++) sum += out[i] = Math.exp(out[i]! - max);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! / sum;
  }
  return out;
}

/**
 * Why an output declared `probabilities` (or `multilabel`) is not one, or undefined when it
 * is: a model that ends before its softmax or sigmoid would otherwise be read as nonsense.
 */
export function outputProblem(values: ArrayLike<number>, kind: OutputKind): string | undefined {
  if (kind === 'logits' || kind === 'sigmoid') return undefined;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    min = Math.min(min, x);
    max = Math.max(max, x);
    sum += x;
  }
  const inRange = min >= -TOLERANCE && max <= 1 + TOLERANCE;
  if (kind === 'multilabel')
    return inRange
      ? undefined
      : `its output is not probabilities (values ${min.toPrecision(3)} to ${max.toPrecision(3)}): set "output" to "sigmoid" if the model ends before its sigmoid`;
  if (inRange && Math.abs(sum - 1) <= 0.01) return undefined;
  return `its output is not a probability distribution (values ${min.toPrecision(3)} to ${max.toPrecision(3)}, sum ${sum.toPrecision(3)}): set "output" to "logits" if the model ends before its softmax, "sigmoid" or "multilabel" for independent scores`;
}
