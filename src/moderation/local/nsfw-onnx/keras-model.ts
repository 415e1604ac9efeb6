/**
 * A TensorFlow.js LayersModel read into plain data: each layer's class, config, inbound layers,
 * output shape and weights (as float32 values). The converter works on this and never on
 * tfjs objects, so it runs without any tfjs backend and can be tested on hand-made layers.
 */
import type { LayersModel } from '@tensorflow/tfjs';

export interface KerasWeight {
  shape: number[];
  values: Float32Array;
}

export interface KerasLayer {
  name: string;
  /** Keras class name: 'Conv2D', 'BatchNormalization', … */
  className: string;
  /**
   * The layer's config as tfjs reports it: camelCase keys (`kernelSize`, `dataFormat:
   * 'channelsLast'`), activations by name.
   */
  config: Record<string, unknown>;
  /** Names of the layers whose (single) output this layer reads, in order. */
  inputs: string[];
  /** Output shape without the batch axis, channels last (NHWC for images). */
  outputShape: number[];
  /** Weights by their short Keras name: 'kernel', 'bias', 'gamma', 'moving_mean', … */
  weights: Record<string, KerasWeight>;
}

export interface KerasModel {
  /** In topological order, input layers first. */
  layers: KerasLayer[];
  inputs: string[];
  outputs: string[];
}

type Layer = LayersModel['layers'][number];

/** Reads the model's structure and weight values (copied: the model may be disposed after). */
export function readKerasModel(model: LayersModel): KerasModel {
  // A Sequential model makes its input layer only when built (by a first predict, or here);
  // it then does not list it among `layers`, unlike a functional model.
  const [symbolicInput] = model.inputs;
  if (model.inputLayers.length === 0 && symbolicInput) model.build(symbolicInput.shape);
  const inputs = model.inputLayers;
  const rest = model.layers.filter((layer) => !inputs.includes(layer));
  return {
    layers: [...inputs, ...rest].map(readLayer),
    inputs: inputs.map((layer) => layer.name),
    outputs: model.outputLayers.map((layer) => layer.name),
  };
}

function readLayer(layer: Layer): KerasLayer {
  if (layer.inboundNodes.length !== 1)
    throw new Error(
      `Layer ${layer.name} is called ${layer.inboundNodes.length} times; shared layers are not supported`,
    );
  const [node] = layer.inboundNodes;
  const inputs = node!.inboundLayers.map((inbound, i) => {
    if (node!.nodeIndices[i] !== 0 || node!.tensorIndices[i] !== 0)
      throw new Error(`Layer ${layer.name} reads a second output of ${inbound.name}`);
    return inbound.name;
  });
  return {
    name: layer.name,
    className: layer.getClassName(),
    config: layer.getConfig(),
    inputs,
    outputShape: withoutBatch(layer.name, layer.outputShape),
    weights: Object.fromEntries(
      layer.weights.map((variable) => {
        const value = variable.read();
        if (value.dtype !== 'float32')
          throw new Error(`Weight ${variable.originalName} is ${value.dtype}, not float32`);
        const shortName = variable.originalName.split('/').pop() ?? variable.originalName;
        return [
          shortName,
          { shape: [...value.shape], values: Float32Array.from(value.dataSync()) },
        ];
      }),
    ),
  };
}

function withoutBatch(name: string, shape: Layer['outputShape']): number[] {
  const [batch, ...rest] = shape;
  if (Array.isArray(batch) || rest.some((d) => typeof d !== 'number'))
    throw new Error(
      `Layer ${name} has several outputs or a dynamic dimension: ${JSON.stringify(shape)}`,
    );
  return rest as number[];
}
