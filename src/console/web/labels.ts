/**
 * Which moderation labels a person needs to see. Rekognition lists every ancestor of a label
 * as its own entry (`Explicit Nudity` under `Explicit`), so the raw list repeats itself; the
 * console shows the specific labels (levels 2 and 3) with their parent, and a top-level label
 * only when nothing more specific was found under it.
 */
import type { Label } from '../api-types.js';

export interface ShownLabel {
  name: string;
  confidence: number;
  /** Empty for a top-level label. */
  parent: string;
}

export function labelsToShow(labels: readonly Label[]): ShownLabel[] {
  const parentOf = new Map(labels.map((label) => [label.Name, label.ParentName]));
  const covered = new Set<string>();
  for (const label of labels) {
    if (label.TaxonomyLevel < 2) continue;
    // Walk up through the ancestors, guarding against a malformed cycle.
    let parent = label.ParentName;
    for (let depth = 0; parent !== '' && !covered.has(parent) && depth < 5; depth += 1) {
      covered.add(parent);
      parent = parentOf.get(parent) ?? '';
    }
  }
  return labels
    .filter((label) => label.TaxonomyLevel >= 2 || !covered.has(label.Name))
    .map((label) => ({ name: label.Name, confidence: label.Confidence, parent: label.ParentName }))
    .sort((a, b) => b.confidence - a.confidence);
}
