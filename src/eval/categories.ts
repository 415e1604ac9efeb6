/**
 * Folder names → Rekognition v7 categories, and where a label sits in the taxonomy. Pure.
 */
import type { ModerationLabel } from '../moderation/index.js';
import { TAXONOMY_V7 } from '../moderation/backends/index.js';
import { CLEAN, type Expected } from './types.js';

/**
 * A folder name reduced to what tells categories apart: lower case, words joined by `-`,
 * `&` and `and` dropped — so `Drugs & Tobacco`, `drugs_tobacco` and `drugs-and-tobacco` are
 * one name.
 *
 * @example folderSlug('Drugs & Tobacco') // 'drugs-tobacco'
 */
export function folderSlug(name: string): string {
  return name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '' && word !== 'and')
    .join('-');
}

/** Short names for categories whose v7 name is long or not what people call a folder. */
const ALIASES: Readonly<Record<string, string>> = {
  swimwear: 'Swimwear or Underwear',
  underwear: 'Swimwear or Underwear',
  'non-explicit': 'Non-Explicit Nudity of Intimate parts and Kissing',
  drugs: 'Drugs & Tobacco',
};

export interface CategoryName {
  /** The v7 name. */
  category: string;
  level: 1 | 2;
  /** The level-1 category above a level-2 one; `''` at level 1. */
  parent: string;
  /** Every slug that names it: its own first, then aliases. */
  folders: string[];
}

/** The categories a folder may be named after: every v7 label at level 1 or 2. */
export const CATEGORY_NAMES: readonly CategoryName[] = [...TAXONOMY_V7.values()]
  .filter((entry) => entry.TaxonomyLevel === 1 || entry.TaxonomyLevel === 2)
  .map((entry) => ({
    category: entry.Name,
    level: entry.TaxonomyLevel as 1 | 2,
    parent: entry.ParentName,
    folders: [
      folderSlug(entry.Name),
      ...Object.keys(ALIASES).filter((alias) => ALIASES[alias] === entry.Name),
    ],
  }));

const BY_SLUG = new Map(
  CATEGORY_NAMES.flatMap((c) => c.folders.map((slug) => [slug, c.category] as const)),
);
const BY_FOLDED_NAME = new Map([...TAXONOMY_V7.values()].map((e) => [e.Name.toLowerCase(), e]));

export class UnknownFolderError extends Error {
  override readonly name = 'UnknownFolderError';
}

/**
 * What a folder's images are expected to get, from the folder's name: a v7 category, or one
 * of `userLabels` (the labels the config's own models report, `moderation.models`).
 *
 * @example expectedOfFolder('weapons') // 'Weapons'
 * @example expectedOfFolder('company-logo', ['Company Logo', 'Brand']) // 'Company Logo'
 * @throws UnknownFolderError naming the folder and the names it could have had.
 */
export function expectedOfFolder(folder: string, userLabels: readonly string[] = []): Expected {
  const slug = folderSlug(folder);
  if (slug === CLEAN) return CLEAN;
  const category = BY_SLUG.get(slug);
  if (category) return category;
  const own = userLabels.find((label) => folderSlug(label) === slug);
  if (own !== undefined) return own;
  const deeper = [...TAXONOMY_V7.values()].find(
    (e) => e.TaxonomyLevel === 3 && folderSlug(e.Name) === slug,
  );
  const hint = deeper
    ? ` ${deeper.Name} is a level-3 label: name the folder after its category, ${folderSlug(deeper.ParentName)}.`
    : '';
  const yours =
    userLabels.length > 0
      ? `; your models' labels: ${userLabels.map((label) => folderSlug(label)).join(', ')}`
      : '';
  throw new UnknownFolderError(
    `Folder '${folder}' names no category.${hint} Folder names (any case; '_', ' ' and '-' alike, 'and'/'&' optional): ${CLEAN}, ${CATEGORY_NAMES.flatMap((c) => c.folders).join(', ')}${yours}.`,
  );
}

/** The v7 spelling of a label name given in any case; unknown names stay as given. */
export function canonicalName(name: string): string {
  return BY_FOLDED_NAME.get(name.toLowerCase())?.Name ?? name;
}

/**
 * The label and its ancestors up to level 1, by the answer's own `ParentName` links, else by
 * the v7 taxonomy (a backend may leave an ancestor out).
 *
 * @example lineage('Weapons', []) // ['Weapons', 'Violence']
 */
export function lineage(name: string, labels: readonly ModerationLabel[] = []): string[] {
  const parents = new Map(labels.map((l) => [l.Name.toLowerCase(), l.ParentName]));
  const chain = [canonicalName(name)];
  for (;;) {
    const last = chain[chain.length - 1]!.toLowerCase();
    const parent = parents.get(last) ?? BY_FOLDED_NAME.get(last)?.ParentName;
    if (!parent || chain.some((n) => n.toLowerCase() === parent.toLowerCase())) return chain;
    chain.push(canonicalName(parent));
  }
}

/** Whether `name` is `category` or lies below it (case ignored). */
export function isWithin(name: string, category: string, labels?: readonly ModerationLabel[]) {
  const folded = category.toLowerCase();
  return lineage(name, labels).some((n) => n.toLowerCase() === folded);
}
