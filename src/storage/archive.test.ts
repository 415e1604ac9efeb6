import { describe, expect, it } from 'vitest';
import { isReadable, restoreExpiry, restoreHeader } from './archive.js';

describe('restoreExpiry', () => {
  // S3 user guide, "Restoring an archived object": days are added to the completion time
  // and rounded to the next day at midnight UTC.
  it.each([
    ['2012-12-18T15:30:00.000Z', 2, '2012-12-21T00:00:00.000Z'],
    ['2012-12-18T00:00:00.000Z', 1, '2012-12-20T00:00:00.000Z'],
    ['2012-12-31T23:59:59.999Z', 1, '2013-01-02T00:00:00.000Z'],
  ])('completed %s, %i day(s): expires %s', (completed, days, expires) => {
    expect(new Date(restoreExpiry(Date.parse(completed), days)).toISOString()).toBe(expires);
  });

  it('rounds to the next multiple of a shortened day', () => {
    expect(restoreExpiry(10_250, 2, 1000)).toBe(13_000);
  });
});

describe('restoreHeader', () => {
  it('says a restore is under way, then when its copy expires, as HeadObject shows it', () => {
    expect(restoreHeader({})).toBeUndefined();
    expect(restoreHeader({ restore: { ongoing: true, tier: 'Bulk', days: 1, readyAt: 0 } })).toBe(
      'ongoing-request="true"',
    );
    expect(
      restoreHeader({
        restore: { ongoing: false, expiresAt: Date.parse('2012-12-21T00:00:00Z') },
      }),
    ).toBe('ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"');
  });
});

describe('isReadable', () => {
  const restored = { ongoing: false as const, expiresAt: 2_000 };
  it.each([
    ['STANDARD', undefined, 0, true],
    [undefined, undefined, 0, true],
    ['GLACIER_IR', undefined, 0, true],
    ['STANDARD_IA', undefined, 0, true],
    ['GLACIER', undefined, 0, false],
    ['DEEP_ARCHIVE', undefined, 0, false],
    [
      'GLACIER',
      { ongoing: true as const, tier: 'Standard' as const, days: 1, readyAt: 5 },
      9,
      false,
    ],
    ['GLACIER', restored, 1_999, true],
    ['GLACIER', restored, 2_000, false],
  ] as const)('%s with restore %j at %i: %s', (storageClass, restore, now, readable) => {
    expect(isReadable({ storageClass, restore }, now)).toBe(readable);
  });
});
