/**
 * A bucket's lifecycle rules as data: the shape of S3's `LifecycleRule` (API reference,
 * LifecycleRule / LifecycleRuleFilter / LifecycleExpiration / Transition /
 * NoncurrentVersionTransition / NoncurrentVersionExpiration / AbortIncompleteMultipartUpload),
 * kept close to the wire so GetBucketLifecycleConfiguration can give back what was put. The
 * S3 area parses and validates it (src/s3/lifecycle.ts); the storage area evaluates it
 * (lifecycle-due.ts). Dates are epoch milliseconds so the rules store as plain JSON.
 */

/** The storage classes a lifecycle transition may target (botocore `TransitionStorageClass`). */
export const TRANSITION_STORAGE_CLASSES = [
  'GLACIER',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'DEEP_ARCHIVE',
  'GLACIER_IR',
] as const;

export type TransitionStorageClass = (typeof TRANSITION_STORAGE_CLASSES)[number];

export interface LifecycleTag {
  key: string;
  value: string;
}

/** The predicates of an `<And>`: a prefix, tags and size bounds, all of which must hold. */
export interface LifecycleAndOperator {
  prefix?: string;
  tags: LifecycleTag[];
  objectSizeGreaterThan?: number;
  objectSizeLessThan?: number;
}

/** `<Filter>`: empty (every object) or exactly one of its members, as S3 requires. */
export interface LifecycleRuleFilter {
  prefix?: string;
  tag?: LifecycleTag;
  objectSizeGreaterThan?: number;
  objectSizeLessThan?: number;
  and?: LifecycleAndOperator;
}

/** Exactly one of the three is set. */
export interface LifecycleExpiration {
  /** Midnight UTC, epoch ms. */
  date?: number;
  days?: number;
  expiredObjectDeleteMarker?: boolean;
}

/** Exactly one of `date` and `days` is set. */
export interface LifecycleTransition {
  date?: number;
  days?: number;
  storageClass: TransitionStorageClass;
}

export interface NoncurrentVersionTransition {
  noncurrentDays: number;
  storageClass: TransitionStorageClass;
  newerNoncurrentVersions?: number;
}

export interface NoncurrentVersionExpiration {
  noncurrentDays: number;
  newerNoncurrentVersions?: number;
}

export interface LifecycleRule {
  /** S3 assigns one when the request has none (see `assignRuleIds` in src/s3/lifecycle.ts). */
  id?: string;
  status: 'Enabled' | 'Disabled';
  /** The deprecated top-level `<Prefix>` (lifecycle "V1"); never together with `filter`. */
  prefix?: string;
  filter?: LifecycleRuleFilter;
  expiration?: LifecycleExpiration;
  transitions: LifecycleTransition[];
  noncurrentVersionTransitions: NoncurrentVersionTransition[];
  noncurrentVersionExpiration?: NoncurrentVersionExpiration;
  abortIncompleteMultipartUpload?: { daysAfterInitiation: number };
}

/** What a rule's scope requires of an object, whichever XML form expressed it. */
export interface LifecyclePredicates {
  prefix: string;
  tags: LifecycleTag[];
  objectSizeGreaterThan?: number;
  objectSizeLessThan?: number;
}

/**
 * The rule's scope flattened: the V1 prefix, a single filter member, or an `<And>`.
 *
 * @example
 * ruleScope({ status: 'Enabled', filter: { tag: { key: 'k', value: 'v' } }, transitions: [],
 *   noncurrentVersionTransitions: [] }) // { prefix: '', tags: [{ key: 'k', value: 'v' }] }
 */
export function ruleScope(rule: LifecycleRule): LifecyclePredicates {
  if (rule.prefix !== undefined) return { prefix: rule.prefix, tags: [] };
  const filter = rule.filter ?? {};
  const source = filter.and ?? { ...filter, tags: filter.tag ? [filter.tag] : [] };
  return {
    prefix: source.prefix ?? '',
    tags: source.tags,
    ...(source.objectSizeGreaterThan !== undefined
      ? { objectSizeGreaterThan: source.objectSizeGreaterThan }
      : {}),
    ...(source.objectSizeLessThan !== undefined
      ? { objectSizeLessThan: source.objectSizeLessThan }
      : {}),
  };
}

/**
 * Whether the scope filters on tags, which delete markers and uploads never match.
 *
 * @example
 * scopeHasTags({ prefix: '', tags: [{ key: 'k', value: 'v' }] }); // true
 */
export function scopeHasTags(scope: LifecyclePredicates): boolean {
  return scope.tags.length > 0;
}

/**
 * Whether the scope names an object-size bound.
 *
 * @example
 * scopeHasSize({ prefix: '', tags: [], objectSizeLessThan: 10 }); // true
 */
export function scopeHasSize(scope: LifecyclePredicates): boolean {
  return scope.objectSizeGreaterThan !== undefined || scope.objectSizeLessThan !== undefined;
}

/**
 * Where each class may go next, from the user guide's "Supported lifecycle transitions"
 * (lifecycle-transition-general-considerations): S3 Standard may go anywhere; Standard-IA to
 * Intelligent-Tiering, One Zone-IA or Glacier IR; Intelligent-Tiering to One Zone-IA; any
 * class to Glacier Flexible Retrieval or Deep Archive; Glacier to Deep Archive only. The
 * guide names no move out of Glacier IR but the "any class" one, so none other is allowed.
 */
export const TRANSITION_TARGETS: Readonly<Record<string, readonly TransitionStorageClass[]>> = {
  STANDARD: TRANSITION_STORAGE_CLASSES,
  REDUCED_REDUNDANCY: TRANSITION_STORAGE_CLASSES,
  STANDARD_IA: ['INTELLIGENT_TIERING', 'ONEZONE_IA', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE'],
  INTELLIGENT_TIERING: ['ONEZONE_IA', 'GLACIER', 'DEEP_ARCHIVE'],
  ONEZONE_IA: ['GLACIER', 'DEEP_ARCHIVE'],
  GLACIER_IR: ['GLACIER', 'DEEP_ARCHIVE'],
  GLACIER: ['DEEP_ARCHIVE'],
  DEEP_ARCHIVE: [],
};

/**
 * Whether lifecycle may move an object from `from` to `to`.
 *
 * @example
 * canTransition('STANDARD_IA', 'GLACIER'); // true
 * canTransition('ONEZONE_IA', 'GLACIER_IR'); // false
 */
export function canTransition(from: string, to: TransitionStorageClass): boolean {
  return (TRANSITION_TARGETS[from] ?? []).includes(to);
}
