import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  dayCountDueAt,
  dueLifecycleAction,
  nextDueAt,
  type LifecycleDue,
  type LifecycleSubject,
} from './lifecycle-due.js';
import type { LifecycleRule } from './lifecycle-rules.js';

type Version = Extract<LifecycleSubject, { kind: 'version' }>;

const T0 = Date.UTC(2014, 0, 15, 10, 30);
const day = (d: number, h = 0): number => Date.UTC(2014, 0, d, h);
const MB = 1 << 20;

const rule = (over: Partial<LifecycleRule> = {}): LifecycleRule => ({
  id: 'r',
  status: 'Enabled',
  filter: {},
  transitions: [],
  noncurrentVersionTransitions: [],
  ...over,
});
const current = (over: Partial<Version> = {}): Version => ({
  kind: 'version',
  key: 'logs/a',
  versionId: 'v1',
  isLatest: true,
  isDeleteMarker: false,
  lastModified: T0,
  size: MB,
  tags: [],
  storageClass: 'STANDARD',
  ...over,
});
const noncurrent = (over: Partial<Version> = {}): Version =>
  current({ isLatest: false, noncurrentSince: T0, lastModified: day(1), ...over });
const marker = (over: Partial<Version> = {}): Version =>
  current({ isDeleteMarker: true, size: 0, onlyVersionLeft: true, ...over });

const EXPIRE_3 = rule({ expiration: { days: 3 } });

describe('timing: intro-lifecycle-rules, "Lifecycle rules: Based on an object\'s age"', () => {
  // "if an object was created at 1/15/2014 10:30 AM UTC and you specify 3 days in a
  // transition rule, then the transition date of the object would be calculated as
  // 1/19/2014 00:00 UTC" — the same for noncurrent days counted from the successor.
  it.each<[string, LifecycleRule[], LifecycleSubject, number, LifecycleDue]>([
    [
      'expiration by days',
      [EXPIRE_3],
      current(),
      day(19),
      { action: 'expire-current', ruleId: 'r' },
    ],
    [
      'transition by days',
      [rule({ transitions: [{ days: 3, storageClass: 'GLACIER' }] })],
      current(),
      day(19),
      { action: 'transition', ruleId: 'r', storageClass: 'GLACIER' },
    ],
    [
      'noncurrent transition from when the successor was created',
      [rule({ noncurrentVersionTransitions: [{ noncurrentDays: 3, storageClass: 'GLACIER' }] })],
      noncurrent(),
      day(19),
      { action: 'transition', ruleId: 'r', storageClass: 'GLACIER' },
    ],
    [
      'noncurrent expiration',
      [rule({ noncurrentVersionExpiration: { noncurrentDays: 3 } })],
      noncurrent(),
      day(19),
      { action: 'expire-noncurrent', ruleId: 'r' },
    ],
    [
      // intro-lifecycle-rules, "Based on a specific date": objects created after the date are
      // "immediately eligible".
      'expiration by date, for an object created after it',
      [rule({ expiration: { date: day(10) } })],
      current(),
      day(10),
      { action: 'expire-current', ruleId: 'r' },
    ],
  ])('%s falls due at the computed midnight, not before', (_name, rules, subject, at, due) => {
    expect(nextDueAt(rules, subject)).toBe(at);
    expect(dueLifecycleAction(rules, at - 1, subject)).toBeUndefined();
    expect(dueLifecycleAction(rules, at, subject)).toEqual(due);
  });

  it.each<[string, number, number, number, number]>([
    ['the guide example', T0, 3, DAY_MS, day(19)],
    ['0 days: "at midnight UTC following creation"', T0, 0, DAY_MS, day(16)],
    ['a sum landing on midnight still moves on', day(15), 3, DAY_MS, day(19)],
    ['a fast clock rounds to multiples of its day', 1500, 2, 1000, 4000],
  ])('dayCountDueAt: %s', (_name, from, days, length, at) => {
    expect(dayCountDueAt(from, days, length)).toBe(at);
  });

  it('counts in the given day length for a fast clock', () => {
    const subject = current({ lastModified: 1500 });
    expect(nextDueAt([EXPIRE_3], subject, 1000)).toBe(5000);
    expect(dueLifecycleAction([EXPIRE_3], 5000, subject, 1000)?.action).toBe('expire-current');
    expect(dueLifecycleAction([EXPIRE_3], 4999, subject, 1000)).toBeUndefined();
  });
});

describe('scope: intro-lifecycle-rules, "Filter element"', () => {
  const later = day(30);
  it.each<[string, Partial<LifecycleRule>, Partial<Version>, boolean]>([
    ['a matching prefix', { filter: { prefix: 'logs/' } }, {}, true],
    ['another prefix', { filter: { prefix: 'docs/' } }, {}, false],
    ['the deprecated top-level prefix', { filter: undefined, prefix: 'logs/' }, {}, true],
    [
      'a tag with its exact value',
      { filter: { tag: { key: 'k', value: 'v' } } },
      { tags: [{ key: 'k', value: 'v' }] },
      true,
    ],
    [
      'a tag with another value',
      { filter: { tag: { key: 'k', value: 'v' } } },
      { tags: [{ key: 'k', value: 'w' }] },
      false,
    ],
    [
      'all tags of an And, extra object tags allowed',
      {
        filter: {
          and: {
            prefix: 'logs/',
            tags: [
              { key: 'a', value: '1' },
              { key: 'b', value: '2' },
            ],
          },
        },
      },
      {
        tags: [
          { key: 'b', value: '2' },
          { key: 'a', value: '1' },
          { key: 'c', value: '3' },
        ],
      },
      true,
    ],
    [
      'only some tags of an And',
      {
        filter: {
          and: {
            tags: [
              { key: 'a', value: '1' },
              { key: 'b', value: '2' },
            ],
          },
        },
      },
      { tags: [{ key: 'a', value: '1' }] },
      false,
    ],
    [
      'a size above ObjectSizeGreaterThan',
      { filter: { objectSizeGreaterThan: 20 } },
      { size: 21 },
      true,
    ],
    [
      'a size equal to ObjectSizeGreaterThan',
      { filter: { objectSizeGreaterThan: 20 } },
      { size: 20 },
      false,
    ],
    [
      'a size equal to ObjectSizeLessThan',
      { filter: { objectSizeLessThan: 10 } },
      { size: 10 },
      false,
    ],
    ['a disabled rule ("S3 doesn\'t perform any actions")', { status: 'Disabled' }, {}, false],
  ])('%s: acts %s', (_name, over, subject, acts) => {
    const rules = [rule({ expiration: { days: 1 }, ...over })];
    expect(dueLifecycleAction(rules, later, current(subject)) !== undefined).toBe(acts);
  });
});

describe('precedence: lifecycle-configuration-examples, Example 5 and "Important"', () => {
  const at = day(400);
  it.each<[string, LifecycleRule[], Version, LifecycleDue]>([
    [
      'expiration over transition ("Permanent deletion takes precedence over transition")',
      [
        rule({ id: 't', transitions: [{ days: 365, storageClass: 'STANDARD_IA' }] }),
        rule({ id: 'e', expiration: { days: 365 } }),
      ],
      current(),
      { action: 'expire-current', ruleId: 'e' },
    ],
    [
      'in a versioned bucket, transition over a delete marker ("Transition takes precedence over creation of delete markers")',
      [
        rule({ id: 't', transitions: [{ days: 365, storageClass: 'STANDARD_IA' }] }),
        rule({ id: 'e', expiration: { days: 365 } }),
      ],
      current({ versioned: true }),
      { action: 'transition', ruleId: 't', storageClass: 'STANDARD_IA' },
    ],
    [
      'the shorter of two expirations',
      [
        rule({ id: 'long', expiration: { days: 300 } }),
        rule({ id: 'short', expiration: { days: 14 } }),
      ],
      current(),
      { action: 'expire-current', ruleId: 'short' },
    ],
    [
      'Glacier Flexible Retrieval over Standard-IA',
      [
        rule({ id: 'ia', transitions: [{ days: 30, storageClass: 'STANDARD_IA' }] }),
        rule({ id: 'g', transitions: [{ days: 365, storageClass: 'GLACIER' }] }),
      ],
      current(),
      { action: 'transition', ruleId: 'g', storageClass: 'GLACIER' },
    ],
    [
      'Intelligent-Tiering over Glacier IR',
      [
        rule({ id: 'ir', transitions: [{ days: 1, storageClass: 'GLACIER_IR' }] }),
        rule({ id: 'it', transitions: [{ days: 2, storageClass: 'INTELLIGENT_TIERING' }] }),
      ],
      current(),
      { action: 'transition', ruleId: 'it', storageClass: 'INTELLIGENT_TIERING' },
    ],
  ])('%s', (_name, rules, subject, due) => {
    expect(dueLifecycleAction(rules, at, subject)).toEqual(due);
  });
});

describe('versions and delete markers: intro-lifecycle-rules and Example 7', () => {
  const late = day(400);
  it.each<[string, LifecycleRule[], Version, LifecycleDue | undefined]>([
    [
      'NewerNoncurrentVersions retains the newest noncurrent versions',
      [rule({ noncurrentVersionExpiration: { noncurrentDays: 1, newerNoncurrentVersions: 2 } })],
      noncurrent({ newerNoncurrentCount: 1 }),
      undefined,
    ],
    [
      'and lets the ones beyond go',
      [rule({ noncurrentVersionExpiration: { noncurrentDays: 1, newerNoncurrentVersions: 2 } })],
      noncurrent({ newerNoncurrentCount: 2 }),
      { action: 'expire-noncurrent', ruleId: 'r' },
    ],
    ['Expiration leaves noncurrent versions alone', [EXPIRE_3], noncurrent(), undefined],
    [
      'a noncurrent version without its noncurrent time',
      [rule({ noncurrentVersionExpiration: { noncurrentDays: 1 } })],
      noncurrent({ noncurrentSince: undefined }),
      undefined,
    ],
    [
      'a noncurrent delete marker expires like a noncurrent version',
      [rule({ noncurrentVersionExpiration: { noncurrentDays: 1 } })],
      noncurrent({ isDeleteMarker: true, size: 0 }),
      { action: 'expire-noncurrent', ruleId: 'r' },
    ],
    [
      'a current delete marker with versions behind it stays',
      [EXPIRE_3, rule({ id: 'm', expiration: { expiredObjectDeleteMarker: true } })],
      marker({ onlyVersionLeft: false }),
      undefined,
    ],
    [
      'an expired object delete marker goes with ExpiredObjectDeleteMarker',
      [rule({ id: 'm', expiration: { expiredObjectDeleteMarker: true } })],
      marker(),
      { action: 'remove-expired-delete-marker', ruleId: 'm' },
    ],
    [
      'or with Days, "when the delete markers are old enough"',
      [EXPIRE_3],
      marker(),
      { action: 'remove-expired-delete-marker', ruleId: 'r' },
    ],
    [
      'a current version is not a marker to remove',
      [rule({ expiration: { expiredObjectDeleteMarker: true } })],
      current(),
      undefined,
    ],
  ])('%s', (_name, rules, subject, due) => {
    expect(dueLifecycleAction(rules, late, subject)).toEqual(due);
  });

  it('removes an expired delete marker by Days only once the days have passed', () => {
    expect(nextDueAt([EXPIRE_3], marker())).toBe(day(19));
    expect(nextDueAt([rule({ expiration: { expiredObjectDeleteMarker: true } })], marker())).toBe(
      T0,
    );
  });
});

describe('transition eligibility: lifecycle-transition-general-considerations', () => {
  const late = day(400);
  const toGlacier = rule({ transitions: [{ days: 1, storageClass: 'GLACIER' }] });
  const toIa = rule({ transitions: [{ days: 30, storageClass: 'STANDARD_IA' }] });
  it.each<[string, LifecycleRule[], Partial<Version>, string | undefined]>([
    ['Standard to any class', [toIa], {}, 'STANDARD_IA'],
    ['not back up the waterfall', [toIa], { storageClass: 'GLACIER' }, undefined],
    ['not to the class it is in', [toGlacier], { storageClass: 'GLACIER' }, undefined],
    [
      'Glacier on to Deep Archive',
      [rule({ transitions: [{ days: 1, storageClass: 'DEEP_ARCHIVE' }] })],
      { storageClass: 'GLACIER' },
      'DEEP_ARCHIVE',
    ],
    ['not an object under 128 KB by default', [toGlacier], { size: 1000 }, undefined],
    [
      'an object under 128 KB when the filter names a size',
      [
        rule({
          filter: { objectSizeLessThan: 5000 },
          transitions: [{ days: 1, storageClass: 'GLACIER' }],
        }),
      ],
      { size: 1000 },
      'GLACIER',
    ],
  ])('%s', (_name, rules, over, storageClass) => {
    expect(dueLifecycleAction(rules, late, current(over))?.storageClass).toBe(storageClass);
  });

  it('lets small objects reach Glacier and Deep Archive only under varies_by_storage_class', () => {
    const small = current({ size: 1000 });
    expect(
      dueLifecycleAction([toGlacier], late, small, DAY_MS, 'varies_by_storage_class')?.storageClass,
    ).toBe('GLACIER');
    expect(
      dueLifecycleAction([toIa], late, small, DAY_MS, 'varies_by_storage_class'),
    ).toBeUndefined();
  });

  it('has nothing left to schedule once the last transition is done', () => {
    expect(nextDueAt([toGlacier], current({ storageClass: 'GLACIER' }))).toBeUndefined();
  });
});

describe('incomplete uploads: intro-lifecycle-rules, AbortIncompleteMultipartUpload', () => {
  const upload: LifecycleSubject = {
    kind: 'upload',
    key: 'uploads/big.bin',
    uploadId: 'u1',
    initiated: T0,
  };
  it.each<[string, LifecycleRule[], LifecycleDue | undefined]>([
    [
      'aborted after DaysAfterInitiation',
      [
        rule({
          filter: { prefix: 'uploads/' },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        }),
      ],
      { action: 'abort-upload', ruleId: 'r' },
    ],
    [
      'not under another prefix',
      [
        rule({
          filter: { prefix: 'logs/' },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        }),
      ],
      undefined,
    ],
    [
      'not by object expiration ("do not remove incomplete multipart uploads")',
      [EXPIRE_3],
      undefined,
    ],
  ])('%s', (_name, rules, due) => {
    expect(dueLifecycleAction(rules, day(30), upload)).toEqual(due);
  });

  it('falls due 7 days after initiation, rounded to midnight', () => {
    const rules = [rule({ abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } })];
    expect(nextDueAt(rules, upload)).toBe(day(23));
  });

  it('reports a rule stored without an ID without one', () => {
    const rules = [{ ...EXPIRE_3, id: undefined }];
    expect(dueLifecycleAction(rules, day(30), current())).toEqual({ action: 'expire-current' });
  });
});
