import type { Tag } from '../storage/index.js';
import {
  activityStep,
  deliveryStep,
  invocationStep,
  moderationStep,
  pendingStep,
  reviewStep,
  type UnorderedStep,
} from './timeline-steps.js';
import type { TimelineInput, TimelineStep, TimelineStepKind } from './types.js';

/** Of two steps at the same millisecond, the one that happens first in a story. */
const LOGICAL_ORDER: Record<TimelineStepKind, number> = {
  upload: 0,
  event: 1,
  delivery: 2,
  invocation: 3,
  moderation: 4,
  tagging: 5,
  review: 6,
  removal: 7,
};

/**
 * An object's story, oldest first: every version's upload, its events waiting in the outbox,
 * each delivery attempt, function invocation, moderation verdict, tag change, review and
 * removal. Steps at the same time keep the logical order (upload < event < delivery <
 * invocation < moderation < tagging < review < removal), then the input's order;
 * `sincePrevious` is the time since the step before. Pure.
 *
 * @example
 * const steps = buildTimeline({ ...history.objectHistory(bucket, key), verdicts, reviews });
 * steps[0]; // { kind: 'upload', at, sincePrevious: null, summary: 'PUT 1.2 MB from 127.0.0.1 by AKIA…, request 4F2A…', detail }
 */
export function buildTimeline(input: TimelineInput): TimelineStep[] {
  const steps: UnorderedStep[] = [
    ...activitySteps(input.activity),
    ...input.pending.map(pendingStep),
    ...input.deliveries.map(deliveryStep),
    ...input.invocations.map(invocationStep),
    ...input.verdicts.map(moderationStep),
    ...input.reviews.map(reviewStep),
  ];
  // Array.prototype.sort is stable: equal keys keep the order above.
  steps.sort((a, b) => a.at - b.at || LOGICAL_ORDER[a.kind] - LOGICAL_ORDER[b.kind]);
  return steps.map((step, i) => ({
    kind: step.kind,
    at: step.at,
    sincePrevious: i === 0 ? null : step.at - steps[i - 1]!.at,
    summary: step.summary,
    detail: step.detail,
  }));
}

/** Activity rows in commit order, each tag change knowing the tag set it replaced. */
function activitySteps(activity: TimelineInput['activity']): UnorderedStep[] {
  let tags: Tag[] | null = null;
  return [...activity]
    .sort((a, b) => a.at - b.at || a.id - b.id)
    .map((row) => {
      const step = activityStep(row, tags);
      tags = row.tags;
      return step;
    });
}
