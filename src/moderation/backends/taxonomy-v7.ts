/**
 * Rekognition's moderation taxonomy, version 7: every label with its parent and level, so a
 * label named alone can be returned with its whole ancestor chain, as Rekognition returns it.
 * Source: docs.aws.amazon.com/rekognition/latest/dg/moderation-api.html, cross-checked in
 * ../shared/reference/moderation.md §2.1 (10 level-1, 20 level-2, 22 level-3 names;
 * "Gambling" is level 1 only there, its level 2 is unverified).
 */
import type { ModerationLabel } from '../types.js';

export type TaxonomyEntry = Readonly<Omit<ModerationLabel, 'Confidence'>>;

/** Level 1 → level 2 → level-3 names. */
const TREE: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  Explicit: {
    'Explicit Nudity': [
      'Exposed Male Genitalia',
      'Exposed Female Genitalia',
      'Exposed Buttocks or Anus',
      'Exposed Female Nipple',
    ],
    'Explicit Sexual Activity': [],
    'Sex Toys': [],
  },
  'Non-Explicit Nudity of Intimate parts and Kissing': {
    'Non-Explicit Nudity': [
      'Bare Back',
      'Exposed Male Nipple',
      'Partially Exposed Buttocks',
      'Partially Exposed Female Breast',
      'Implied Nudity',
    ],
    'Obstructed Intimate Parts': ['Obstructed Female Nipple', 'Obstructed Male Genitalia'],
    'Kissing on the Lips': [],
  },
  'Swimwear or Underwear': {
    'Female Swimwear or Underwear': [],
    'Male Swimwear or Underwear': [],
  },
  Violence: {
    Weapons: [],
    'Graphic Violence': [
      'Weapon Violence',
      'Physical Violence',
      'Self-Harm',
      'Blood & Gore',
      'Explosions and Blasts',
    ],
  },
  'Visually Disturbing': {
    'Death and Emaciation': ['Emaciated Bodies', 'Corpses'],
    Crashes: ['Air Crash'],
  },
  'Drugs & Tobacco': {
    Products: ['Pills'],
    'Drugs & Tobacco Paraphernalia & Use': ['Smoking'],
  },
  Alcohol: { 'Alcohol Use': ['Drinking'], 'Alcoholic Beverages': [] },
  'Rude Gestures': { 'Middle Finger': [] },
  Gambling: {},
  'Hate Symbols': { 'Nazi Party': [], 'White Supremacy': [], Extremist: [] },
};

function flatten(): Map<string, TaxonomyEntry> {
  const entries = new Map<string, TaxonomyEntry>();
  for (const [level1, children] of Object.entries(TREE)) {
    entries.set(level1, { Name: level1, ParentName: '', TaxonomyLevel: 1 });
    for (const [level2, grandchildren] of Object.entries(children)) {
      entries.set(level2, { Name: level2, ParentName: level1, TaxonomyLevel: 2 });
      for (const level3 of grandchildren)
        entries.set(level3, { Name: level3, ParentName: level2, TaxonomyLevel: 3 });
    }
  }
  return entries;
}

/** Every v7 label by name. */
export const TAXONOMY_V7: ReadonlyMap<string, TaxonomyEntry> = flatten();

/** The label and its ancestors, deepest first; undefined for a name not in the taxonomy. */
export function ancestry(name: string): TaxonomyEntry[] | undefined {
  const chain: TaxonomyEntry[] = [];
  for (let entry = TAXONOMY_V7.get(name); entry; entry = TAXONOMY_V7.get(entry.ParentName))
    chain.push(entry);
  return chain.length > 0 ? chain : undefined;
}
