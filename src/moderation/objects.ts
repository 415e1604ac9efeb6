/**
 * How the ImageNet classifier's 1000 classes become the v7 categories NSFWJS cannot see:
 * weapons, drugs, alcohol, gambling and swimwear. Pure: probabilities in, labels out.
 *
 * A category's evidence is the **summed** softmax probability of its classes, not the top-1
 * class: on real photographs the right category often wins as a group (a rifle read as 0.65
 * assault rifle + 0.29 rifle) when no single class does.
 *
 * Calibration. ImageNet's softmax answers "which of 1000 things is the main subject", a
 * stricter question than moderation's "is one of these in the picture"; its mass spreads
 * over look-alikes (a beer bottle read partly as a pop bottle). So the summed mass `p` is
 * mapped onto Rekognition's confidence scale by one rule for every category, set from the
 * seed's threshold rather than from photographs:
 *
 *   a category that holds half of the model's belief — more than every other reading of the
 *   image together — is reported at 80, the seed's MinConfidence; below that, confidence
 *   grows in proportion (160·p), above it, on to 100 at certainty (80 + 40·(p − 0.5)).
 *
 * Everyday photographs put a few hundredths at most on these classes (≤ 8 after the map).
 */
import type { ModerationLabel } from './types.js';
import type { TaxonomyNode } from './taxonomy.js';

/** The categories the ImageNet model can speak to, each with its ImageNet classes. */
export const OBJECT_CATEGORIES = {
  weapons: {
    classes: {
      413: 'assault rifle, assault gun',
      763: 'revolver, six-gun, six-shooter',
      764: 'rifle',
      597: 'holster',
      471: 'cannon',
      657: 'missile',
      744: 'projectile, missile',
      456: 'bow',
    },
    labels: [
      { Name: 'Weapons', ParentName: 'Violence', TaxonomyLevel: 2 },
      { Name: 'Violence', ParentName: '', TaxonomyLevel: 1 },
    ],
  },
  pills: {
    classes: { 720: 'pill bottle' },
    labels: [
      { Name: 'Pills', ParentName: 'Products', TaxonomyLevel: 3 },
      { Name: 'Products', ParentName: 'Drugs & Tobacco', TaxonomyLevel: 2 },
      { Name: 'Drugs & Tobacco', ParentName: '', TaxonomyLevel: 1 },
    ],
  },
  paraphernalia: {
    classes: { 845: 'syringe' },
    labels: [
      {
        Name: 'Drugs & Tobacco Paraphernalia & Use',
        ParentName: 'Drugs & Tobacco',
        TaxonomyLevel: 2,
      },
      { Name: 'Drugs & Tobacco', ParentName: '', TaxonomyLevel: 1 },
    ],
  },
  alcohol: {
    classes: {
      440: 'beer bottle',
      441: 'beer glass',
      907: 'wine bottle',
      966: 'red wine',
      901: 'whiskey jug',
      503: 'cocktail shaker',
    },
    labels: [
      { Name: 'Alcoholic Beverages', ParentName: 'Alcohol', TaxonomyLevel: 2 },
      { Name: 'Alcohol', ParentName: '', TaxonomyLevel: 1 },
    ],
  },
  gambling: {
    classes: { 800: 'slot, one-armed bandit' },
    labels: [{ Name: 'Gambling', ParentName: '', TaxonomyLevel: 1 }],
  },
  femaleSwimwear: {
    classes: {
      445: 'bikini, two-piece',
      459: 'brassiere, bra, bandeau',
      638: 'maillot',
      639: 'maillot, tank suit',
    },
    labels: [
      {
        Name: 'Female Swimwear or Underwear',
        ParentName: 'Swimwear or Underwear',
        TaxonomyLevel: 2,
      },
      { Name: 'Swimwear or Underwear', ParentName: '', TaxonomyLevel: 1 },
    ],
  },
  maleSwimwear: {
    classes: { 842: 'swimming trunks, bathing trunks' },
    labels: [
      { Name: 'Male Swimwear or Underwear', ParentName: 'Swimwear or Underwear', TaxonomyLevel: 2 },
      { Name: 'Swimwear or Underwear', ParentName: '', TaxonomyLevel: 1 },
    ],
  },
} as const satisfies Record<
  string,
  { classes: Record<number, string>; labels: readonly TaxonomyNode[] }
>;

export type ObjectCategory = keyof typeof OBJECT_CATEGORIES;
export const OBJECT_CATEGORY_NAMES = Object.keys(OBJECT_CATEGORIES) as ObjectCategory[];

/** One frame's summed probability per category, each 0–1. */
export type ObjectMasses = Readonly<Record<ObjectCategory, number>>;

/** ImageNet-1k has 1000 classes; the model's output is their softmax. */
export const IMAGENET_CLASSES = 1000;

/**
 * Sums the softmax probabilities of each category's classes.
 *
 * @example objectMasses(softmax).weapons // 0.999 for a photograph of a pistol
 */
export function objectMasses(probabilities: ArrayLike<number>): ObjectMasses {
  if (probabilities.length !== IMAGENET_CLASSES)
    throw new Error(
      `Expected ${IMAGENET_CLASSES} class probabilities, got ${probabilities.length}`,
    );
  const masses = {} as Record<ObjectCategory, number>;
  for (const name of OBJECT_CATEGORY_NAMES)
    masses[name] = Object.keys(OBJECT_CATEGORIES[name].classes).reduce(
      (sum, index) => sum + (probabilities[Number(index)] ?? 0),
      0,
    );
  return masses;
}

/** Where the calibration puts a category holding half of the model's belief. */
export const MAJORITY_CONFIDENCE = 80;

/**
 * Rekognition-scale confidence (0–100) for a summed probability: 80 at one half, in
 * proportion below, rising to 100 at certainty. See the module comment for why.
 *
 * @example calibratedConfidence(0.5) // 80
 * @example calibratedConfidence(0.05) // 8
 */
export function calibratedConfidence(mass: number): number {
  const p = Math.min(1, Math.max(0, mass));
  const confidence =
    p <= 0.5
      ? 2 * MAJORITY_CONFIDENCE * p
      : MAJORITY_CONFIDENCE + 2 * (100 - MAJORITY_CONFIDENCE) * (p - 0.5);
  return Math.min(100, confidence);
}

/**
 * One frame's labels from the ImageNet model, each with its ancestors at the same
 * confidence, as Rekognition returns a chain; a parent shared by two categories (Drugs &
 * Tobacco, Swimwear or Underwear) takes the stronger child's confidence.
 */
export function objectLabels(masses: ObjectMasses): Map<string, ModerationLabel> {
  const labels = new Map<string, ModerationLabel>();
  for (const name of OBJECT_CATEGORY_NAMES) {
    const confidence = calibratedConfidence(masses[name]);
    for (const node of OBJECT_CATEGORIES[name].labels) {
      const known = labels.get(node.Name);
      if (!known || known.Confidence < confidence)
        labels.set(node.Name, { ...node, Confidence: confidence });
    }
  }
  return labels;
}
