import type { ReviewQueueItem } from '../../api-types.js';

export type Tone = 'danger' | 'warning' | 'neutral' | 'ok';

export function Badge({ tone, children }: { tone: Tone; children: string }) {
  return <span class={`badge badge-${tone}`}>{children}</span>;
}

const DECISIONS: Record<ReviewQueueItem['decision'], { text: string; tone: Tone }> = {
  blocked: { text: 'Blocked', tone: 'danger' },
  review: { text: 'Flagged', tone: 'warning' },
  failed: { text: 'Failed', tone: 'neutral' },
};

/** The pipeline's decision on an item waiting for review. */
export function DecisionBadge({ decision }: { decision: ReviewQueueItem['decision'] }) {
  const { text, tone } = DECISIONS[decision];
  return <Badge tone={tone}>{text}</Badge>;
}
