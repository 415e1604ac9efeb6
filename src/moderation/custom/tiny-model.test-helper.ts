/**
 * A tiny ONNX colour classifier, built by the tests themselves with the converter's graph
 * helpers: mean colour (GlobalAveragePool) → three hand-set logits → softmax, on 0–1 input
 * (`normalisation: 'zero-one'`). A mostly red image is `red_widget`, a mostly blue one
 * `blue_widget`, anything else (grey) `other`: pure red scores 0.997 red_widget, mid-grey
 * 0.79 other and 0.11 each widget.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { GraphBuilder, int, ints } from '../local/nsfw-onnx/onnx-graph.js';
import { serializeModel } from '../local/nsfw-onnx/serialize.js';

export const TINY_CLASSES = ['red_widget', 'blue_widget', 'other'] as const;

// Logits from the mean colour (r, g, b), each 0–1; rows in TINY_CLASSES order.
const WEIGHTS_RGB = [
  [8, -4, -4],
  [-4, -4, 8],
  [0, 0, 0],
];
const BIAS = [-1, -1, 1];

export interface TinyModelOptions {
  layout?: 'nchw' | 'nhwc';
  channels?: 'rgb' | 'bgr';
  width?: number;
  height?: number;
  /** Ends with a softmax (`output: 'probabilities'`); otherwise logits. Default true. */
  softmax?: boolean;
}

export function tinyClassifier(options: TinyModelOptions = {}): Uint8Array {
  const { layout = 'nchw', channels = 'rgb', width = 224, height = 224 } = options;
  const g = new GraphBuilder();
  let x = 'pixels';
  if (layout === 'nhwc') x = g.node('Transpose', [x], 'nchw', { perm: ints([0, 3, 1, 2]) });
  x = g.node('GlobalAveragePool', [x], 'mean_colour');
  x = g.node('Flatten', [x], 'flat', { axis: int(1) });
  const weights = WEIGHTS_RGB.map((row) => (channels === 'bgr' ? [...row].reverse() : row));
  g.floats('weights', [3, 3], Float32Array.from(weights.flat()));
  g.floats('bias', [3], Float32Array.from(BIAS));
  x = g.node('Gemm', [x, 'weights', 'bias'], 'logits', { transB: int(1) });
  if (options.softmax !== false) x = g.node('Softmax', [x], 'probabilities', { axis: int(1) });
  return serializeModel(
    {
      name: 'tiny-colours',
      nodes: g.nodes,
      initializers: g.initializers,
      input: { name: 'pixels', shape: layout === 'nchw' ? [3, height, width] : [height, width, 3] },
      output: { name: x, shape: [3] },
    },
    { producerVersion: 'test', docString: 'colour classifier for tests', metadata: {} },
  );
}

/** Writes `<name>.onnx` and `<name>.txt` (the class names) into `dir`. */
export async function writeTinyModel(
  dir: string,
  name: string,
  options: TinyModelOptions = {},
  classes: readonly string[] = TINY_CLASSES,
): Promise<{ file: string; labels: string }> {
  const file = join(dir, `${name}.onnx`);
  const labels = join(dir, `${name}.txt`);
  await writeFile(file, tinyClassifier(options));
  await writeFile(labels, `${classes.join('\n')}\n`);
  return { file, labels };
}

/** The tests' usual map: red widgets are weapons, blue ones a label of the user's own. */
export const WIDGETS_MAP = {
  red_widget: 'Weapons',
  blue_widget: { label: 'Company Logo', parent: 'Brand' },
} as const;

/**
 * A `moderation.models` entry, as a config file states it, for a 224×224 NCHW model that
 * writeTinyModel wrote.
 *
 * @example widgetsModel(await writeTinyModel(dir, 'widgets'))
 */
export function widgetsModel(
  files: { file: string; labels: string },
  map: Record<string, unknown> = WIDGETS_MAP,
) {
  return {
    name: 'widgets',
    ...files,
    inputSize: 224,
    normalisation: 'zero-one',
    output: 'probabilities',
    map,
  } as const;
}

/** A 160×120 image of one colour, as PNG (or JPEG). */
export function solid(
  rgb: [number, number, number],
  format: 'png' | 'jpeg' = 'png',
): Promise<Buffer> {
  const image = sharp({
    create: {
      width: 160,
      height: 120,
      channels: 3,
      background: { r: rgb[0], g: rgb[1], b: rgb[2] },
    },
  });
  return (format === 'png' ? image.png() : image.jpeg({ quality: 95 })).toBuffer();
}

export const RED: [number, number, number] = [220, 20, 20];
export const BLUE: [number, number, number] = [20, 30, 230];
export const GREY: [number, number, number] = [128, 128, 128];
