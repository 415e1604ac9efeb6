/**
 * An ONNX graph as plain data — nodes, constant tensors, one float input and output — built by
 * the converter and turned into protobuf bytes only in serialize.ts.
 */

export type Attribute =
  | { kind: 'int'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'float'; value: number };

export interface OnnxNode {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, Attribute>;
}

export type Initializer =
  | { name: string; dims: number[]; type: 'float32'; values: Float32Array }
  | { name: string; dims: number[]; type: 'int64'; values: BigInt64Array };

/** A graph input or output: float32, its first dimension the batch (named, so any size). */
export interface FloatPort {
  name: string;
  /** Dimensions after the batch axis. */
  shape: number[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: Initializer[];
  input: FloatPort;
  output: FloatPort;
}

export const ints = (value: readonly number[]): Attribute => ({ kind: 'ints', value });
export const int = (value: number): Attribute => ({ kind: 'int', value });
export const float = (value: number): Attribute => ({ kind: 'float', value });

/** Collects nodes and constants, naming each node after the tensor it makes. */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: Initializer[] = [];

  /** Adds a node with one output and returns that output's name. */
  node(
    opType: string,
    inputs: string[],
    output: string,
    attributes: Record<string, Attribute> = {},
  ): string {
    this.nodes.push({ opType, name: output, inputs, outputs: [output], attributes });
    return output;
  }

  floats(name: string, dims: number[], values: Float32Array): string {
    checkSize(name, dims, values.length);
    this.initializers.push({ name, dims, type: 'float32', values });
    return name;
  }

  int64s(name: string, values: readonly number[]): string {
    this.initializers.push({
      name,
      dims: [values.length],
      type: 'int64',
      values: BigInt64Array.from(values, (v) => BigInt(v)),
    });
    return name;
  }
}

function checkSize(name: string, dims: number[], length: number): void {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (expected !== length)
    throw new Error(
      `Constant ${name}: [${dims.join(', ')}] needs ${expected} values, has ${length}`,
    );
}
