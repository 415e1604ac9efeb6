import { describe, expect, it } from 'vitest';
import { NORMALISATION_PRESETS } from './schema.js';
import { outputProblem, toModelInput, toProbabilities, type ModelInputSpec } from './tensors.js';

// Two pixels: pure red, then (0, 128, 255).
const FRAME = Uint8Array.from([255, 0, 0, 0, 128, 255]);
const spec = (overrides: Partial<ModelInputSpec>): ModelInputSpec => ({
  width: 2,
  height: 1,
  layout: 'nchw',
  channels: 'rgb',
  normalisation: { scale: 1, mean: [0, 0, 0], std: [1, 1, 1] },
  ...overrides,
});

describe('toModelInput', () => {
  it.each([
    ['nchw rgb', spec({}), [255, 0, 0, 128, 0, 255]],
    ['nhwc rgb', spec({ layout: 'nhwc' }), [255, 0, 0, 0, 128, 255]],
    ['nchw bgr', spec({ channels: 'bgr' }), [0, 255, 0, 128, 255, 0]],
    ['nhwc bgr', spec({ layout: 'nhwc', channels: 'bgr' }), [0, 0, 255, 255, 128, 0]],
  ])('%s', (_, s, expected) => {
    expect([...toModelInput(FRAME, s)]).toEqual(expected);
  });

  it('normalises per channel: (pixel × scale − mean) / std', () => {
    const input = toModelInput(
      FRAME,
      spec({ normalisation: NORMALISATION_PRESETS['minus-one-one'] }),
    );
    expect([...input].map((v) => Math.round(v * 100) / 100)).toEqual([1, -1, -1, 0, -1, 1]);
    const imagenet = toModelInput(FRAME, spec({ normalisation: NORMALISATION_PRESETS.imagenet }));
    expect(imagenet[0]).toBeCloseTo((1 - 0.485) / 0.229, 5);
  });

  it('refuses a frame of the wrong size', () => {
    expect(() => toModelInput(FRAME, spec({ width: 3 }))).toThrow(/Expected one 3×1×3 frame/);
  });
});

describe('model output', () => {
  it('applies a softmax to logits and a sigmoid to independent logits', () => {
    const softmax = toProbabilities([0, Math.log(3)], 'logits');
    expect([...softmax].map((p) => Math.round(p * 100) / 100)).toEqual([0.25, 0.75]);
    expect(toProbabilities([0], 'sigmoid')[0]).toBeCloseTo(0.5, 6);
    expect([...toProbabilities([0.2, 0.8], 'probabilities')]).toEqual([
      Math.fround(0.2),
      Math.fround(0.8),
    ]);
  });

  it('says so when an output declared as probabilities is not', () => {
    expect(outputProblem([0.2, 0.8], 'probabilities')).toBeUndefined();
    expect(outputProblem([2.1, -1], 'probabilities')).toMatch(/set "output" to "logits"/);
    expect(outputProblem([0.9, 0.8], 'multilabel')).toBeUndefined();
    expect(outputProblem([3, 0.8], 'multilabel')).toMatch(/set "output" to "sigmoid"/);
    expect(outputProblem([3, -2], 'logits')).toBeUndefined();
  });
});
