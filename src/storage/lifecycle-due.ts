/**
 * Which lifecycle action a version or an incomplete upload is due for, and when the next one
 * falls due, following the S3 user guide (intro-lifecycle-rules, lifecycle-configuration-
 * examples, lifecycle-transition-general-considerations). Pure: the caller brings the rules,
 * the clock and what it knows of the item, and performs the action itself.
 */
import {
  canTransition,
  ruleScope,
  scopeHasSize,
  scopeHasTags,
  type LifecyclePredicates,
  type LifecycleRule,
  type TransitionStorageClass,
} from './lifecycle-rules.js';

/** One real day; tests and a "fast clock" pass a shorter one. */
export const DAY_MS = 86_400_000;

export type LifecycleSubject =
  | {
      kind: 'version';
      key: string;
      versionId: string;
      isLatest: boolean;
      isDeleteMarker: boolean;
      lastModified: number;
      /** When it became noncurrent (its successor's creation), for noncurrent versions. */
      noncurrentSince?: number;
      /** How many newer noncurrent versions exist for this key. */
      newerNoncurrentCount?: number;
      /** True when this is a delete marker with no other versions left. */
      onlyVersionLeft?: boolean;
      size: number;
      tags: { key: string; value: string }[];
      storageClass: string;
      /**
       * The bucket has versioning (enabled or suspended): expiring the current version makes
       * a delete marker rather than deleting it for good.
       */
      versioned?: boolean;
    }
  | { kind: 'upload'; key: string; uploadId: string; initiated: number };

export type LifecycleActionKind =
  | 'expire-current'
  | 'expire-noncurrent'
  | 'remove-expired-delete-marker'
  | 'abort-upload'
  | 'transition';

export interface LifecycleDue {
  action: LifecycleActionKind;
  /** The rule that calls for it (absent only for a rule stored without an ID). */
  ruleId?: string;
  /** For `transition`: the class to move to. */
  storageClass?: TransitionStorageClass;
}

/**
 * PutBucketLifecycleConfiguration's `x-amz-transition-default-minimum-object-size`. The default since
 * September 2024 keeps objects under 128 KB from transitioning at all; the older behaviour
 * lets them go to Glacier Flexible Retrieval and Deep Archive only. A rule whose filter names
 * a size bound is exempt either way ("Custom filters always take precedence").
 */
export type TransitionDefaultMinimumSize = 'all_storage_classes_128K' | 'varies_by_storage_class';

const SMALL_OBJECT_BYTES = 128 * 1024;

/**
 * Among overlapping transitions S3 picks the cheaper class, favouring Intelligent-Tiering over
 * all but Glacier Flexible Retrieval and Deep Archive (lifecycle-configuration-examples, "Overlapping
 * filters"). Earlier in this list is preferred.
 */
const PREFERENCE: readonly TransitionStorageClass[] = [
  'DEEP_ARCHIVE',
  'GLACIER',
  'INTELLIGENT_TIERING',
  'GLACIER_IR',
  'ONEZONE_IA',
  'STANDARD_IA',
];

interface Candidate extends LifecycleDue {
  at: number;
}

/**
 * The action due for `subject` at `now`, if any. Removal beats transition ("Permanent deletion
 * takes precedence over transition"), except that a transition beats making a delete marker;
 * between removals the earliest due wins, between transitions the preferred class, then the
 * earliest.
 *
 * @param dayLengthMs how long a lifecycle "day" is; day counts round up to the next multiple
 *   of it since the epoch (the next midnight UTC for real days).
 * @example
 * const rules = [{ id: 'logs', status: 'Enabled', filter: { prefix: 'logs/' },
 *   expiration: { days: 1 }, transitions: [], noncurrentVersionTransitions: [] }];
 * // Created 2014-01-15 10:30 UTC: due at 2014-01-17 00:00 UTC.
 * dueLifecycleAction(rules, Date.UTC(2014, 0, 17), { kind: 'version', key: 'logs/a',
 *   versionId: 'null', isLatest: true, isDeleteMarker: false,
 *   lastModified: Date.UTC(2014, 0, 15, 10, 30), size: 1, tags: [], storageClass: 'STANDARD' });
 * // { action: 'expire-current', ruleId: 'logs' }
 */
export function dueLifecycleAction(
  rules: readonly LifecycleRule[],
  now: number,
  subject: LifecycleSubject,
  dayLengthMs: number = DAY_MS,
  minimumSize: TransitionDefaultMinimumSize = 'all_storage_classes_128K',
): LifecycleDue | undefined {
  const due = candidates(rules, subject, dayLengthMs, minimumSize).filter((c) => c.at <= now);
  // "Permanent deletion takes precedence over transition. Transition takes precedence over
  // creation of delete markers" (intro-lifecycle-rules, lifecycle conflicts).
  const makesMarker = (c: Candidate) =>
    c.action === 'expire-current' && subject.kind === 'version' && subject.versioned === true;
  const transitionDue = due.some((c) => c.action === 'transition');
  const removals = due.filter(
    (c) => c.action !== 'transition' && !(transitionDue && makesMarker(c)),
  );
  const chosen =
    removals.length > 0
      ? earliest(removals)
      : earliest(due.filter((c) => c.storageClass === bestClass(due)));
  if (!chosen) return undefined;
  return {
    action: chosen.action,
    ...(chosen.ruleId !== undefined ? { ruleId: chosen.ruleId } : {}),
    ...(chosen.storageClass !== undefined ? { storageClass: chosen.storageClass } : {}),
  };
}

/**
 * The earliest time (ms) at which some action could be due for `subject`, so a scheduler can
 * sleep until then; at or before the present when something is due already; undefined when
 * no rule can ever act on it as it stands. It changes when the item does (a new version, a
 * transition done, tags replaced), so re-ask after each change.
 *
 * @example
 * nextDueAt(rules, { kind: 'upload', key: 'big.bin', uploadId: 'u1', initiated: 0 });
 */
export function nextDueAt(
  rules: readonly LifecycleRule[],
  subject: LifecycleSubject,
  dayLengthMs: number = DAY_MS,
  minimumSize: TransitionDefaultMinimumSize = 'all_storage_classes_128K',
): number | undefined {
  const times = candidates(rules, subject, dayLengthMs, minimumSize).map((c) => c.at);
  return times.length > 0 ? Math.min(...times) : undefined;
}

/**
 * "Amazon S3 calculates the time by adding the number of days specified in the rule to the
 * object creation time and rounding the resulting time to the next day midnight UTC"
 * (intro-lifecycle-rules): 1/15 10:30 plus 3 days is 1/19 00:00. A sum that lands exactly on
 * a boundary still moves to the next one.
 *
 * @example
 * dayCountDueAt(Date.UTC(2014, 0, 15, 10, 30), 3); // Date.UTC(2014, 0, 19)
 * dayCountDueAt(1500, 2, 1000); // 4000
 */
export function dayCountDueAt(from: number, days: number, dayLengthMs: number = DAY_MS): number {
  return (Math.floor((from + days * dayLengthMs) / dayLengthMs) + 1) * dayLengthMs;
}

function candidates(
  rules: readonly LifecycleRule[],
  subject: LifecycleSubject,
  day: number,
  minimumSize: TransitionDefaultMinimumSize,
): Candidate[] {
  const found: Candidate[] = [];
  for (const rule of rules) {
    if (rule.status !== 'Enabled') continue;
    const scope = ruleScope(rule);
    const ruleId = rule.id !== undefined ? { ruleId: rule.id } : {};
    const add = (action: LifecycleActionKind, at: number, storageClass?: TransitionStorageClass) =>
      found.push({ action, at, ...ruleId, ...(storageClass ? { storageClass } : {}) });
    if (subject.kind === 'upload') {
      // Uploads have no tags or size yet; S3 refuses abort rules that filter on them.
      const abort = rule.abortIncompleteMultipartUpload;
      if (
        abort &&
        !scopeHasTags(scope) &&
        !scopeHasSize(scope) &&
        subject.key.startsWith(scope.prefix)
      )
        add('abort-upload', dayCountDueAt(subject.initiated, abort.daysAfterInitiation, day));
      continue;
    }
    if (!matches(scope, subject)) continue;
    const mayTransition = (target: TransitionStorageClass): boolean =>
      canTransition(subject.storageClass, target) &&
      (scopeHasSize(scope) ||
        subject.size >= SMALL_OBJECT_BYTES ||
        (minimumSize === 'varies_by_storage_class' &&
          (target === 'GLACIER' || target === 'DEEP_ARCHIVE')));
    const expiration = rule.expiration;
    if (subject.isLatest && !subject.isDeleteMarker) {
      if (expiration?.date !== undefined) add('expire-current', expiration.date);
      if (expiration?.days !== undefined)
        add('expire-current', dayCountDueAt(subject.lastModified, expiration.days, day));
      for (const t of rule.transitions)
        if (mayTransition(t.storageClass))
          add(
            'transition',
            t.date ?? dayCountDueAt(subject.lastModified, t.days ?? 0, day),
            t.storageClass,
          );
    } else if (subject.isLatest) {
      // A current delete marker is left alone while older versions remain; alone, it is an
      // "expired object delete marker": removed by ExpiredObjectDeleteMarker at once, or by a
      // Days expiration "when the delete markers are old enough to satisfy the age criteria".
      if (!subject.onlyVersionLeft) continue;
      if (expiration?.expiredObjectDeleteMarker === true)
        add('remove-expired-delete-marker', subject.lastModified);
      if (expiration?.days !== undefined)
        add(
          'remove-expired-delete-marker',
          dayCountDueAt(subject.lastModified, expiration.days, day),
        );
    } else if (subject.noncurrentSince !== undefined) {
      const since = subject.noncurrentSince;
      const retained = (newer: number | undefined): boolean =>
        newer !== undefined && (subject.newerNoncurrentCount ?? 0) < newer;
      const noncurrent = rule.noncurrentVersionExpiration;
      if (noncurrent && !retained(noncurrent.newerNoncurrentVersions))
        add('expire-noncurrent', dayCountDueAt(since, noncurrent.noncurrentDays, day));
      if (subject.isDeleteMarker) continue;
      for (const t of rule.noncurrentVersionTransitions)
        if (!retained(t.newerNoncurrentVersions) && mayTransition(t.storageClass))
          add('transition', dayCountDueAt(since, t.noncurrentDays, day), t.storageClass);
    }
  }
  return found;
}

/** Prefix, every filter tag with its exact value, and the size bounds (both exclusive). */
function matches(
  scope: LifecyclePredicates,
  subject: { key: string; size: number; tags: readonly { key: string; value: string }[] },
): boolean {
  return (
    subject.key.startsWith(scope.prefix) &&
    scope.tags.every((want) =>
      subject.tags.some((t) => t.key === want.key && t.value === want.value),
    ) &&
    (scope.objectSizeGreaterThan === undefined || subject.size > scope.objectSizeGreaterThan) &&
    (scope.objectSizeLessThan === undefined || subject.size < scope.objectSizeLessThan)
  );
}

function earliest(list: readonly Candidate[]): Candidate | undefined {
  return list.reduce<Candidate | undefined>(
    (best, c) => (!best || c.at < best.at ? c : best),
    undefined,
  );
}

function bestClass(list: readonly Candidate[]): TransitionStorageClass | undefined {
  return PREFERENCE.find((storageClass) => list.some((c) => c.storageClass === storageClass));
}
