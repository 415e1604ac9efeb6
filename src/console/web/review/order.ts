/** Which review item comes next: pure, so the keyboard walk is tested without a browser. */
import type { ReviewQueueItem } from '../../api-types.js';

/** Claimed by another reviewer whose lease has not run out. */
export function heldByOther(item: ReviewQueueItem, me: string, now: number): boolean {
  return (
    item.claimedBy !== null &&
    item.claimedBy !== me &&
    (item.claimExpiresAt === null || item.claimExpiresAt > now)
  );
}

/**
 * The indexes to try, in order, walking from `start` by `step` and skipping items another
 * reviewer holds. After a decision the walk goes forward from the decided item's place and
 * then back towards the oldest.
 */
export function candidates(
  items: readonly ReviewQueueItem[],
  start: number,
  step: 1 | -1,
  me: string,
  now: number,
): ReviewQueueItem[] {
  const found: ReviewQueueItem[] = [];
  for (let index = start; index >= 0 && index < items.length; index += step) {
    const item = items[index];
    if (item !== undefined && !heldByOther(item, me, now)) found.push(item);
  }
  return found;
}

export function candidatesAfterDecision(
  remaining: readonly ReviewQueueItem[],
  decidedIndex: number,
  me: string,
  now: number,
): ReviewQueueItem[] {
  const start = Math.max(0, decidedIndex);
  return [
    ...candidates(remaining, start, 1, me, now),
    ...candidates(remaining, start - 1, -1, me, now),
  ];
}

/** Where `j` (step 1) or `k` (step -1) starts looking, given the selected item's index. */
export function moveStart(selectedIndex: number, step: 1 | -1, length: number): number {
  if (selectedIndex === -1) return step === 1 ? 0 : length - 1;
  return selectedIndex + step;
}
