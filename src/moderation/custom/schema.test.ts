import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';

const MODEL = {
  name: 'widgets',
  file: 'models/widgets.onnx',
  labels: 'models/widgets.txt',
  inputSize: 224,
  normalisation: 'zero-one',
  output: 'probabilities',
  map: { red_widget: 'Weapons', blue_widget: { label: 'Company Logo', parent: 'Brand' } },
};

const load = (models: unknown[], moderation: object = {}) =>
  loadConfig(
    {},
    {},
    { path: '/etc/vigil/vigil.json', values: { moderation: { models, ...moderation } } },
  );

describe('moderation.models in the config', () => {
  it('defaults to none, and resolves files against the config file', () => {
    expect(loadConfig({}, {}).moderation.models).toEqual([]);
    const [model] = load([MODEL]).moderation.models;
    expect(model).toMatchObject({
      file: '/etc/vigil/models/widgets.onnx',
      labels: '/etc/vigil/models/widgets.txt',
      layout: 'nchw',
      channels: 'rgb',
      confidence: 'raw',
    });
  });

  it.each([
    [
      [{ ...MODEL, labels: undefined }],
      /^Invalid moderation\.models\[0\]\.labels \(from config file \/etc\/vigil\/vigil\.json\): /,
    ],
    [
      [{ ...MODEL, file: 'w.pt' }],
      /moderation\.models\[0\]\.file .*expected a path to an \.onnx file/,
    ],
    [[{ ...MODEL, layout: 'chw' }], /moderation\.models\[0\]\.layout/],
    [[{ ...MODEL, inputSize: [224] }], /moderation\.models\[0\]\.inputSize/],
    [[{ ...MODEL, normalisation: 'zero-to-one' }], /moderation\.models\[0\]\.normalisation/],
    [[{ ...MODEL, normalisation: { mean: [0.5, 0.5] } }], /moderation\.models\[0\]\.normalisation/],
    [[{ ...MODEL, output: 'softmax' }], /moderation\.models\[0\]\.output/],
    [[{ ...MODEL, map: {} }], /moderation\.models\[0\]\.map .*expected at least one class/],
    [[{ ...MODEL, colour: 'red' }], /moderation\.models\[0\].*colour/],
    [[MODEL, MODEL], /moderation\.models\[1\]\.name .*'widgets' names another model too/],
    [
      [{ ...MODEL, map: { red_widget: 'weapons' } }],
      /moderation\.models\[0\]\.map\.red_widget .*'weapons' is not a Rekognition v7 label; did you mean 'Weapons'\?/,
    ],
    [
      [{ ...MODEL, map: { x: 'Logo' } }],
      /moderation\.models\[0\]\.map\.x .*for a label of your own write \{ "label": "Logo", "parent": "…" \}/,
    ],
    [
      [{ ...MODEL, map: { x: { label: 'Weapons', parent: 'Brand' } } }],
      /moderation\.models\[0\]\.map\.x .*'Weapons' is a Rekognition v7 label, whose parent is 'Violence'/,
    ],
    [
      [
        MODEL,
        { ...MODEL, name: 'logos', map: { x: { label: 'Company Logo', parent: 'Marketing' } } },
      ],
      /moderation\.models\[1\]\.map\.x .*one parent/,
    ],
    [
      [{ ...MODEL, map: { x: { label: 'Logo', minConfidence: 120 } } }],
      /moderation\.models\[0\]\.map\.x\.minConfidence .*expected 0 to 100/,
    ],
  ])('%j is refused, naming the field', (models, message) => {
    expect(() => load(models)).toThrow(message);
  });

  it('is refused with a backend other than local', () => {
    expect(() => load([MODEL], { backend: 'rekognition' })).toThrow(
      /moderation\.models .*local backend only/,
    );
  });
});
