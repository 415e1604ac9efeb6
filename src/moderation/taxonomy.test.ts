import { describe, expect, it } from 'vitest';
import {
  CLASS_MAPPING,
  LOCAL_MODEL_COVERAGE,
  NSFW_CLASSES,
  classScores,
  localModelVersion,
  type ClassScores,
  type NsfwClass,
} from './taxonomy.js';
import { OBJECT_CATEGORIES } from './objects.js';
import { moderationResult as resultOf } from './result.js';

const moderationResult = (frames: ClassScores[], min: number, version: string) =>
  resultOf(
    frames.map((nsfw) => ({ nsfw })),
    min,
    version,
  );

const VERSION = localModelVersion('4.3.0');
const EXPLICIT = ['Explicit Nudity', 'Explicit'];
const NON_EXPLICIT = ['Non-Explicit Nudity', 'Non-Explicit Nudity of Intimate parts and Kissing'];

/** Scores with the given mass on some classes and the rest on Neutral. */
function scores(mass: Partial<Record<NsfwClass, number>>): ClassScores {
  const rest = 1 - Object.values(mass).reduce((a, b) => a + b, 0);
  return classScores(NSFW_CLASSES.map((c) => mass[c] ?? (c === 'Neutral' ? rest : 0)));
}

const names = (frames: ClassScores[], min = 50) =>
  moderationResult(frames, min, VERSION).ModerationLabels.map((l) => [
    l.Name,
    Math.round(l.Confidence),
  ]);

describe('the NSFWJS → Rekognition v7 mapping', () => {
  it.each([
    ['Porn', EXPLICIT, undefined],
    ['Hentai', EXPLICIT, 'Illustrated'],
    ['Sexy', NON_EXPLICIT, undefined],
    ['Drawing', [], 'Illustrated'],
    ['Neutral', [], undefined],
  ] as const)('%s → %j, content type %s', (cls, chain, type) => {
    expect(CLASS_MAPPING[cls].labels.map((l) => l.Name)).toEqual(chain);
    expect(CLASS_MAPPING[cls].contentType).toBe(type);
  });

  it('gives every label its whole ancestor chain, one level at a time, ending at level 1', () => {
    for (const { labels } of Object.values(CLASS_MAPPING)) {
      labels.forEach((label, i) => {
        const parent = labels[i + 1];
        expect(label.ParentName).toBe(parent?.Name ?? '');
        expect(label.TaxonomyLevel).toBe(parent ? parent.TaxonomyLevel + 1 : 1);
      });
    }
  });

  it('lists each of the ten v7 level-1 categories once, and every emitted level 1 among them', () => {
    const categories = LOCAL_MODEL_COVERAGE.map((c) => c.category);
    expect(new Set(categories).size).toBe(10);
    expect(categories).toContain('Violence');
    for (const { labels } of Object.values(CLASS_MAPPING))
      for (const l of labels.filter((x) => x.TaxonomyLevel === 1))
        expect(LOCAL_MODEL_COVERAGE.find((c) => c.category === l.Name)?.coverage).toBe('partial');
    for (const { labels } of Object.values(OBJECT_CATEGORIES))
      expect(LOCAL_MODEL_COVERAGE.find((c) => c.category === labels.at(-1)!.Name)?.coverage).toBe(
        'partial',
      );
  });

  it('names the model and the package version so it cannot pass for AWS’s "7.0"', () => {
    expect(VERSION).toBe('vigil-nsfwjs-mobilenetv2-4.3.0');
    expect(VERSION).not.toMatch(/^\d/);
  });

  it('rejects an output vector of the wrong length', () => {
    expect(() => classScores([0.5, 0.5])).toThrow(/Expected 5/);
  });
});

describe('moderationResult', () => {
  it('returns the chain child first, with the class probability as a percentage', () => {
    const result = moderationResult([scores({ Porn: 0.95 })], 50, VERSION);
    expect(result).toEqual({
      ModerationLabels: [
        {
          Name: 'Explicit Nudity',
          ParentName: 'Explicit',
          TaxonomyLevel: 2,
          Confidence: expect.closeTo(95, 5) as number,
        },
        {
          Name: 'Explicit',
          ParentName: '',
          TaxonomyLevel: 1,
          Confidence: expect.closeTo(95, 5) as number,
        },
      ],
      ModerationModelVersion: VERSION,
      ContentTypes: [],
    });
  });

  it.each([
    [
      'Porn and Hentai add up under Explicit',
      { Porn: 0.3, Hentai: 0.3 },
      [
        ['Explicit Nudity', 60],
        ['Explicit', 60],
      ],
    ],
    [
      'Sexy maps to Non-Explicit Nudity',
      { Sexy: 0.7 },
      [
        ['Non-Explicit Nudity', 70],
        [NON_EXPLICIT[1], 70],
      ],
    ],
    [
      'both chains, strongest first',
      { Sexy: 0.55, Porn: 0.4 },
      [
        ['Non-Explicit Nudity', 55],
        [NON_EXPLICIT[1], 55],
      ],
    ],
    ['a neutral image has no labels', { Drawing: 0.2 }, []],
  ] as const)('%s', (_, mass, expected) => {
    expect(names([scores(mass)])).toEqual(expected);
  });

  it('filters by MinConfidence inclusively and keeps low labels when asked for them', () => {
    expect(names([scores({ Sexy: 0.6 })], 60)).toHaveLength(2);
    expect(names([scores({ Sexy: 0.6 })], 60.01)).toEqual([]);
    expect(names([scores({ Sexy: 0.6, Porn: 0.1 })], 0)).toEqual([
      ['Non-Explicit Nudity', 60],
      [NON_EXPLICIT[1], 60],
      ['Explicit Nudity', 10],
      ['Explicit', 10],
    ]);
  });

  it('lets the worst frame decide, label by label', () => {
    const frames = [scores({}), scores({ Porn: 0.9 }), scores({ Sexy: 0.8, Porn: 0.1 })];
    expect(names(frames)).toEqual([
      ['Explicit Nudity', 90],
      ['Explicit', 90],
      ['Non-Explicit Nudity', 80],
      [NON_EXPLICIT[1], 80],
    ]);
  });

  it('reports Illustrated from both drawn classes, at 50% or more, whatever MinConfidence', () => {
    const types = (mass: Partial<Record<NsfwClass, number>>, min = 50) =>
      moderationResult([scores(mass)], min, VERSION).ContentTypes.map((t) => [
        t.Name,
        Math.round(t.Confidence),
      ]);
    expect(types({ Drawing: 0.3, Hentai: 0.3 })).toEqual([['Illustrated', 60]]);
    expect(types({ Drawing: 0.49 })).toEqual([]);
    expect(types({ Drawing: 0.7 }, 90)).toEqual([['Illustrated', 70]]);
  });

  it('keeps confidences within 0–100 when float32 probabilities sum past 1', () => {
    const [top] = moderationResult(
      [classScores([0, 0.5000001, 0, 0.5000001, 0])],
      0,
      VERSION,
    ).ModerationLabels;
    expect(top?.Confidence).toBe(100);
  });
});
