import { describe, expect, it } from 'vitest';
import type { ModerationLabel } from '../moderation/index.js';
import {
  DEFAULT_POLICY,
  evaluatePolicy,
  requestMinConfidence,
  type ModerationPolicy,
  type PolicyRule,
} from './policy.js';

/** `Name@confidence`, with the ancestors given by `<` : 'Exposed Buttocks or Anus<Explicit Nudity<Explicit'. */
function labels(...specs: [string, number][]): ModerationLabel[] {
  return specs.map(([path, confidence]) => {
    const [name, parent = ''] = path.split('<');
    const level = path.split('<').length;
    return { Name: name!, ParentName: parent, Confidence: confidence, TaxonomyLevel: 4 - level };
  });
}

const explicitChain = labels(
  ['Explicit', 95],
  ['Explicit Nudity<Explicit', 95],
  ['Exposed Female Nipple<Explicit Nudity', 93],
);
const swimwear = labels(
  ['Swimwear or Underwear', 91],
  ['Female Swimwear or Underwear<Swimwear or Underwear', 91],
);

function policy(rules: PolicyRule[], defaultAction: ModerationPolicy['defaultAction'] = 'block') {
  return { defaultAction, rules };
}

describe('evaluatePolicy', () => {
  it.each<[string, ModerationLabel[], ModerationPolicy, string, string[]]>([
    ['no labels are clean', [], DEFAULT_POLICY, 'clean', []],
    [
      'by default any label blocks',
      swimwear,
      DEFAULT_POLICY,
      'blocked',
      ['Female Swimwear or Underwear'],
    ],
    [
      'the most specific label decides, not its ancestors',
      explicitChain,
      DEFAULT_POLICY,
      'blocked',
      ['Exposed Female Nipple'],
    ],
    [
      'a rule covers the labels below it',
      explicitChain,
      policy([{ label: 'Explicit Nudity', action: 'review' }]),
      'review',
      ['Exposed Female Nipple'],
    ],
    [
      'a more specific rule wins over an ancestor rule',
      explicitChain,
      policy([
        { label: 'Explicit', action: 'review' },
        { label: 'Exposed Female Nipple', action: 'block' },
      ]),
      'blocked',
      ['Exposed Female Nipple'],
    ],
    [
      'allowed labels leave the image clean',
      swimwear,
      policy([{ label: 'swimwear OR underwear', action: 'allow' }]),
      'clean',
      ['Female Swimwear or Underwear'],
    ],
    [
      'an allow-list policy blocks only what it names',
      [...swimwear, ...explicitChain],
      policy([{ label: 'Explicit', action: 'block' }], 'allow'),
      'blocked',
      ['Exposed Female Nipple', 'Female Swimwear or Underwear'],
    ],
    [
      'block wins over review',
      [...swimwear, ...explicitChain],
      policy([{ label: 'Swimwear or Underwear', action: 'review' }]),
      'blocked',
      ['Exposed Female Nipple', 'Female Swimwear or Underwear'],
    ],
    [
      'a label under its rule threshold does not count',
      swimwear,
      policy([{ label: 'Swimwear or Underwear', action: 'block', minConfidence: 95 }]),
      'clean',
      [],
    ],
    [
      'an ancestor counts when its specific label falls under the threshold',
      labels(['Explicit', 90], ['Explicit Nudity<Explicit', 60]),
      DEFAULT_POLICY,
      'blocked',
      ['Explicit'],
    ],
    [
      'a rule with a lower threshold sees labels the default would not',
      labels(['Middle Finger<Rude Gestures', 55], ['Rude Gestures', 55]),
      policy([{ label: 'Rude Gestures', action: 'review', minConfidence: 50 }]),
      'review',
      ['Middle Finger'],
    ],
    [
      'a top-level label alone is judged by its own rule',
      labels(['Violence', 88]),
      policy([{ label: 'Violence', action: 'review' }]),
      'review',
      ['Violence'],
    ],
  ])('%s', (_name, given, chosen, decision, decidingLabels) => {
    const verdict = evaluatePolicy(given, chosen, 80);
    expect(verdict.decision).toBe(decision);
    expect(verdict.matches.map((m) => m.label)).toEqual(decidingLabels);
  });

  it('explains the decision with labels, confidences, thresholds and rules', () => {
    const verdict = evaluatePolicy(
      [...swimwear, ...explicitChain],
      policy([{ label: 'Swimwear or Underwear', action: 'review', minConfidence: 90 }]),
      80,
    );
    expect(verdict.reason).toBe(
      'Exposed Female Nipple 93.0 ≥ 80: block (default); ' +
        'Female Swimwear or Underwear 91.0 ≥ 90: review (rule Swimwear or Underwear)',
    );
    expect(evaluatePolicy([], DEFAULT_POLICY, 80).reason).toBe(
      'no moderation label at or above its threshold (80)',
    );
  });

  it('survives a parent cycle in a backend answer', () => {
    const cyclic = labels(['A<B', 90], ['B<A', 90]);
    expect(evaluatePolicy(cyclic, DEFAULT_POLICY, 80).matches.map((m) => m.label)).toEqual([
      'A',
      'B',
    ]);
  });
});

describe('requestMinConfidence', () => {
  it('asks for the lowest threshold in use', () => {
    expect(requestMinConfidence(DEFAULT_POLICY, 80)).toBe(80);
    expect(
      requestMinConfidence(
        policy([
          { label: 'Violence', action: 'review', minConfidence: 60 },
          { label: 'Explicit', action: 'block', minConfidence: 95 },
        ]),
        80,
      ),
    ).toBe(60);
  });
});
