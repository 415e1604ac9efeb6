/**
 * One function per Keras layer class: the ONNX nodes that compute it. Keras works channels
 * last (NHWC); ONNX Conv and pooling are channels first, so image tensors are kept NCHW
 * between the input Transpose and the Flatten, and each Value says which layout it is in.
 */
import { foldBatchNorm } from './fold-batch-norm.js';
import { isChannelAxis, type FusionPlan } from './fusions.js';
import type { KerasLayer, KerasWeight } from './keras-model.js';
import { convKernelToOnnx, depthwiseKernelToOnnx } from './kernels.js';
import { float, int, ints, type GraphBuilder } from './onnx-graph.js';
import { windowPads } from './tf-padding.js';

export interface Value {
  name: string;
  /** 'nchw' for images (4-D in ONNX), 'flat' for [batch, features]. */
  layout: 'nchw' | 'flat';
}

export interface OpContext {
  graph: GraphBuilder;
  plan: FusionPlan;
  layer: KerasLayer;
  inputs: Value[];
  /** Output shapes (no batch, channels last) of every layer by name. */
  shapeOf(layerName: string): number[];
  /** The name this layer's final tensor must have (the graph output's for the last layer). */
  outputName: string;
  /** A float scalar constant, created once. */
  scalar(value: number): string;
}

export type LayerOp = (ctx: OpContext) => Value;

export const LAYER_OPS: Record<string, LayerOp> = {
  Conv2D: conv,
  DepthwiseConv2D: conv,
  ZeroPadding2D: zeroPadding,
  BatchNormalization: batchNormalization,
  ReLU: relu,
  Activation: (ctx) => activate(ctx, first(ctx), stringConfig(ctx.layer, 'activation')),
  Add: add,
  AveragePooling2D: averagePooling,
  GlobalAveragePooling2D: globalAveragePooling,
  Flatten: flatten,
  Dense: dense,
  Softmax: (ctx) => activate(ctx, first(ctx), 'softmax'),
  // Inference only: dropout passes its input through.
  Dropout: (ctx) => first(ctx),
};

function conv(ctx: OpContext): Value {
  const { layer, plan, graph } = ctx;
  const input = image(ctx);
  checkChannelsLast(layer);
  const depthwise = layer.className === 'DepthwiseConv2D';
  const kernelWeight = weight(layer, depthwise ? 'depthwise_kernel' : 'kernel');
  const onnxKernel = depthwise
    ? depthwiseKernelToOnnx(kernelWeight.shape, kernelWeight.values)
    : convKernelToOnnx(kernelWeight.shape, kernelWeight.values);
  const [out, , kh, kw] = onnxKernel.dims;
  const strides = pair(layer, 'strides');
  const dilations = pair(layer, 'dilationRate', [1, 1]);

  const zeroPad = plan.paddingOf.get(layer.name);
  const [padTop, padLeft, padBottom, padRight] = zeroPad ? zeroPaddingPads(zeroPad) : [0, 0, 0, 0];
  // TF's 'same' is computed on what the conv sees, i.e. after any absorbed ZeroPadding2D.
  const [height, width] = ctx.shapeOf(zeroPad?.name ?? layer.inputs[0]!) as [number, number];
  const same = windowPads(
    stringConfig(layer, 'padding'),
    [height, width],
    [kh, kw],
    strides,
    dilations,
  );
  const pads = [padTop + same[0], padLeft + same[1], padBottom + same[2], padRight + same[3]];

  let kernel = onnxKernel.values;
  let bias = layer.weights.bias?.values;
  const bn = plan.batchNormOf.get(layer.name);
  if (bn) ({ kernel, bias } = foldBatchNorm(kernel, bias, batchNormParams(bn)));
  const name = layer.name;
  const inputs = [input.name, graph.floats(`${name}/W`, onnxKernel.dims, kernel)];
  if (bias) inputs.push(graph.floats(`${name}/B`, [out], bias));

  const activation = stringConfig(layer, 'activation', 'linear');
  const convOut = graph.node(
    'Conv',
    inputs,
    activation === 'linear' ? ctx.outputName : `${name}/conv`,
    {
      kernel_shape: ints([kh, kw]),
      strides: ints(strides),
      dilations: ints(dilations),
      pads: ints(pads),
      group: int(depthwise ? kernelWeight.shape[2]! : 1),
    },
  );
  return activate(ctx, { name: convOut, layout: 'nchw' }, activation);
}

function zeroPadding(ctx: OpContext): Value {
  checkChannelsLast(ctx.layer);
  const [top, left, bottom, right] = zeroPaddingPads(ctx.layer);
  const pads = ctx.graph.int64s(`${ctx.layer.name}/pads`, [0, 0, top, left, 0, 0, bottom, right]);
  return {
    name: ctx.graph.node('Pad', [image(ctx).name, pads], ctx.outputName),
    layout: 'nchw',
  };
}

function batchNormalization(ctx: OpContext): Value {
  const { layer, graph } = ctx;
  const input = first(ctx);
  const { axis } = layer.config;
  const onChannels = input.layout === 'nchw' ? isChannelAxis(axis) : axis === -1 || axis === 1;
  if (!onChannels)
    throw new Error(
      `Layer ${layer.name}: BatchNormalization over axis ${JSON.stringify(axis)} is not supported`,
    );
  const bn = batchNormParams(layer);
  const channels = bn.movingMean.length;
  const name = layer.name;
  const inputs = [
    input.name,
    graph.floats(`${name}/scale`, [channels], bn.gamma ?? new Float32Array(channels).fill(1)),
    graph.floats(`${name}/B`, [channels], bn.beta ?? new Float32Array(channels)),
    graph.floats(`${name}/mean`, [channels], bn.movingMean),
    graph.floats(`${name}/var`, [channels], bn.movingVariance),
  ];
  return {
    name: graph.node('BatchNormalization', inputs, ctx.outputName, { epsilon: float(bn.epsilon) }),
    layout: input.layout,
  };
}

function relu(ctx: OpContext): Value {
  // tfjs's ReLU has no negative slope or threshold (it refuses models that set them).
  const { config, name } = ctx.layer;
  const max = config.maxValue;
  if (max === null || max === undefined) return activate(ctx, first(ctx), 'relu');
  if (typeof max !== 'number') throw new Error(`Layer ${name}: maxValue ${JSON.stringify(max)}`);
  return clip(ctx, first(ctx), max, ctx.outputName);
}

function add(ctx: OpContext): Value {
  const [head, ...rest] = ctx.inputs;
  if (!head || rest.length === 0) throw new Error(`Layer ${ctx.layer.name}: Add needs two inputs`);
  if (rest.some((v) => v.layout !== head.layout))
    throw new Error(`Layer ${ctx.layer.name}: Add of tensors in different layouts`);
  let sum = head.name;
  rest.forEach((term, i) => {
    const last = i === rest.length - 1;
    sum = ctx.graph.node('Add', [sum, term.name], last ? ctx.outputName : `${ctx.layer.name}/${i}`);
  });
  return { name: sum, layout: head.layout };
}

function averagePooling(ctx: OpContext): Value {
  const { layer } = ctx;
  checkChannelsLast(layer);
  const kernel = pair(layer, 'poolSize');
  const strides = pair(layer, 'strides', kernel);
  const [height, width] = ctx.shapeOf(layer.inputs[0]!) as [number, number];
  // ONNX's default count_include_pad = 0 matches TF: padded cells are left out of the mean.
  const pads = windowPads(stringConfig(layer, 'padding'), [height, width], kernel, strides);
  return {
    name: ctx.graph.node('AveragePool', [image(ctx).name], ctx.outputName, {
      kernel_shape: ints(kernel),
      strides: ints(strides),
      pads: ints(pads),
    }),
    layout: 'nchw',
  };
}

function globalAveragePooling(ctx: OpContext): Value {
  checkChannelsLast(ctx.layer);
  if (ctx.layer.config.keepDims === true)
    throw new Error(`Layer ${ctx.layer.name}: keepdims is not supported`);
  const pooled = ctx.graph.node('GlobalAveragePool', [image(ctx).name], `${ctx.layer.name}/pool`);
  return {
    name: ctx.graph.node('Flatten', [pooled], ctx.outputName, { axis: int(1) }),
    layout: 'flat',
  };
}

function flatten(ctx: OpContext): Value {
  const input = first(ctx);
  if (input.layout === 'flat') return input;
  checkChannelsLast(ctx.layer);
  const [height, width] = ctx.shapeOf(ctx.layer.inputs[0]!) as [number, number];
  // Keras flattens in H, W, C order; with one pixel left that is already the NCHW order.
  const source =
    height * width === 1
      ? input.name
      : ctx.graph.node('Transpose', [input.name], `${ctx.layer.name}/nhwc`, {
          perm: ints([0, 2, 3, 1]),
        });
  return {
    name: ctx.graph.node('Flatten', [source], ctx.outputName, { axis: int(1) }),
    layout: 'flat',
  };
}

function dense(ctx: OpContext): Value {
  const { layer, graph } = ctx;
  const input = first(ctx);
  if (input.layout !== 'flat')
    throw new Error(`Layer ${layer.name}: Dense on an image tensor is not supported`);
  const kernel = weight(layer, 'kernel');
  const inputs = [input.name, graph.floats(`${layer.name}/W`, kernel.shape, kernel.values)];
  const bias = layer.weights.bias;
  if (bias) inputs.push(graph.floats(`${layer.name}/B`, bias.shape, bias.values));
  const activation = stringConfig(layer, 'activation', 'linear');
  // Gemm: A [batch, in] × B [in, units] + C — the Keras kernel's own layout.
  const out = graph.node(
    'Gemm',
    inputs,
    activation === 'linear' ? ctx.outputName : `${layer.name}/gemm`,
  );
  return activate(ctx, { name: out, layout: 'flat' }, activation);
}

/** A Keras activation applied to `value`; the result is named as the layer's output. */
function activate(ctx: OpContext, value: Value, activation: string): Value {
  const { graph, outputName } = ctx;
  const unary = (op: string, attributes = {}) => ({
    name: graph.node(op, [value.name], outputName, attributes),
    layout: value.layout,
  });
  switch (activation) {
    case 'linear':
      return value;
    case 'relu':
      return unary('Relu');
    case 'relu6':
      return clip(ctx, value, 6, outputName);
    case 'sigmoid':
      return unary('Sigmoid');
    case 'tanh':
      return unary('Tanh');
    case 'softmax':
      // Keras normalises the last axis: the channels, which NCHW holds at axis 1.
      return unary('Softmax', { axis: int(value.layout === 'flat' ? -1 : 1) });
    default:
      throw new Error(`Layer ${ctx.layer.name}: activation '${activation}' is not supported`);
  }
}

function clip(ctx: OpContext, value: Value, max: number, output: string): Value {
  const bounds = [ctx.scalar(0), ctx.scalar(max)];
  return { name: ctx.graph.node('Clip', [value.name, ...bounds], output), layout: value.layout };
}

function batchNormParams(layer: KerasLayer) {
  return {
    gamma: layer.weights.gamma?.values,
    beta: layer.weights.beta?.values,
    movingMean: weight(layer, 'moving_mean').values,
    movingVariance: weight(layer, 'moving_variance').values,
    epsilon: numberConfig(layer, 'epsilon'),
  };
}

/** [top, left, bottom, right] from Keras's ((top, bottom), (left, right)). */
function zeroPaddingPads(layer: KerasLayer): [number, number, number, number] {
  // tfjs reports the padding normalised to ((top, bottom), (left, right)).
  const p = layer.config.padding;
  const flat = Array.isArray(p) ? p.flat() : [];
  if (flat.length !== 4 || !flat.every((n) => Number.isInteger(n)))
    throw new Error(`Layer ${layer.name}: padding ${JSON.stringify(p)} is not ((t, b), (l, r))`);
  const [top, bottom, left, right] = flat as number[];
  return [top!, left!, bottom!, right!];
}

function first(ctx: OpContext): Value {
  const [value] = ctx.inputs;
  if (!value || ctx.inputs.length !== 1)
    throw new Error(`Layer ${ctx.layer.name} should have exactly one input`);
  return value;
}

function image(ctx: OpContext): Value {
  const value = first(ctx);
  if (value.layout !== 'nchw') throw new Error(`Layer ${ctx.layer.name} needs an image input`);
  return value;
}

function weight(layer: KerasLayer, name: string): KerasWeight {
  const w = layer.weights[name];
  if (!w) throw new Error(`Layer ${layer.name} has no weight '${name}'`);
  return w;
}

function checkChannelsLast(layer: KerasLayer): void {
  const format = layer.config.dataFormat ?? 'channelsLast';
  if (format !== 'channelsLast')
    throw new Error(`Layer ${layer.name}: dataFormat ${JSON.stringify(format)} is not supported`);
}

function pair(layer: KerasLayer, key: string, fallback?: [number, number]): [number, number] {
  const v = layer.config[key] ?? fallback;
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number'))
    return [v[0] as number, v[1] as number];
  throw new Error(`Layer ${layer.name}: ${key} ${JSON.stringify(v)} is not a pair of numbers`);
}

function stringConfig(layer: KerasLayer, key: string, fallback?: string): string {
  const v = layer.config[key] ?? fallback;
  if (typeof v !== 'string') throw new Error(`Layer ${layer.name}: ${key} is not a string`);
  return v;
}

function numberConfig(layer: KerasLayer, key: string): number {
  const v = layer.config[key];
  if (typeof v !== 'number') throw new Error(`Layer ${layer.name}: ${key} is not a number`);
  return v;
}
