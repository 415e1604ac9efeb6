/**
 * An OnnxGraph → ONNX ModelProto bytes, encoded by the protobufjs classes of `onnx-proto`
 * (generated from ONNX's own onnx.proto), so no protobuf wire format is written by hand.
 */
import { endianness } from 'node:os';
import onnxProto from 'onnx-proto';
import type { Attribute, FloatPort, Initializer, OnnxGraph } from './onnx-graph.js';

const { onnx } = onnxProto;

/**
 * Opset 13: every op used here exists in it in its current form (Clip with min/max as inputs,
 * Softmax over one axis), and ONNX Runtime 1.30 runs opsets 7–23. IR version 7 is the one
 * that introduced opset 13.
 */
export const OPSET = 13;
const IR_VERSION = 7;
const BATCH_DIM = 'batch';

export interface ModelInfo {
  producerVersion: string;
  docString: string;
  /** Stored as metadata_props: readable with `session.handler.metadata` or Netron. */
  metadata: Record<string, string>;
}

export function serializeModel(graph: OnnxGraph, info: ModelInfo): Uint8Array {
  // raw_data is little-endian by the ONNX spec; typed arrays use the host's byte order.
  if (endianness() !== 'LE') throw new Error('Serialising ONNX weights needs a little-endian host');
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'vigil-nsfw-onnx',
    producerVersion: info.producerVersion,
    docString: info.docString,
    metadataProps: Object.entries(info.metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: graph.name,
      node: graph.nodes.map((node) => ({
        opType: node.opType,
        name: node.name,
        input: node.inputs,
        output: node.outputs,
        attribute: Object.entries(node.attributes).map(([name, a]) => attribute(name, a)),
      })),
      initializer: graph.initializers.map(tensor),
      input: [port(graph.input)],
      output: [port(graph.output)],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function attribute(name: string, a: Attribute): onnxProto.onnx.IAttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  switch (a.kind) {
    case 'int':
      return { name, type: AttributeType.INT, i: a.value };
    case 'ints':
      return { name, type: AttributeType.INTS, ints: [...a.value] };
    case 'float':
      return { name, type: AttributeType.FLOAT, f: a.value };
  }
}

function tensor(init: Initializer): onnxProto.onnx.ITensorProto {
  const { DataType } = onnx.TensorProto;
  return {
    name: init.name,
    dims: init.dims,
    dataType: init.type === 'float32' ? DataType.FLOAT : DataType.INT64,
    rawData: new Uint8Array(init.values.buffer, init.values.byteOffset, init.values.byteLength),
  };
}

function port({ name, shape }: FloatPort): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: [{ dimParam: BATCH_DIM }, ...shape.map((dimValue) => ({ dimValue }))] },
      },
    },
  };
}
