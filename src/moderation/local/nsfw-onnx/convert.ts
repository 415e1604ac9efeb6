/**
 * A Keras model (read by keras-model.ts) → an equivalent ONNX graph.
 *
 * Layout: the graph takes what the tfjs model takes — float32 NHWC [batch, H, W, C], already
 * scaled as the caller scales for tfjs (NSFWJS: bytes / 255) — so callers and tests feed both
 * runtimes the same array. A single Transpose turns it NCHW for ONNX's Conv; ONNX Runtime's
 * layout optimiser handles the rest.
 */
import { planFusions } from './fusions.js';
import type { KerasModel } from './keras-model.js';
import { LAYER_OPS, type Value } from './layer-ops.js';
import { GraphBuilder, ints, type OnnxGraph } from './onnx-graph.js';

export interface PortNames {
  input: string;
  output: string;
}

export function kerasToOnnx(
  model: KerasModel,
  names: PortNames = { input: 'input', output: 'output' },
): OnnxGraph {
  const [inputLayer, ...moreInputs] = model.inputs;
  const [outputLayer, ...moreOutputs] = model.outputs;
  if (!inputLayer || !outputLayer || moreInputs.length > 0 || moreOutputs.length > 0)
    throw new Error('Only models with one input and one output are supported');
  const shapes = new Map(model.layers.map((layer) => [layer.name, layer.outputShape]));
  const shapeOf = (name: string) => {
    const shape = shapes.get(name);
    if (!shape) throw new Error(`No layer named ${name}`);
    return shape;
  };
  const graph = new GraphBuilder();
  const scalars = new Map<string, string>();
  const scalar = (value: number) => {
    const name = `const/${value}`;
    if (!scalars.has(name)) scalars.set(name, graph.floats(name, [], Float32Array.of(value)));
    return name;
  };

  const inputShape = shapeOf(inputLayer);
  const values = new Map<string, Value>([[inputLayer, graphInput(graph, names.input, inputShape)]]);
  const plan = planFusions(model.layers, model.outputs);
  for (const layer of model.layers) {
    if (layer.name === inputLayer || plan.absorbed.has(layer.name)) continue;
    const op = LAYER_OPS[layer.className];
    if (!op)
      throw new Error(`Layer ${layer.name}: Keras class ${layer.className} is not supported`);
    const zeroPad = plan.paddingOf.get(layer.name);
    const inputs = layer.inputs.map((name) => {
      // An absorbed ZeroPadding2D is read through: the conv adds the pads itself.
      const value = values.get(name === zeroPad?.name ? zeroPad.inputs[0]! : name);
      if (!value) throw new Error(`Layer ${layer.name} reads ${name} before it is computed`);
      return value;
    });
    const bn = plan.batchNormOf.get(layer.name);
    const finalName = bn?.name ?? layer.name;
    const value = op({
      graph,
      plan,
      layer,
      inputs,
      shapeOf,
      outputName: finalName === outputLayer ? names.output : finalName,
      scalar,
    });
    values.set(finalName, value);
  }

  const result = values.get(outputLayer);
  if (!result) throw new Error(`The output layer ${outputLayer} was never computed`);
  if (result.layout !== 'flat')
    throw new Error('Only models whose output is a flat [batch, classes] tensor are supported');
  // A pass-through layer (Dropout) at the end leaves the output under another name.
  if (result.name !== names.output) graph.node('Identity', [result.name], names.output);
  return {
    name: 'keras',
    nodes: graph.nodes,
    initializers: graph.initializers,
    input: { name: names.input, shape: inputShape },
    output: { name: names.output, shape: shapeOf(outputLayer) },
  };
}

function graphInput(graph: GraphBuilder, name: string, shape: number[]): Value {
  if (shape.length === 1) return { name, layout: 'flat' };
  if (shape.length !== 3) throw new Error(`Input shape [${shape.join(', ')}] is not HWC or flat`);
  return {
    name: graph.node('Transpose', [name], `${name}/nchw`, { perm: ints([0, 3, 1, 2]) }),
    layout: 'nchw',
  };
}
