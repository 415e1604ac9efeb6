/**
 * The per-label moderation policy: which labels block an object, which only send it to
 * review, which are allowed, and from what confidence. Pure: no I/O.
 */
import type { ModerationLabel } from '../moderation/index.js';

export type LabelAction = 'block' | 'review' | 'allow';

export interface PolicyRule {
  /**
   * A taxonomy label at any level (`Explicit`, `Swimwear or Underwear`, `Middle Finger`),
   * compared without regard to case. It applies to the label and everything below it,
   * unless a rule for a more specific label says otherwise.
   */
  label: string;
  action: LabelAction;
  /** 0–100; default the pipeline's `minConfidence`. */
  minConfidence?: number;
}

export interface ModerationPolicy {
  /** What a label no rule covers does. */
  defaultAction: LabelAction;
  rules: PolicyRule[];
}

/** Blocks every label the moderator returns at the pipeline's `minConfidence` or more. */
export const DEFAULT_POLICY: ModerationPolicy = { defaultAction: 'block', rules: [] };

export interface LabelMatch {
  label: string;
  confidence: number;
  action: LabelAction;
  threshold: number;
  /** The rule's label, or null for the default action. */
  rule: string | null;
}

export interface PolicyVerdict {
  decision: 'blocked' | 'review' | 'clean';
  /**
   * The labels that decided — at or above their threshold and most specific — worst action
   * first, allowed ones included.
   */
  matches: LabelMatch[];
  reason: string;
}

const SEVERITY: Record<LabelAction, number> = { block: 2, review: 1, allow: 0 };
const DECISION = { block: 'blocked', review: 'review', allow: 'clean' } as const;

/**
 * The `MinConfidence` to ask the moderator for: the lowest threshold any rule uses, so a rule
 * with a lower threshold than the pipeline's still sees its labels.
 */
export function requestMinConfidence(policy: ModerationPolicy, minConfidence: number): number {
  return Math.min(minConfidence, ...policy.rules.map((r) => r.minConfidence ?? minConfidence));
}

/**
 * Decides on the labels of one image. A label counts when its confidence reaches the
 * threshold of the rule that covers it (the rule of the label itself or its nearest
 * ancestor). A counting label is set aside when a more specific one below it counts too —
 * Rekognition returns each label's ancestors as entries of their own, and the specific
 * label is what the policy speaks about. The worst action of the rest decides.
 *
 * @example
 * evaluatePolicy(labels, { defaultAction: 'block',
 *   rules: [{ label: 'Swimwear or Underwear', action: 'review' }] }, 80).decision
 */
export function evaluatePolicy(
  labels: readonly ModerationLabel[],
  policy: ModerationPolicy,
  minConfidence: number,
): PolicyVerdict {
  const parents = new Map(labels.map((l) => [fold(l.Name), fold(l.ParentName)]));
  const rules = new Map(policy.rules.map((r) => [fold(r.label), r]));
  const judged = labels.map((label) => {
    const lineage = ancestry(fold(label.Name), parents);
    const rule = lineage.map((name) => rules.get(name)).find((r) => r !== undefined);
    const match: LabelMatch = {
      label: label.Name,
      confidence: label.Confidence,
      action: rule?.action ?? policy.defaultAction,
      threshold: rule?.minConfidence ?? minConfidence,
      rule: rule?.label ?? null,
    };
    return { match, lineage };
  });
  const counting = judged.filter(({ match }) => match.confidence >= match.threshold);
  const lineages = new Map(counting.map(({ lineage }) => [lineage[0]!, lineage]));
  // In a parent cycle (a malformed answer) neither label explains the other: both count.
  const explained = new Set(
    counting.flatMap(({ lineage }) =>
      lineage.slice(1).filter((name) => !lineages.get(name)?.includes(lineage[0]!)),
    ),
  );
  const matches = counting
    .filter(({ lineage }) => !explained.has(lineage[0]!))
    .map(({ match }) => match)
    .sort((a, b) => SEVERITY[b.action] - SEVERITY[a.action] || b.confidence - a.confidence);
  const worst = matches[0]?.action ?? 'allow';
  return { decision: DECISION[worst], matches, reason: describe(matches, minConfidence) };
}

/** The label's name, then its parent's, up to the top level. */
function ancestry(name: string, parents: ReadonlyMap<string, string>): string[] {
  const lineage = [name];
  for (let parent = parents.get(name); parent && !lineage.includes(parent);) {
    lineage.push(parent);
    parent = parents.get(parent);
  }
  return lineage;
}

function fold(name: string): string {
  return name.toLowerCase();
}

function describe(matches: readonly LabelMatch[], minConfidence: number): string {
  if (matches.length === 0)
    return `no moderation label at or above its threshold (${minConfidence})`;
  return matches
    .map(
      (m) =>
        `${m.label} ${m.confidence.toFixed(1)} ≥ ${m.threshold}: ${m.action} (${m.rule === null ? 'default' : `rule ${m.rule}`})`,
    )
    .join('; ');
}
