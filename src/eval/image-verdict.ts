/**
 * What the pipeline's policy makes of one image's labels, in the terms of an evaluation:
 * which categories it is flagged with, and which level-1 category decided. Pure.
 */
import type { ModerationLabel } from '../moderation/index.js';
import { evaluatePolicy, type PolicyVerdict } from '../pipeline/index.js';
import { isWithin, lineage } from './categories.js';
import type { EvalSettings } from './types.js';

export interface ImageVerdict {
  decision: PolicyVerdict['decision'];
  /**
   * Every category, at any level, holding a label at or above its rule's threshold — the
   * label itself and each of its ancestors. Allowed labels count: the policy's action shows
   * in `decision`, what the model saw shows here.
   */
  flagged: string[];
  /** The level-1 category of the label that decided (worst action, then most confident). */
  top: string | null;
}

/**
 * @example
 * imageVerdict([{ Name: 'Weapons', ParentName: 'Violence', TaxonomyLevel: 2, Confidence: 91 }],
 *   { threshold: 80, policy: DEFAULT_POLICY })
 * // { decision: 'blocked', flagged: ['Weapons', 'Violence'], top: 'Violence' }
 */
export function imageVerdict(
  labels: readonly ModerationLabel[],
  settings: EvalSettings,
): ImageVerdict {
  const verdict = evaluatePolicy(labels, settings.policy, settings.threshold);
  const flagged = new Set(verdict.matches.flatMap((m) => lineage(m.label, labels)));
  const decider = verdict.matches[0];
  return {
    decision: verdict.decision,
    flagged: [...flagged],
    top: decider ? lineage(decider.label, labels).at(-1)! : null,
  };
}

/**
 * The image's confidence for a category: the highest of its labels in or below it (a
 * backend may score a parent apart from its children), 0 when it has none.
 */
export function categoryConfidence(labels: readonly ModerationLabel[], category: string): number {
  return Math.max(
    0,
    ...labels.filter((l) => isWithin(l.Name, category, labels)).map((l) => l.Confidence),
  );
}
