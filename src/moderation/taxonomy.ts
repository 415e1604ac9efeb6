/**
 * How the local model's five classes become Rekognition's moderation taxonomy (version 7).
 * Pure: probabilities in, a `DetectModerationLabels`-shaped result out.
 *
 * NSFWJS (MobileNetV2, trained on GantMan/nsfw_model's data) gives one softmax over five
 * mutually exclusive classes, in this output order:
 *   Drawing — safe-for-work drawings, anime included;  Hentai — pornographic drawings;
 *   Neutral — safe-for-work photos;  Porn — pornographic photos, sexual acts;
 *   Sexy — sexually suggestive photos that are not pornography (lingerie, swimwear, partial nudity).
 *
 * The mapping, and why:
 * - Porn → Explicit › Explicit Nudity. The class is the v6 "Explicit Nudity" category, whose
 *   v7 successor is this level-2 label. The model cannot tell nudity from sexual activity or
 *   point at body parts, so it never claims "Explicit Sexual Activity" or any level-3 label.
 * - Hentai → the same chain, plus the content type Illustrated: AWS's v6→v7 migration maps
 *   "Illustrated Explicit Nudity" onto Explicit with a content type, and explicit content
 *   does not become acceptable because it is drawn.
 * - Sexy → Non-Explicit Nudity of Intimate parts and Kissing › Non-Explicit Nudity, the v7
 *   home of v6 "Revealing Clothes" and "Partial Nudity". The class also holds swimwear and
 *   underwear, which v7 files under "Swimwear or Underwear"; the model cannot separate them,
 *   and we report the stricter category rather than let partial nudity pass as swimwear.
 * - Drawing → no label, content type Illustrated.
 * - Neutral → nothing.
 *
 * The classes are exclusive, so a label's confidence is the probability mass of every class
 * mapped to it or below it: an image scored Porn 0.45 and Hentai 0.45 is 90% Explicit.
 * Parents therefore never score below their children, and the whole chain is returned as
 * separate entries, as Rekognition does.
 *
 * Content types: NSFWJS's drawn classes (Drawing, Hentai) mix anime with other drawings, so
 * the model cannot separate Rekognition's "Animated" (cartoons, comics, manga, anime, games)
 * from "Illustrated" (drawings, paintings, sketches). It reports only Illustrated, with the
 * mass of both drawn classes. An animated GIF of a photograph is not "Animated" in AWS's sense.
 */
import type { ContentType, ModerationLabel } from './types.js';

/** NSFWJS's classes in the order of the model's output vector. */
export const NSFW_CLASSES = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] as const;
export type NsfwClass = (typeof NSFW_CLASSES)[number];

/** One frame's class probabilities, each 0–1, summing to 1. */
export type ClassScores = Readonly<Record<NsfwClass, number>>;

export type TaxonomyNode = Readonly<Omit<ModerationLabel, 'Confidence'>>;

const EXPLICIT: TaxonomyNode = { Name: 'Explicit', ParentName: '', TaxonomyLevel: 1 };
const EXPLICIT_NUDITY: TaxonomyNode = {
  Name: 'Explicit Nudity',
  ParentName: 'Explicit',
  TaxonomyLevel: 2,
};
const NON_EXPLICIT: TaxonomyNode = {
  Name: 'Non-Explicit Nudity of Intimate parts and Kissing',
  ParentName: '',
  TaxonomyLevel: 1,
};
const NON_EXPLICIT_NUDITY: TaxonomyNode = {
  Name: 'Non-Explicit Nudity',
  ParentName: NON_EXPLICIT.Name,
  TaxonomyLevel: 2,
};

export interface ClassMapping {
  /** The label and its ancestors, deepest first. */
  labels: readonly TaxonomyNode[];
  contentType?: ContentType['Name'];
}

export const CLASS_MAPPING: Readonly<Record<NsfwClass, ClassMapping>> = {
  Porn: { labels: [EXPLICIT_NUDITY, EXPLICIT] },
  Hentai: { labels: [EXPLICIT_NUDITY, EXPLICIT], contentType: 'Illustrated' },
  Sexy: { labels: [NON_EXPLICIT_NUDITY, NON_EXPLICIT] },
  Drawing: { labels: [], contentType: 'Illustrated' },
  Neutral: { labels: [] },
};

/**
 * A content type is reported when the model finds it more likely than not. `MinConfidence`
 * does not apply: Rekognition documents it as a filter on labels only.
 */
export const CONTENT_TYPE_MIN_CONFIDENCE = 50;

export type Coverage = 'partial' | 'none';

/**
 * Every level-1 category of the v7 taxonomy and what the local models (NSFWJS and the
 * ImageNet classifier, see objects.ts) can say about it. The `none` rows need the
 * `rekognition` or `http` backend.
 */
export const LOCAL_MODEL_COVERAGE: readonly {
  category: string;
  coverage: Coverage;
  note: string;
}[] = [
  {
    category: 'Explicit',
    coverage: 'partial',
    note: 'Explicit Nudity only (Porn, Hentai); no Explicit Sexual Activity, Sex Toys or level-3 body parts',
  },
  {
    category: 'Non-Explicit Nudity of Intimate parts and Kissing',
    coverage: 'partial',
    note: 'Non-Explicit Nudity only (Sexy); no Obstructed Intimate Parts, Kissing on the Lips or level-3 labels',
  },
  {
    category: 'Swimwear or Underwear',
    coverage: 'partial',
    note: 'Female/Male when the ImageNet model names the garment; otherwise suggestive photos stay Non-Explicit Nudity',
  },
  {
    category: 'Violence',
    coverage: 'partial',
    note: 'Weapons (firearms, cannon, missiles, bows, holsters); no Graphic Violence',
  },
  { category: 'Visually Disturbing', coverage: 'none', note: 'no death, emaciation or crashes' },
  {
    category: 'Drugs & Tobacco',
    coverage: 'partial',
    note: 'Pills (pill bottle), Paraphernalia & Use (syringe); no cigarette class, so no Smoking',
  },
  {
    category: 'Alcohol',
    coverage: 'partial',
    note: 'Alcoholic Beverages (bottles, glasses); no Drinking',
  },
  { category: 'Rude Gestures', coverage: 'none', note: 'no middle finger in ImageNet-1k' },
  { category: 'Gambling', coverage: 'partial', note: 'slot machines only' },
  { category: 'Hate Symbols', coverage: 'none', note: 'no extremist or supremacist symbols' },
];

/**
 * Cannot be mistaken for AWS's `"7.0"`: it names the project, each model, and the version of
 * the npm package NSFWJS's weights came from.
 *
 * @example localModelVersion('4.3.0', 'imagenet-mobilenetv2-12-int8')
 * // 'vigil-nsfwjs-mobilenetv2-4.3.0+imagenet-mobilenetv2-12-int8'
 */
export function localModelVersion(nsfwjsVersion: string, ...others: string[]): string {
  return [`vigil-nsfwjs-mobilenetv2-${nsfwjsVersion}`, ...others].join('+');
}

/** The model's output vector (in `NSFW_CLASSES` order) as named scores. */
export function classScores(probabilities: ArrayLike<number>): ClassScores {
  if (probabilities.length !== NSFW_CLASSES.length)
    throw new Error(
      `Expected ${NSFW_CLASSES.length} class probabilities, got ${probabilities.length}`,
    );
  const scores = {} as Record<NsfwClass, number>;
  NSFW_CLASSES.forEach((name, i) => (scores[name] = probabilities[i] ?? 0));
  return scores;
}

const percent = (mass: number) => Math.min(100, Math.max(0, mass * 100));

/** One frame's NSFWJS labels, each with the mass of every class mapped to it or below it. */
export function frameLabels(scores: ClassScores): Map<string, ModerationLabel> {
  const labels = new Map<string, ModerationLabel>();
  for (const name of NSFW_CLASSES)
    for (const node of CLASS_MAPPING[name].labels) {
      const entry = labels.get(node.Name) ?? { ...node, Confidence: 0 };
      entry.Confidence += scores[name];
      labels.set(node.Name, entry);
    }
  for (const entry of labels.values()) entry.Confidence = percent(entry.Confidence);
  return labels;
}

/** One frame's content types, with the mass of the drawn classes. */
export function frameContentTypes(scores: ClassScores): Map<ContentType['Name'], number> {
  const mass = new Map<ContentType['Name'], number>();
  for (const name of NSFW_CLASSES) {
    const type = CLASS_MAPPING[name].contentType;
    if (type) mass.set(type, (mass.get(type) ?? 0) + scores[name]);
  }
  return new Map([...mass].map(([type, m]) => [type, percent(m)]));
}
