/**
 * Small Keras models built in tfjs with deterministic random weights, converted, and run on
 * ONNX Runtime against tfjs's own answer: this covers what the NSFWJS model does not use
 * (TF 'same' padding at stride 2 on odd sizes, depthwise multipliers, unfolded BN, Flatten of
 * a spatial map, dilations, a batch of several images).
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { kerasToOnnx } from './convert.js';
import { readKerasModel } from './keras-model.js';
import { serializeModel } from './serialize.js';

beforeAll(async () => {
  // The reference only has to be right, not fast: TF.js's plain JavaScript kernels.
  await tf.setBackend('cpu');
});

/** A seeded generator (mulberry32), so every run builds the same weights and inputs. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every weight set to seeded values; BN statistics away from 0 and 1 so folding matters. */
function randomiseWeights(model: tf.LayersModel, seed: number): void {
  const next = random(seed);
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    layer.setWeights(
      layer.weights.map((w) => {
        const shape = w.shape as number[];
        const size = shape.reduce((a, b) => a * b, 1);
        const variance = w.originalName.endsWith('moving_variance');
        const values = Float32Array.from({ length: size }, () =>
          variance ? 0.2 + next() * 2 : (next() - 0.5) * 1.2,
        );
        return tf.tensor(values, shape);
      }),
    );
  }
}

async function compare(model: tf.LayersModel, batch: number, seed: number) {
  const [, ...shape] = model.inputs[0]!.shape as number[];
  const next = random(seed);
  const input = Float32Array.from({ length: batch * shape.reduce((a, b) => a * b, 1) }, next);
  const expected = await (model.predict(tf.tensor(input, [batch, ...shape])) as tf.Tensor).data();

  const graph = kerasToOnnx(readKerasModel(model), { input: 'x', output: 'y' });
  const bytes = serializeModel(graph, { producerVersion: 'test', docString: '', metadata: {} });
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    const result = await session.run({ x: new ort.Tensor('float32', input, [batch, ...shape]) });
    const actual = result.y!.data as Float32Array;
    expect(actual.length).toBe(expected.length);
    const worst = Math.max(...Array.from(actual, (v, i) => Math.abs(v - expected[i]!)));
    expect(worst).toBeLessThan(1e-4);
    return graph;
  } finally {
    await session.release();
  }
}

describe('kerasToOnnx on small models', () => {
  it('matches tfjs through stride-2 same padding, depthwise multipliers, BN, pads and Flatten', async () => {
    const x = tf.input({ shape: [13, 11, 3] });
    let y = tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same' }).apply(x);
    y = tf.layers.batchNormalization().apply(y);
    y = tf.layers.reLU({ maxValue: 6 }).apply(y);
    y = tf.layers
      .depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2 })
      .apply(y);
    y = tf.layers.batchNormalization().apply(y);
    y = tf.layers
      .zeroPadding2d({
        padding: [
          [1, 2],
          [0, 1],
        ],
      })
      .apply(y);
    y = tf.layers
      .conv2d({ filters: 5, kernelSize: 2, activation: 'relu', useBias: false })
      .apply(y);
    const skip = y;
    y = tf.layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same', dilationRate: 2 }).apply(y);
    y = tf.layers.add().apply([skip, y] as tf.SymbolicTensor[]);
    y = tf.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: 'same' }).apply(y);
    y = tf.layers.flatten().apply(y);
    y = tf.layers.dense({ units: 8, activation: 'relu' }).apply(y);
    y = tf.layers.dropout({ rate: 0.5 }).apply(y);
    y = tf.layers.dense({ units: 4, activation: 'softmax' }).apply(y);
    const model = tf.model({ inputs: x, outputs: y as tf.SymbolicTensor });
    randomiseWeights(model, 1);

    const graph = await compare(model, 3, 2);
    const ops = graph.nodes.map((n) => n.opType);
    // Both BNs folded, the lone ZeroPadding2D absorbed into its conv.
    expect(ops).not.toContain('BatchNormalization');
    expect(ops).not.toContain('Pad');
  });

  it('matches tfjs with an unfoldable BN, a shared padding, global pooling and relu6', async () => {
    const x = tf.input({ shape: [9, 10, 4] });
    let y = tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }).apply(x);
    y = tf.layers.batchNormalization().apply(y);
    const padded = tf.layers.zeroPadding2d({ padding: 1 }).apply(y);
    const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2 }).apply(padded);
    const b = tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2 }).apply(padded);
    y = tf.layers.add().apply([a, b] as tf.SymbolicTensor[]);
    y = tf.layers.activation({ activation: 'relu6' }).apply(y);
    y = tf.layers.globalAveragePooling2d({}).apply(y);
    y = tf.layers.dense({ units: 3 }).apply(y);
    y = tf.layers.softmax().apply(y);
    const model = tf.model({ inputs: x, outputs: y as tf.SymbolicTensor });
    randomiseWeights(model, 3);

    const ops = (await compare(model, 2, 4)).nodes.map((n) => n.opType);
    expect(ops).toContain('BatchNormalization');
    expect(ops).toContain('Pad');
  });

  it('ends on a pass-through layer with the output under its own name', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [6], units: 3, activation: 'softmax' }),
        tf.layers.dropout({ rate: 0.1 }),
      ],
    });
    randomiseWeights(model, 5);
    const graph = await compare(model, 4, 6);
    expect(graph.nodes.at(-1)).toMatchObject({ opType: 'Identity', outputs: ['y'] });
  });

  it('names the layer and class it cannot convert', () => {
    const model = tf.sequential({
      layers: [tf.layers.maxPooling2d({ inputShape: [4, 4, 1], poolSize: 2, name: 'pool' })],
    });
    expect(() => kerasToOnnx(readKerasModel(model))).toThrow(
      'Layer pool: Keras class MaxPooling2D is not supported',
    );
  });
});
