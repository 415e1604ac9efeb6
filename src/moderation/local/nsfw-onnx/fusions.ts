/**
 * Which Keras layers disappear into the convolution next to them: a ZeroPadding2D that only
 * feeds one conv becomes that conv's `pads`, and a BatchNormalization that is the only reader
 * of a conv without activation is folded into its weights (fold-batch-norm.ts).
 */
import type { KerasLayer } from './keras-model.js';

export const CONV_CLASSES = new Set(['Conv2D', 'DepthwiseConv2D']);

export interface FusionPlan {
  /** Conv layer name → the ZeroPadding2D layer it absorbs. */
  paddingOf: Map<string, KerasLayer>;
  /** Conv layer name → the BatchNormalization layer folded into it. */
  batchNormOf: Map<string, KerasLayer>;
  /** Layers that emit no ONNX node of their own. */
  absorbed: Set<string>;
}

export function planFusions(layers: readonly KerasLayer[], outputs: readonly string[]): FusionPlan {
  const byName = new Map(layers.map((layer) => [layer.name, layer]));
  const readers = new Map<string, string[]>();
  for (const layer of layers)
    for (const input of layer.inputs)
      readers.set(input, [...(readers.get(input) ?? []), layer.name]);
  // A model output is read from outside, so it can never be absorbed.
  const onlyReader = (name: string) => {
    const names = readers.get(name) ?? [];
    return names.length === 1 && !outputs.includes(name) ? byName.get(names[0]!) : undefined;
  };

  const plan: FusionPlan = { paddingOf: new Map(), batchNormOf: new Map(), absorbed: new Set() };
  for (const conv of layers) {
    if (!CONV_CLASSES.has(conv.className)) continue;
    const source = byName.get(conv.inputs[0] ?? '');
    if (source?.className === 'ZeroPadding2D' && onlyReader(source.name) === conv) {
      plan.paddingOf.set(conv.name, source);
      plan.absorbed.add(source.name);
    }
    const next = onlyReader(conv.name);
    if (
      next?.className === 'BatchNormalization' &&
      (conv.config.activation ?? 'linear') === 'linear' &&
      isChannelAxis(next.config.axis)
    ) {
      plan.batchNormOf.set(conv.name, next);
      plan.absorbed.add(next.name);
    }
  }
  return plan;
}

/** Keras's channel axis for NHWC: -1 or 3 (a BN over another axis cannot be folded). */
export const isChannelAxis = (axis: unknown): boolean =>
  axis === -1 || axis === 3 || (Array.isArray(axis) && axis.length === 1 && isChannelAxis(axis[0]));
