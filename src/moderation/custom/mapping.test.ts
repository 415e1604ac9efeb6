import { describe, expect, it } from 'vitest';
import { chain, userLabels } from './label-chain.js';
import { customLabels, mergeLabels, modelMapping, type ModelMapping } from './mapping.js';
import type { CustomModelConfig } from './schema.js';

const CLASSES = ['red_widget', 'blue_widget', 'knife', 'other'];
type MapConfig = Pick<CustomModelConfig, 'name' | 'output' | 'confidence' | 'map'>;

function mapping(overrides: Partial<MapConfig> = {}): ModelMapping {
  const config: MapConfig = {
    name: 'widgets',
    output: 'probabilities',
    confidence: 'raw',
    map: {
      red_widget: 'Weapons',
      knife: { label: 'Kitchen Knife', parent: 'Weapons' },
      blue_widget: { label: 'Company Logo', parent: 'Brand' },
    },
    ...overrides,
  };
  const { labels } = userLabels(
    Object.values(config.map).map((entry) => ({
      at: 0,
      target: typeof entry === 'string' ? { label: entry } : entry,
    })),
  );
  return modelMapping(config, CLASSES, labels);
}

const shape = (labels: Map<string, { Confidence: number }>) =>
  Object.fromEntries([...labels].map(([name, l]) => [name, Math.round(l.Confidence * 10) / 10]));

describe('label chains', () => {
  it.each([
    [
      'Weapons',
      [
        ['Weapons', 'Violence', 2],
        ['Violence', '', 1],
      ],
    ],
    [
      'Company Logo',
      [
        ['Company Logo', 'Brand', 2],
        ['Brand', '', 1],
      ],
    ],
    [
      'Kitchen Knife',
      [
        ['Kitchen Knife', 'Weapons', 3],
        ['Weapons', 'Violence', 2],
        ['Violence', '', 1],
      ],
    ],
    ['Brand', [['Brand', '', 1]]],
  ])('%s', (label, expected) => {
    const user = new Map([
      ['Company Logo', 'Brand'],
      ['Kitchen Knife', 'Weapons'],
    ]);
    expect(chain(label, user)?.map((n) => [n.Name, n.ParentName, n.TaxonomyLevel])).toEqual(
      expected,
    );
  });

  it('refuses a v7 label with another parent, two parents for one label, and loops', () => {
    const { problems } = userLabels([
      { at: 'a', target: { label: 'Weapons', parent: 'Brand' } },
      { at: 'b', target: { label: 'Logo', parent: 'Brand' } },
      { at: 'c', target: { label: 'Logo', parent: 'Marketing' } },
      { at: 'd', target: { label: 'Egg', parent: 'Chicken' } },
      { at: 'e', target: { label: 'Chicken', parent: 'Egg' } },
    ]);
    expect(problems.map((p) => [p.at, p.message])).toEqual([
      [
        'a',
        expect.stringMatching(/'Weapons' is a Rekognition v7 label, whose parent is 'Violence'/),
      ],
      ['c', expect.stringMatching(/'Logo' is given parent 'Marketing' here and 'Brand' elsewhere/)],
      ['d', expect.stringMatching(/'Egg' is its own ancestor/)],
      ['e', expect.stringMatching(/'Chicken' is its own ancestor/)],
    ]);
  });
});

describe('customLabels', () => {
  it('maps classes onto v7 and user labels, each with its ancestors at its confidence', () => {
    const labels = customLabels(mapping(), [0.02, 0.9, 0.05, 0.03]);
    expect([...labels.values()]).toEqual(
      expect.arrayContaining([
        { Name: 'Company Logo', ParentName: 'Brand', TaxonomyLevel: 2, Confidence: 90 },
        { Name: 'Brand', ParentName: '', TaxonomyLevel: 1, Confidence: 90 },
        { Name: 'Kitchen Knife', ParentName: 'Weapons', TaxonomyLevel: 3, Confidence: 5 },
      ]),
    );
    // Weapons holds red_widget and, below it, knife: 0.02 + 0.05.
    expect(shape(labels)).toMatchObject({ Weapons: 7, Violence: 7 });
    expect(labels.has('other')).toBe(false);
  });

  it('sums exclusive classes, takes the maximum of independent ones', () => {
    const probabilities = [0.45, 0, 0.4, 0];
    expect(shape(customLabels(mapping(), probabilities))).toMatchObject({ Weapons: 85 });
    expect(shape(customLabels(mapping({ output: 'sigmoid' }), probabilities))).toMatchObject({
      Weapons: 45,
      'Kitchen Knife': 40,
    });
  });

  it('calibrates with the ImageNet rule on request: half the belief reads 80', () => {
    const labels = customLabels(mapping({ confidence: 'calibrated' }), [0.5, 0.05, 0, 0.45]);
    expect(shape(labels)).toMatchObject({ Weapons: 80, 'Company Logo': 8 });
  });

  it('drops a class below its own minConfidence, and its share of the parents', () => {
    const m = mapping({
      map: {
        red_widget: 'Weapons',
        knife: { label: 'Kitchen Knife', parent: 'Weapons', minConfidence: 30 },
      },
    });
    expect(shape(customLabels(m, [0.5, 0, 0.2, 0.3]))).toEqual({ Weapons: 50, Violence: 50 });
    expect(shape(customLabels(m, [0.3, 0, 0.6, 0.1]))).toMatchObject({
      'Kitchen Knife': 60,
      Weapons: 90,
    });
  });

  it('names the model and the classes when the map names a class the labels file lacks', () => {
    expect(() => mapping({ map: { red_widgit: 'Weapons' } })).toThrow(
      "moderation.models 'widgets': map names class 'red_widgit', which is not a line of its labels file (classes: 'red_widget', 'blue_widget', 'knife', 'other')",
    );
  });
});

describe('mergeLabels', () => {
  it('keeps the higher confidence per label over models, whole chains included', () => {
    const a = customLabels(mapping(), [0.6, 0.3, 0, 0.1]);
    const b = customLabels(mapping({ name: 'other-model' }), [0.2, 0.7, 0, 0.1]);
    expect(shape(mergeLabels([a, b]))).toEqual({
      'Kitchen Knife': 0,
      Weapons: 60,
      Violence: 60,
      'Company Logo': 70,
      Brand: 70,
    });
  });
});
