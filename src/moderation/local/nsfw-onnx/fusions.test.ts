import { describe, expect, it } from 'vitest';
import { planFusions } from './fusions.js';
import type { KerasLayer } from './keras-model.js';

const layer = (
  name: string,
  className: string,
  inputs: string[],
  config: Record<string, unknown> = {},
): KerasLayer => ({ name, className, inputs, config, outputShape: [], weights: {} });

describe('planFusions', () => {
  it('absorbs a padding that only feeds a conv, and a BN that only reads a linear conv', () => {
    const plan = planFusions(
      [
        layer('in', 'InputLayer', []),
        layer('pad', 'ZeroPadding2D', ['in']),
        layer('conv', 'Conv2D', ['pad'], { activation: 'linear' }),
        layer('bn', 'BatchNormalization', ['conv'], { axis: -1 }),
        layer('relu', 'ReLU', ['bn']),
      ],
      ['relu'],
    );
    expect(plan.paddingOf.get('conv')?.name).toBe('pad');
    expect(plan.batchNormOf.get('conv')?.name).toBe('bn');
    expect([...plan.absorbed].sort()).toEqual(['bn', 'pad']);
  });

  it.each([
    {
      why: 'the conv has an activation before the BN',
      layers: [
        layer('conv', 'DepthwiseConv2D', ['in'], { activation: 'relu' }),
        layer('bn', 'BatchNormalization', ['conv'], { axis: -1 }),
      ],
      outputs: ['bn'],
    },
    {
      why: 'the conv output is also read elsewhere',
      layers: [
        layer('conv', 'Conv2D', ['in'], { activation: 'linear' }),
        layer('bn', 'BatchNormalization', ['conv'], { axis: -1 }),
        layer('add', 'Add', ['conv', 'bn']),
      ],
      outputs: ['add'],
    },
    {
      why: 'the BN normalises another axis',
      layers: [
        layer('conv', 'Conv2D', ['in'], { activation: 'linear' }),
        layer('bn', 'BatchNormalization', ['conv'], { axis: 1 }),
      ],
      outputs: ['bn'],
    },
    {
      why: 'the conv output is a model output',
      layers: [
        layer('conv', 'Conv2D', ['in'], { activation: 'linear' }),
        layer('bn', 'BatchNormalization', ['conv'], { axis: -1 }),
      ],
      outputs: ['conv', 'bn'],
    },
  ])('keeps the BN when $why', ({ layers, outputs }) => {
    expect(planFusions([layer('in', 'InputLayer', []), ...layers], outputs).absorbed.size).toBe(0);
  });

  it('keeps a padding read by two layers', () => {
    const plan = planFusions(
      [
        layer('in', 'InputLayer', []),
        layer('pad', 'ZeroPadding2D', ['in']),
        layer('a', 'Conv2D', ['pad']),
        layer('b', 'Conv2D', ['pad']),
        layer('add', 'Add', ['a', 'b']),
      ],
      ['add'],
    );
    expect(plan.paddingOf.size).toBe(0);
  });
});
