import { describe, expect, it } from 'vitest';
import { OBJECT_CATEGORY_NAMES, type ObjectMasses } from './objects.js';
import { moderationResult, type FrameEvidence } from './result.js';
import { NSFW_CLASSES, classScores, type NsfwClass } from './taxonomy.js';

const nsfw = (mass: Partial<Record<NsfwClass, number>>) => {
  const rest = 1 - Object.values(mass).reduce((a, b) => a + b, 0);
  return classScores(NSFW_CLASSES.map((c) => mass[c] ?? (c === 'Neutral' ? rest : 0)));
};
const objects = (mass: Partial<ObjectMasses>): ObjectMasses =>
  Object.fromEntries(OBJECT_CATEGORY_NAMES.map((n) => [n, mass[n] ?? 0])) as never;

const labelsOf = (frames: FrameEvidence[], min = 1) =>
  Object.fromEntries(
    moderationResult(frames, min, 'v').ModerationLabels.map((l) => [
      l.Name,
      Math.round(l.Confidence),
    ]),
  );

describe('both models in one answer', () => {
  it('reports a weapon beside nudity, each chain complete, highest first', () => {
    const result = moderationResult(
      [{ nsfw: nsfw({ Porn: 0.9 }), objects: objects({ weapons: 0.8 }) }],
      50,
      'v',
    );
    expect(
      result.ModerationLabels.map((l) => [l.Name, l.ParentName, Math.round(l.Confidence)]),
    ).toEqual([
      ['Weapons', 'Violence', 92],
      ['Violence', '', 92],
      ['Explicit Nudity', 'Explicit', 90],
      ['Explicit', '', 90],
    ]);
  });

  it('reads suggestive mass as swimwear when the ImageNet model sees swimwear', () => {
    // Bikini evidence 0.6 → 84: that share of the Sexy mass is swimwear, the rest nudity.
    expect(
      labelsOf([{ nsfw: nsfw({ Sexy: 0.9 }), objects: objects({ femaleSwimwear: 0.6 }) }]),
    ).toEqual({
      'Swimwear or Underwear': 84,
      'Female Swimwear or Underwear': 84,
      'Non-Explicit Nudity': 14,
      'Non-Explicit Nudity of Intimate parts and Kissing': 14,
    });
  });

  it('keeps suggestive mass as nudity, the stricter reading, without swimwear evidence', () => {
    expect(labelsOf([{ nsfw: nsfw({ Sexy: 0.9 }), objects: objects({}) }], 50)).toEqual({
      'Non-Explicit Nudity': 90,
      'Non-Explicit Nudity of Intimate parts and Kissing': 90,
    });
  });

  it('names the kind of swimwear the evidence points to', () => {
    expect(
      labelsOf([{ nsfw: nsfw({ Sexy: 0.2 }), objects: objects({ maleSwimwear: 0.7 }) }], 50),
    ).toEqual({ 'Swimwear or Underwear': 88, 'Male Swimwear or Underwear': 88 });
  });

  it('lets the worst frame decide, label by label', () => {
    expect(
      labelsOf(
        [
          { nsfw: nsfw({}), objects: objects({ alcohol: 0.6 }) },
          { nsfw: nsfw({}), objects: objects({ gambling: 0.55, alcohol: 0.1 }) },
        ],
        50,
      ),
    ).toEqual({ 'Alcoholic Beverages': 84, Alcohol: 84, Gambling: 82 });
  });

  it('answers from NSFWJS alone when the ImageNet model did not run', () => {
    expect(labelsOf([{ nsfw: nsfw({ Porn: 0.6 }) }], 50)).toEqual({
      'Explicit Nudity': 60,
      Explicit: 60,
    });
  });
});
