import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../pipeline/index.js';
import { categoryConfidence, imageVerdict } from './image-verdict.js';
import { withAncestors } from './labels.test-helper.js';
import type { EvalSettings } from './types.js';

const defaults: EvalSettings = { threshold: 80, policy: DEFAULT_POLICY };
const swimwearReviewedAt90: EvalSettings = {
  threshold: 80,
  policy: {
    defaultAction: 'block',
    rules: [
      { label: 'Swimwear or Underwear', action: 'review', minConfidence: 90 },
      { label: 'Alcohol', action: 'allow' },
    ],
  },
};

describe('imageVerdict', () => {
  it.each([
    {
      name: 'nothing at or above the threshold',
      labels: withAncestors('Explicit Nudity', 79.9),
      settings: defaults,
      verdict: { decision: 'clean', flagged: [], top: null },
    },
    {
      name: 'a level-2 label flags itself and its category',
      labels: withAncestors('Weapons', 91),
      settings: defaults,
      verdict: { decision: 'blocked', flagged: ['Weapons', 'Violence'], top: 'Violence' },
    },
    {
      name: 'a parent scored above its child flags only the parent',
      labels: [...withAncestors('Violence', 85), ...withAncestors('Weapons', 60).slice(0, 1)],
      settings: defaults,
      verdict: { decision: 'blocked', flagged: ['Violence'], top: 'Violence' },
    },
    {
      name: 'a rule’s own threshold decides',
      labels: withAncestors('Female Swimwear or Underwear', 85),
      settings: swimwearReviewedAt90,
      verdict: { decision: 'clean', flagged: [], top: null },
    },
    {
      name: 'a reviewed label flags, and the worst action picks the deciding category',
      labels: [
        ...withAncestors('Female Swimwear or Underwear', 95),
        ...withAncestors('Explicit Nudity', 82),
      ],
      settings: swimwearReviewedAt90,
      verdict: {
        decision: 'blocked',
        flagged: [
          'Explicit Nudity',
          'Explicit',
          'Female Swimwear or Underwear',
          'Swimwear or Underwear',
        ],
        top: 'Explicit',
      },
    },
    {
      name: 'an allowed label still counts as flagged; the decision says what the pipeline does',
      labels: withAncestors('Alcoholic Beverages', 97),
      settings: swimwearReviewedAt90,
      verdict: {
        decision: 'clean',
        flagged: ['Alcoholic Beverages', 'Alcohol'],
        top: 'Alcohol',
      },
    },
  ])('$name', ({ labels, settings, verdict }) => {
    const got = imageVerdict(labels, settings);
    expect({ ...got, flagged: [...got.flagged].sort() }).toEqual({
      ...verdict,
      flagged: [...verdict.flagged].sort(),
    });
  });
});

describe('categoryConfidence', () => {
  const labels = [
    ...withAncestors('Explicit Nudity', 40),
    { Name: 'Explicit', ParentName: '', TaxonomyLevel: 1, Confidence: 55 },
    ...withAncestors('Weapons', 12),
  ];
  it.each([
    ['Explicit', 55],
    ['Explicit Nudity', 40],
    ['Violence', 12],
    ['Gambling', 0],
  ])('%s → %d', (category, confidence) => {
    expect(categoryConfidence(labels, category)).toBe(confidence);
  });
});
