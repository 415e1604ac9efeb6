import { describe, expect, it } from 'vitest';
import type { ReviewQueueItem } from '../../api-types.js';
import { candidates, candidatesAfterDecision, heldByOther, moveStart } from './order.js';

const NOW = 1_000_000;
const item = (
  id: number,
  claimedBy: string | null = null,
  expiresIn = 60_000,
): ReviewQueueItem => ({
  id,
  bucket: 'photos',
  key: `k${id}`,
  etag: 'e',
  size: 1,
  contentType: 'image/jpeg',
  decision: 'review',
  reason: '',
  labels: [],
  modelVersion: null,
  uploadedAt: '2026-11-24T10:00:00Z',
  createdAt: NOW - 1000,
  claimedBy,
  claimExpiresAt: claimedBy === null ? null : NOW + expiresIn,
  thumbnail: `review/${id}/thumbnail`,
});
const ids = (items: ReviewQueueItem[]) => items.map((i) => i.id);

describe('heldByOther', () => {
  it('is true only for a live claim by someone else', () => {
    expect(heldByOther(item(1), 'me', NOW)).toBe(false);
    expect(heldByOther(item(1, 'me'), 'me', NOW)).toBe(false);
    expect(heldByOther(item(1, 'bob'), 'me', NOW)).toBe(true);
    expect(heldByOther(item(1, 'bob', -1), 'me', NOW)).toBe(false);
  });
});

describe('walking the queue', () => {
  const queue = [item(1), item(2, 'bob'), item(3), item(4)];

  it('moves down and up, skipping items held by others', () => {
    expect(ids(candidates(queue, moveStart(0, 1, 4), 1, 'me', NOW))).toEqual([3, 4]);
    expect(ids(candidates(queue, moveStart(2, -1, 4), -1, 'me', NOW))).toEqual([1]);
    expect(ids(candidates(queue, moveStart(-1, 1, 4), 1, 'me', NOW))).toEqual([1, 3, 4]);
    expect(ids(candidates(queue, moveStart(-1, -1, 4), -1, 'me', NOW))).toEqual([4, 3, 1]);
    expect(ids(candidates(queue, moveStart(3, 1, 4), 1, 'me', NOW))).toEqual([]);
  });

  it('after a decision goes forward first, then back to the oldest', () => {
    // Item 3 (index 2) was decided; what remains is 1, 2 (bob), 4.
    const remaining = [item(1), item(2, 'bob'), item(4)];
    expect(ids(candidatesAfterDecision(remaining, 2, 'me', NOW))).toEqual([4, 1]);
    expect(ids(candidatesAfterDecision([item(1)], 1, 'me', NOW))).toEqual([1]);
    expect(ids(candidatesAfterDecision([], 0, 'me', NOW))).toEqual([]);
  });
});
