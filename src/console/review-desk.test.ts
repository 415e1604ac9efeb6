import { describe, expect, it } from 'vitest';
import { decidedTags } from './review-desk.js';

const tag = (Key: string, Value: string) => ({ Key, Value });

describe('decidedTags', () => {
  it.each([
    [
      'approve clears the verdict status of cleanTag',
      [tag('ScanStatus', 'blocked'), tag('BlockedContent', 'true')],
      'approve',
      [tag('ModerationReview', 'approved')],
    ],
    [
      "approve removes the block, keeps the owner's tags",
      [tag('owner', 'a'), tag('BlockedContent', 'true')],
      'approve',
      [tag('owner', 'a'), tag('ModerationReview', 'approved')],
    ],
    [
      'approve clears a failed scan',
      [tag('ScanStatus', 'failed')],
      'approve',
      [tag('ModerationReview', 'approved')],
    ],
    [
      'approve keeps a clean scan status',
      [tag('ScanStatus', 'clean')],
      'approve',
      [tag('ScanStatus', 'clean'), tag('ModerationReview', 'approved')],
    ],
    [
      'keep blocked adds the block to a review item',
      [tag('owner', 'a')],
      'keep-blocked',
      [tag('owner', 'a'), tag('BlockedContent', 'true'), tag('ModerationReview', 'blocked')],
    ],
    [
      'keep blocked on a blocked item',
      [tag('BlockedContent', 'true')],
      'keep-blocked',
      [tag('BlockedContent', 'true'), tag('ModerationReview', 'blocked')],
    ],
    [
      'a decision replaces an earlier one',
      [tag('ModerationReview', 'approved')],
      'keep-blocked',
      [tag('ModerationReview', 'blocked'), tag('BlockedContent', 'true')],
    ],
  ] as const)('%s', (_name, before, action, after) => {
    expect(decidedTags({ tags: [...before] }, action)).toEqual(after);
  });

  it('finds room for the block in a full tag set, dropping the review note', () => {
    const full = Array.from({ length: 10 }, (_, i) => tag(`t${i}`, 'v'));
    const after = decidedTags({ tags: full }, 'keep-blocked');
    expect(after).toHaveLength(10);
    expect(after).toContainEqual(tag('BlockedContent', 'true'));
  });
});
