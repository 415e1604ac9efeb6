/**
 * Where the labels of a user's own models sit in the taxonomy. Pure.
 *
 * A map target is either a Rekognition v7 label, named as Rekognition spells it — returned
 * with its v7 ancestors — or a label of the user's own with an optional `parent`: a v7 label,
 * another user label, or a new name, which then becomes a level-1 label of its own. So
 * `{ label: 'Company Logo', parent: 'Brand' }` is returned as `Company Logo` (level 2,
 * parent `Brand`) plus `Brand` (level 1), and `{ label: 'Kitchen Knife', parent: 'Weapons' }`
 * as level 3 under `Weapons › Violence`. The pipeline's policy matches rules by name at any
 * level along that chain, so a rule for `Brand` covers every label filed below it.
 */
import { TAXONOMY_V7 } from '../backends/taxonomy-v7.js';
import type { TaxonomyNode } from '../taxonomy.js';

/** One class's target in a model's `map`. */
export interface MapTarget {
  label: string;
  parent?: string | undefined;
}

/** User label → its parent ('' for a level-1 label), over every model of the config. */
export type UserLabels = ReadonlyMap<string, string>;

/** Why a set of map targets cannot form one taxonomy; `at` locates the offending target. */
export interface ChainProblem<At> {
  at: At;
  message: string;
}

/**
 * Collects the user labels of every target and checks they form a tree: a v7 label keeps its
 * own parent, a user label has the same parent wherever it is named, and no chain loops.
 */
export function userLabels<At>(targets: readonly { at: At; target: MapTarget }[]): {
  labels: UserLabels;
  problems: ChainProblem<At>[];
} {
  const labels = new Map<string, string>();
  const problems: ChainProblem<At>[] = [];
  for (const { at, target } of targets) {
    const v7 = TAXONOMY_V7.get(target.label);
    if (v7) {
      if (target.parent !== undefined && target.parent !== v7.ParentName)
        problems.push({
          at,
          message: `'${target.label}' is a Rekognition v7 label, whose parent is ${v7.ParentName ? `'${v7.ParentName}'` : 'none (level 1)'}; drop 'parent', or name a label of your own`,
        });
      continue;
    }
    const parent = target.parent ?? '';
    const known = labels.get(target.label);
    if (known !== undefined && known !== parent)
      problems.push({
        at,
        message: `label '${target.label}' is given parent '${parent}' here and '${known}' elsewhere; a label has one parent`,
      });
    else labels.set(target.label, parent);
  }
  for (const { at, target } of targets)
    if (!TAXONOMY_V7.has(target.label) && chain(target.label, labels) === undefined)
      problems.push({ at, message: `label '${target.label}' is its own ancestor` });
  return { labels, problems };
}

/**
 * The label and its ancestors, deepest first, each with its level; undefined when the chain
 * loops. A name neither in v7 nor among the user labels is a level-1 user label.
 *
 * @example chain('Company Logo', new Map([['Company Logo', 'Brand']]))
 * // [{ Name: 'Company Logo', ParentName: 'Brand', TaxonomyLevel: 2 },
 * //  { Name: 'Brand', ParentName: '', TaxonomyLevel: 1 }]
 */
export function chain(label: string, user: UserLabels): TaxonomyNode[] | undefined {
  const names: { Name: string; ParentName: string }[] = [];
  const seen = new Set<string>();
  for (let name = label; name !== '';) {
    if (seen.has(name)) return undefined;
    seen.add(name);
    const parent = TAXONOMY_V7.get(name)?.ParentName ?? user.get(name) ?? '';
    names.push({ Name: name, ParentName: parent });
    name = parent;
  }
  return names.map((node, i) => ({ ...node, TaxonomyLevel: names.length - i }));
}
