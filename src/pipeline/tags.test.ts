import { describe, expect, it } from 'vitest';
import type { Tag } from './ports.js';
import { mergeTags, type WantedTag } from './tags.js';

const blocked: WantedTag = { Key: 'BlockedContent', Value: 'true', required: true };
const scanBlocked: WantedTag = { Key: 'ScanStatus', Value: 'blocked', required: false };
const scanClean: WantedTag = { Key: 'ScanStatus', Value: 'clean', required: false };

function owner(count: number): Tag[] {
  return Array.from({ length: count }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
}

describe('mergeTags', () => {
  it.each<[string, Tag[], WantedTag[], Partial<ReturnType<typeof mergeTags>>]>([
    [
      'appends to an empty set',
      [],
      [blocked],
      { tags: [{ Key: 'BlockedContent', Value: 'true' }], changed: true },
    ],
    [
      "keeps the owner's tags, in order",
      owner(2),
      [blocked, scanBlocked],
      {
        tags: [
          ...owner(2),
          { Key: 'BlockedContent', Value: 'true' },
          { Key: 'ScanStatus', Value: 'blocked' },
        ],
        changed: true,
        evicted: [],
        dropped: [],
      },
    ],
    [
      'updates a present key in place',
      [{ Key: 'BlockedContent', Value: 'false' }, ...owner(1)],
      [blocked],
      { tags: [{ Key: 'BlockedContent', Value: 'true' }, ...owner(1)], changed: true },
    ],
    [
      'writes nothing when every tag is already there',
      [...owner(1), { Key: 'ScanStatus', Value: 'clean' }],
      [scanClean],
      { tags: [...owner(1), { Key: 'ScanStatus', Value: 'clean' }], changed: false },
    ],
    [
      'fills the tenth place',
      owner(9),
      [blocked],
      { tags: [...owner(9), { Key: 'BlockedContent', Value: 'true' }], evicted: [] },
    ],
    [
      "a full set gives up the owner's last tag for the block tag",
      owner(10),
      [blocked],
      {
        tags: [...owner(9), { Key: 'BlockedContent', Value: 'true' }],
        evicted: [{ Key: 'k9', Value: 'v9' }],
        changed: true,
      },
    ],
    [
      'a full set gives up the pipeline’s own ScanStatus before any owner tag',
      [...owner(4), { Key: 'ScanStatus', Value: 'clean' }, ...owner(9).slice(4)],
      [blocked, scanBlocked],
      {
        tags: [...owner(9), { Key: 'BlockedContent', Value: 'true' }],
        evicted: [{ Key: 'ScanStatus', Value: 'clean' }],
        dropped: [{ Key: 'ScanStatus', Value: 'blocked' }],
      },
    ],
    [
      'a full set leaves an optional tag out and keeps every owner tag',
      owner(10),
      [scanClean],
      {
        tags: owner(10),
        changed: false,
        evicted: [],
        dropped: [{ Key: 'ScanStatus', Value: 'clean' }],
      },
    ],
    [
      'a block tag already in a full set needs no room',
      [...owner(9), { Key: 'BlockedContent', Value: 'true' }],
      [blocked, scanBlocked],
      {
        tags: [...owner(9), { Key: 'BlockedContent', Value: 'true' }],
        changed: false,
        evicted: [],
        dropped: [{ Key: 'ScanStatus', Value: 'blocked' }],
      },
    ],
  ])('%s', (_name, existing, wanted, expected) => {
    expect(mergeTags(existing, wanted)).toMatchObject(expected);
  });

  it('does not modify the tags it was given', () => {
    const existing = [{ Key: 'BlockedContent', Value: 'false' }];
    mergeTags(existing, [blocked]);
    expect(existing).toEqual([{ Key: 'BlockedContent', Value: 'false' }]);
  });

  it('never holds more than the limit', () => {
    for (let count = 0; count <= 10; count++)
      expect(mergeTags(owner(count), [blocked, scanBlocked]).tags.length).toBeLessThanOrEqual(10);
  });
});
