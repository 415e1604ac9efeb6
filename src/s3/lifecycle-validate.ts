/**
 * What S3 checks in a lifecycle configuration once it has passed the schema: ID limits,
 * filter consistency, and the day and storage-class rules of each action. The source behind
 * each code and message is cited beside its case in lifecycle-validate.test.ts: AWS-recorded
 * where a recording exists, else the API reference or user guide, else S3 clones that agree.
 */
import {
  canTransition,
  ruleScope,
  scopeHasSize,
  scopeHasTags,
  type LifecycleRule,
  type TransitionStorageClass,
} from '../storage/lifecycle-rules.js';
import { invalidArgument, S3Error } from './errors.js';

/** "An S3 Lifecycle configuration can have up to 1,000 rules" (intro-lifecycle-rules). */
export const MAX_LIFECYCLE_RULES = 1000;
/** "ID length is limited to 255 characters" (intro-lifecycle-rules). */
export const MAX_RULE_ID_LENGTH = 255;
/** NoncurrentVersionExpiration: "You can specify up to 100 noncurrent versions to retain". */
export const MAX_NEWER_NONCURRENT_VERSIONS = 100;
const MAX_OBJECT_SIZE = 1_099_511_627_776_000;
const DAY_MS = 86_400_000;
/** Days an object must spend in Standard or Standard-IA before an IA class, and between an
 * IA transition and a later archive one (lifecycle-transition-general-considerations). */
const IA_MINIMUM_DAYS = 30;
const IA_CLASSES: ReadonlySet<string> = new Set(['STANDARD_IA', 'ONEZONE_IA']);
const AFTER_IA_NEEDS_GAP: ReadonlySet<string> = new Set(['ONEZONE_IA', 'GLACIER', 'DEEP_ARCHIVE']);

const invalidRequest = (message: string): S3Error => new S3Error('InvalidRequest', message);
const argument = (message: string): S3Error => new S3Error('InvalidArgument', message);

/**
 * Checks rules read from a `LifecycleConfiguration`, in document order; the first failure is
 * thrown.
 *
 * @throws S3Error `InvalidArgument` or `InvalidRequest`, with S3's messages.
 * @example
 * validateLifecycleRules([{ status: 'Enabled', filter: {}, transitions: [],
 *   noncurrentVersionTransitions: [] }]); // InvalidRequest: At least one action needs …
 */
export function validateLifecycleRules(rules: readonly LifecycleRule[]): void {
  if (rules.length > MAX_LIFECYCLE_RULES)
    throw invalidRequest(
      `The number of lifecycle rules must not exceed the allowed limit of ${MAX_LIFECYCLE_RULES} rules.`,
    );
  if (rules.some((r) => r.prefix !== undefined) && rules.some((r) => r.filter !== undefined))
    throw invalidRequest(
      'Base level prefix cannot be used in Lifecycle V2, prefixes are only supported in the Filter.',
    );
  const ids = new Set<string>();
  for (const rule of rules) {
    if (rule.id !== undefined) {
      if ([...rule.id].length > MAX_RULE_ID_LENGTH)
        throw invalidArgument(
          `ID length should not exceed allowed limit of ${MAX_RULE_ID_LENGTH}`,
          'ID',
          rule.id,
        );
      if (ids.has(rule.id))
        throw invalidArgument(
          'Rule ID must be unique. Found same ID for more than one rule',
          'ID',
          rule.id,
        );
      ids.add(rule.id);
    }
    validateRule(rule);
  }
}

function validateRule(rule: LifecycleRule): void {
  if (
    !rule.expiration &&
    rule.transitions.length === 0 &&
    rule.noncurrentVersionTransitions.length === 0 &&
    !rule.noncurrentVersionExpiration &&
    !rule.abortIncompleteMultipartUpload
  )
    throw invalidRequest('At least one action needs to be specified in a rule');
  const newer = [
    rule.noncurrentVersionExpiration?.newerNoncurrentVersions,
    ...rule.noncurrentVersionTransitions.map((t) => t.newerNoncurrentVersions),
  ].some((n) => n !== undefined);
  // User guide: a maximum number of noncurrent versions without a Filter is InvalidRequest.
  if (newer && rule.prefix !== undefined)
    throw invalidRequest('NewerNoncurrentVersions element can only be used in Lifecycle V2.');
  validateScope(rule);
  validateExpiration(rule);
  validateTransitions(rule);
  validateNoncurrent(rule);
  validateAbort(rule);
}

function validateScope(rule: LifecycleRule): void {
  const scope = ruleScope(rule);
  const keys = new Set(scope.tags.map((tag) => tag.key));
  if (keys.size < scope.tags.length) throw invalidRequest('Duplicate Tag Keys are not allowed.');
  const { objectSizeGreaterThan: greater, objectSizeLessThan: less } = scope;
  if (greater !== undefined && (greater < 0 || greater > MAX_OBJECT_SIZE))
    throw invalidRequest(`'ObjectSizeGreaterThan' should be between 0 and ${MAX_OBJECT_SIZE}.`);
  if (less !== undefined && (less < 1 || less > MAX_OBJECT_SIZE))
    throw invalidRequest(`'ObjectSizeLessThan' should be between 1 and ${MAX_OBJECT_SIZE}.`);
  if (greater !== undefined && less !== undefined && less <= greater)
    throw invalidRequest(
      "'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'.",
    );
}

/** Tag and size filters exclude the actions that act on markers and uploads, which have neither. */
function refuseNarrowScope(rule: LifecycleRule, action: string): void {
  const scope = ruleScope(rule);
  if (scopeHasTags(scope)) throw invalidRequest(`${action} cannot be specified with Tags.`);
  if (scopeHasSize(scope)) throw invalidRequest(`${action} cannot be specified with Object Size.`);
}

function checkMidnight(date: number | undefined): void {
  if (date !== undefined && date % DAY_MS !== 0)
    throw invalidArgument("'Date' must be at midnight GMT", 'Date', new Date(date).toISOString());
}

function validateExpiration(rule: LifecycleRule): void {
  const expiration = rule.expiration;
  if (!expiration) return;
  if (expiration.days !== undefined && expiration.days <= 0)
    throw argument("'Days' for Expiration action must be a positive integer");
  checkMidnight(expiration.date);
  if (expiration.expiredObjectDeleteMarker === true)
    refuseNarrowScope(rule, 'ExpiredObjectDeleteMarker');
}

function validateTransitions(rule: LifecycleRule): void {
  const label = filterLabel(rule);
  for (const transition of rule.transitions) {
    checkMidnight(transition.date);
    if (transition.days === undefined) continue;
    if (transition.days < 0) throw argument("'Days' in Transition action must be nonnegative");
    if (IA_CLASSES.has(transition.storageClass) && transition.days < IA_MINIMUM_DAYS)
      throw argument(
        `'Days' in Transition action must be greater than or equal to ${IA_MINIMUM_DAYS} for storageClass '${transition.storageClass}'`,
      );
  }
  refuseRepeatedClass(rule.transitions, 'Transition', label);
  const expiration = rule.expiration;
  const timed = [
    ...rule.transitions,
    ...(expiration && expiration.expiredObjectDeleteMarker === undefined ? [expiration] : []),
  ];
  if (timed.some((t) => t.date !== undefined) && timed.some((t) => t.days !== undefined))
    throw invalidRequest(
      `Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule for filter '${label}'`,
    );
  if (rule.transitions.length === 0) return;
  const byDate = rule.transitions[0]?.date !== undefined;
  const field = byDate ? 'Date' : 'Days';
  const steps = rule.transitions.map((t) => ({
    at: byDate ? (t.date ?? 0) : (t.days ?? 0),
    storageClass: t.storageClass,
  }));
  checkWaterfall(steps, { action: 'Transition', field, label, unit: byDate ? DAY_MS : 1 });
  const last = Math.max(...steps.map((step) => step.at));
  const expiresAt = byDate ? expiration?.date : expiration?.days;
  if (expiresAt !== undefined && expiresAt <= last)
    throw argument(
      `'${field}' in the Expiration action for filter '${label}' must be ${byDate ? 'later' : 'greater'} than '${field}' in the Transition action`,
    );
}

function validateNoncurrent(rule: LifecycleRule): void {
  const label = filterLabel(rule);
  const expiration = rule.noncurrentVersionExpiration;
  if (expiration) {
    if (expiration.noncurrentDays <= 0)
      throw argument(
        "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
      );
    checkNewer(expiration.newerNoncurrentVersions, 'NoncurrentVersionExpiration');
  }
  const transitions = rule.noncurrentVersionTransitions;
  for (const transition of transitions) {
    if (transition.noncurrentDays < 0)
      throw argument("'NoncurrentDays' for NoncurrentVersionTransition action must be nonnegative");
    if (IA_CLASSES.has(transition.storageClass) && transition.noncurrentDays < IA_MINIMUM_DAYS)
      throw argument(
        `'NoncurrentDays' in NoncurrentVersionTransition action must be greater than or equal to ${IA_MINIMUM_DAYS} for storageClass '${transition.storageClass}'`,
      );
    checkNewer(transition.newerNoncurrentVersions, 'NoncurrentVersionTransition');
  }
  if (transitions.length === 0) return;
  refuseRepeatedClass(transitions, 'NoncurrentVersionTransition', label);
  const steps = transitions.map((t) => ({ at: t.noncurrentDays, storageClass: t.storageClass }));
  checkWaterfall(steps, {
    action: 'NoncurrentVersionTransition',
    field: 'NoncurrentDays',
    label,
    unit: 1,
  });
  const last = Math.max(...steps.map((step) => step.at));
  if (expiration && expiration.noncurrentDays <= last)
    throw argument(
      `'NoncurrentDays' in the NoncurrentVersionExpiration action for filter '${label}' must be greater than 'NoncurrentDays' in the NoncurrentVersionTransition action`,
    );
}

function checkNewer(newer: number | undefined, action: string): void {
  if (newer === undefined) return;
  if (newer <= 0)
    throw argument(`'NewerNoncurrentVersions' for ${action} action must be a positive integer`);
  if (newer > MAX_NEWER_NONCURRENT_VERSIONS)
    throw argument(
      `'NewerNoncurrentVersions' for ${action} action must not exceed ${MAX_NEWER_NONCURRENT_VERSIONS}`,
    );
}

function validateAbort(rule: LifecycleRule): void {
  const abort = rule.abortIncompleteMultipartUpload;
  if (!abort) return;
  if (abort.daysAfterInitiation <= 0)
    throw argument(
      "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer",
    );
  // User guide: "You cannot specify this Lifecycle action in a rule that specifies a filter
  // based on object tags"; AWS refuses an object-size filter with it as well.
  refuseNarrowScope(rule, 'AbortIncompleteMultipartUpload');
}

function refuseRepeatedClass(
  transitions: readonly { storageClass: TransitionStorageClass }[],
  action: string,
  label: string,
): void {
  const classes = new Set(transitions.map((t) => t.storageClass));
  if (classes.size < transitions.length)
    throw invalidRequest(
      `'StorageClass' must be different for '${action}' actions in same 'Rule' with filter '${label}'`,
    );
}

interface Step {
  at: number;
  storageClass: TransitionStorageClass;
}

interface WaterfallContext {
  action: string;
  field: string;
  label: string;
  /** One day in the unit of `at` (1 for day counts, a day of ms for dates). */
  unit: number;
}

/**
 * Transitions in one rule must walk down S3's waterfall: taken in time order, each must be a
 * supported move from the one before (TRANSITION_TARGETS), strictly later, and 30 days after
 * a Standard-IA or One Zone-IA step when it goes on to One Zone-IA, Glacier or Deep Archive.
 */
function checkWaterfall(steps: readonly Step[], context: WaterfallContext): void {
  const ordered = [...steps].sort((a, b) => a.at - b.at);
  for (let i = 1; i < ordered.length; i += 1) {
    const earlier = ordered[i - 1] as Step;
    const later = ordered[i] as Step;
    if (canTransition(earlier.storageClass, later.storageClass)) {
      const gap =
        IA_CLASSES.has(earlier.storageClass) && AFTER_IA_NEEDS_GAP.has(later.storageClass);
      const needed = gap ? IA_MINIMUM_DAYS * context.unit : 1;
      if (later.at - earlier.at < needed) throw outOfOrder(later, earlier, gap, context);
    } else if (canTransition(later.storageClass, earlier.storageClass)) {
      throw outOfOrder(earlier, later, false, context);
    } else {
      throw argument(
        `'${context.action}' actions cannot move objects from StorageClass '${earlier.storageClass}' to StorageClass '${later.storageClass}'`,
      );
    }
  }
}

function outOfOrder(colder: Step, warmer: Step, gap: boolean, context: WaterfallContext): S3Error {
  const byDate = context.field === 'Date';
  const clause = (step: Step): string =>
    `'${context.field}' in the '${context.action}' action for StorageClass '${step.storageClass}' for filter '${context.label}'`;
  const amount = gap
    ? `${IA_MINIMUM_DAYS} days ${byDate ? 'later' : 'more'}`
    : byDate
      ? 'later'
      : 'greater';
  return argument(`${clause(colder)} must be ${amount} than ${clause(warmer)}`);
}

/**
 * The rule's scope as S3 names it in messages: `(prefix=logs/)`, or its predicates joined by
 * ` and ` (`(objectsizegreaterthan=3000 and prefix=doc/)`).
 *
 * @example
 * filterLabel({ status: 'Enabled', filter: {}, transitions: [],
 *   noncurrentVersionTransitions: [] }); // '(prefix=)'
 */
export function filterLabel(rule: LifecycleRule): string {
  const scope = ruleScope(rule);
  const explicitPrefix =
    rule.prefix !== undefined ||
    rule.filter?.prefix !== undefined ||
    rule.filter?.and?.prefix !== undefined;
  const parts = [
    ...(scope.objectSizeGreaterThan !== undefined
      ? [`objectsizegreaterthan=${scope.objectSizeGreaterThan}`]
      : []),
    ...(scope.objectSizeLessThan !== undefined
      ? [`objectsizelessthan=${scope.objectSizeLessThan}`]
      : []),
  ];
  if (explicitPrefix || (parts.length === 0 && scope.tags.length === 0))
    parts.push(`prefix=${scope.prefix}`);
  for (const tag of scope.tags) parts.push(`tag: key=${tag.key}, value=${tag.value}`);
  return `(${parts.join(' and ')})`;
}
