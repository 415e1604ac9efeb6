import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  IMAGENET_CLASSES,
  OBJECT_CATEGORIES,
  OBJECT_CATEGORY_NAMES,
  calibratedConfidence,
  objectLabels,
  objectMasses,
  type ObjectMasses,
} from './objects.js';

const synset = readFileSync(
  new URL('../../models/imagenet-mobilenetv2/synset.txt', import.meta.url),
  'utf8',
)
  .trim()
  .split('\n');

/** A softmax with the given probability on some classes, the rest spread evenly. */
function softmax(mass: Record<number, number>): Float32Array {
  const given = Object.values(mass).reduce((a, b) => a + b, 0);
  const rest = (1 - given) / (IMAGENET_CLASSES - Object.keys(mass).length);
  const p = new Float32Array(IMAGENET_CLASSES).fill(rest);
  for (const [index, value] of Object.entries(mass)) p[Number(index)] = value;
  return p;
}

const none: ObjectMasses = Object.fromEntries(OBJECT_CATEGORY_NAMES.map((n) => [n, 0])) as never;

describe('the ImageNet → Rekognition v7 mapping', () => {
  it("names each category's classes as the shipped label list does", () => {
    expect(synset).toHaveLength(IMAGENET_CLASSES);
    for (const { classes } of Object.values(OBJECT_CATEGORIES))
      for (const [index, name] of Object.entries(classes))
        expect(synset[Number(index)]).toBe(`${synset[Number(index)]!.split(' ')[0]} ${name}`);
  });

  it('returns every label with its ancestors, top level last', () => {
    for (const { labels } of Object.values(OBJECT_CATEGORIES)) {
      expect(labels.at(-1)).toMatchObject({ ParentName: '', TaxonomyLevel: 1 });
      for (let i = 0; i < labels.length - 1; i++) {
        expect(labels[i]!.ParentName).toBe(labels[i + 1]!.Name);
        expect(labels[i]!.TaxonomyLevel).toBe(labels[i + 1]!.TaxonomyLevel + 1);
      }
    }
  });

  it('sums the probabilities of a category’s classes, not the top class alone', () => {
    // A rifle read partly as an assault rifle, partly as a rifle: a weapon either way.
    const masses = objectMasses(softmax({ 413: 0.4, 764: 0.35, 440: 0.1 }));
    expect(masses.weapons).toBeCloseTo(0.75, 2);
    expect(masses.alcohol).toBeCloseTo(0.1, 2);
    expect(masses.gambling).toBeLessThan(0.001);
  });

  it('refuses an output of the wrong size', () => {
    expect(() => objectMasses(new Float32Array(5))).toThrow(/Expected 1000/);
  });
});

describe('calibratedConfidence', () => {
  it.each([
    [0, 0],
    [0.01, 1.6],
    [0.05, 8],
    [0.25, 40],
    [0.5, 80],
    [0.75, 90],
    [1, 100],
    [1.2, 100],
    [-1, 0],
  ])('summed probability %f → %f', (mass, confidence) => {
    expect(calibratedConfidence(mass)).toBeCloseTo(confidence, 6);
  });

  it('never goes down as the probability goes up', () => {
    let last = -1;
    for (let p = 0; p <= 1; p += 0.001) {
      expect(calibratedConfidence(p)).toBeGreaterThanOrEqual(last);
      last = calibratedConfidence(p);
    }
  });
});

describe('objectLabels', () => {
  it('gives the chain the calibrated confidence, and a shared parent its stronger child’s', () => {
    const labels = objectLabels({ ...none, weapons: 0.9, pills: 0.2, paraphernalia: 0.5 });
    expect(labels.get('Weapons')).toEqual({
      Name: 'Weapons',
      ParentName: 'Violence',
      TaxonomyLevel: 2,
      Confidence: 96,
    });
    expect(labels.get('Violence')?.Confidence).toBe(96);
    expect(labels.get('Pills')?.Confidence).toBe(32);
    expect(labels.get('Products')?.Confidence).toBe(32);
    expect(labels.get('Drugs & Tobacco Paraphernalia & Use')?.Confidence).toBe(80);
    expect(labels.get('Drugs & Tobacco')?.Confidence).toBe(80);
  });
});
