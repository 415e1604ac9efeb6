/**
 * Bucket lifecycle as S3 has it: the `LifecycleConfiguration` document of
 * PutBucketLifecycleConfiguration, read against S3's schema (lifecycle-xml.ts) and then
 * checked as S3 checks it (lifecycle-validate.ts), and the body of
 * GetBucketLifecycleConfiguration. Pure: no I/O. The rules themselves are storage's data
 * (src/storage/lifecycle-rules.ts); what falls due when is src/storage/lifecycle-due.ts.
 */
import {
  TRANSITION_STORAGE_CLASSES,
  type LifecycleAndOperator,
  type LifecycleExpiration,
  type LifecycleRule,
  type LifecycleRuleFilter,
  type LifecycleTag,
  type LifecycleTransition,
  type NoncurrentVersionExpiration,
  type NoncurrentVersionTransition,
  type TransitionStorageClass,
} from '../storage/lifecycle-rules.js';
import { S3Error } from './errors.js';
import { validateLifecycleRules } from './lifecycle-validate.js';
import {
  booleanValue,
  dateValue,
  intValue,
  leafText,
  longValue,
  optionalElement,
  repeatedElements,
  rootElement,
} from './lifecycle-xml.js';
import type { XmlNode } from './xml.js';

const names = (...list: string[]): ReadonlySet<string> => new Set(list);
const ROOT = names('Rule');
const RULE = names(
  'ID',
  'Prefix',
  'Filter',
  'Status',
  'Expiration',
  'Transition',
  'NoncurrentVersionTransition',
  'NoncurrentVersionExpiration',
  'AbortIncompleteMultipartUpload',
);
const SIZE_AND_PREFIX = ['Prefix', 'Tag', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan'];
const FILTER = names(...SIZE_AND_PREFIX, 'And');
const AND = names(...SIZE_AND_PREFIX);
const TAG = names('Key', 'Value');
const EXPIRATION = names('Date', 'Days', 'ExpiredObjectDeleteMarker');
const TRANSITION = names('Date', 'Days', 'StorageClass');
const NONCURRENT_TRANSITION = names('NoncurrentDays', 'StorageClass', 'NewerNoncurrentVersions');
const NONCURRENT_EXPIRATION = names('NoncurrentDays', 'NewerNoncurrentVersions');
const ABORT = names('DaysAfterInitiation');

const malformed = (): S3Error => new S3Error('MalformedXML');
const defined = <T>(value: T | undefined): value is T => value !== undefined;

/**
 * Reads a `LifecycleConfiguration` document's content (the root's children, as
 * `parseXmlBody(body, 'LifecycleConfiguration')` gives it). Rules without an ID keep none:
 * S3 assigns one, which `assignRuleIds` does once the handler has an ID source.
 *
 * @throws S3Error `MalformedXML` for anything S3's schema refuses (no rule, no Filter and no
 *   Prefix, two Filter members outside `<And>`, a Status other than Enabled/Disabled, an
 *   Expiration with other than one of Date/Days/ExpiredObjectDeleteMarker, …); the
 *   `InvalidArgument` and `InvalidRequest` errors of `validateLifecycleRules` otherwise.
 *
 * @example
 * const root = parseXmlBody(
 *   '<LifecycleConfiguration><Rule><ID>logs</ID><Filter><Prefix>logs/</Prefix></Filter>' +
 *     '<Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule>' +
 *     '</LifecycleConfiguration>',
 *   'LifecycleConfiguration',
 * );
 * parseLifecycleConfiguration(root)[0]?.expiration; // { days: 30 }
 */
export function parseLifecycleConfiguration(root: XmlNode): LifecycleRule[] {
  const nodes = repeatedElements(rootElement(root, ROOT), 'Rule', RULE);
  if (nodes.length === 0) throw malformed();
  // Every rule is read before any is judged: a schema error anywhere is S3's first answer.
  const rules = nodes.map(readRule);
  validateLifecycleRules(rules);
  return rules;
}

function readRule(node: XmlNode): LifecycleRule {
  const status = leafText(node, 'Status');
  if (status !== 'Enabled' && status !== 'Disabled') throw malformed();
  const id = leafText(node, 'ID');
  const prefix = leafText(node, 'Prefix');
  const filterNode = optionalElement(node, 'Filter', FILTER);
  // LifecycleRule: "Filter is required if the LifecycleRule does not contain a Prefix".
  if ((prefix === undefined) === (filterNode === undefined)) throw malformed();
  const expiration = optionalElement(node, 'Expiration', EXPIRATION);
  const noncurrentExpiration = optionalElement(
    node,
    'NoncurrentVersionExpiration',
    NONCURRENT_EXPIRATION,
  );
  const abort = optionalElement(node, 'AbortIncompleteMultipartUpload', ABORT);
  return {
    // An empty ID is no ID: S3 assigns one to it as to a missing one.
    ...(id !== undefined && id !== '' ? { id } : {}),
    status,
    ...(prefix !== undefined ? { prefix } : {}),
    ...(filterNode ? { filter: readFilter(filterNode) } : {}),
    ...(expiration ? { expiration: readExpiration(expiration) } : {}),
    transitions: repeatedElements(node, 'Transition', TRANSITION).map(readTransition),
    noncurrentVersionTransitions: repeatedElements(
      node,
      'NoncurrentVersionTransition',
      NONCURRENT_TRANSITION,
    ).map(readNoncurrentTransition),
    ...(noncurrentExpiration
      ? { noncurrentVersionExpiration: readNoncurrentExpiration(noncurrentExpiration) }
      : {}),
    ...(abort ? { abortIncompleteMultipartUpload: { daysAfterInitiation: required(abort) } } : {}),
  };
}

/** LifecycleRuleFilter: "A Filter must have exactly one of Prefix, Tag, ObjectSizeGreaterThan, ObjectSizeLessThan, or And specified" (or none, for every object). */
function readFilter(node: XmlNode): LifecycleRuleFilter {
  const prefix = leafText(node, 'Prefix');
  const tags = repeatedElements(node, 'Tag', TAG).map(readTag);
  const greater = longValue(node, 'ObjectSizeGreaterThan');
  const less = longValue(node, 'ObjectSizeLessThan');
  const andNode = optionalElement(node, 'And', AND);
  const members = [prefix, greater, less, andNode].filter(defined).length + tags.length;
  if (members > 1) throw malformed();
  if (prefix !== undefined) return { prefix };
  if (tags[0]) return { tag: tags[0] };
  if (greater !== undefined) return { objectSizeGreaterThan: greater };
  if (less !== undefined) return { objectSizeLessThan: less };
  return andNode ? { and: readAnd(andNode) } : {};
}

/** LifecycleRuleAndOperator joins "two or more predicates"; fewer is malformed. */
function readAnd(node: XmlNode): LifecycleAndOperator {
  const prefix = leafText(node, 'Prefix');
  const tags = repeatedElements(node, 'Tag', TAG).map(readTag);
  const greater = longValue(node, 'ObjectSizeGreaterThan');
  const less = longValue(node, 'ObjectSizeLessThan');
  if ([prefix, greater, less].filter(defined).length + tags.length < 2) throw malformed();
  return {
    ...(prefix !== undefined ? { prefix } : {}),
    tags,
    ...(greater !== undefined ? { objectSizeGreaterThan: greater } : {}),
    ...(less !== undefined ? { objectSizeLessThan: less } : {}),
  };
}

function readTag(node: XmlNode): LifecycleTag {
  const key = leafText(node, 'Key');
  const value = leafText(node, 'Value');
  if (key === undefined || value === undefined) throw malformed();
  return { key, value };
}

function readExpiration(node: XmlNode): LifecycleExpiration {
  const date = dateValue(node, 'Date');
  const days = intValue(node, 'Days');
  const marker = booleanValue(node, 'ExpiredObjectDeleteMarker');
  // AWS answers MalformedXML for Days with ExpiredObjectDeleteMarker (LocalStack snapshot
  // "expired-delete-marker-and-days"), and for an empty Expiration.
  if ([date, days, marker].filter(defined).length !== 1) throw malformed();
  if (date !== undefined) return { date };
  return days !== undefined ? { days } : { expiredObjectDeleteMarker: marker === true };
}

function readTransition(node: XmlNode): LifecycleTransition {
  const date = dateValue(node, 'Date');
  const days = intValue(node, 'Days');
  if ((date === undefined) === (days === undefined)) throw malformed();
  const storageClass = storageClassOf(node);
  return date !== undefined ? { date, storageClass } : { days: days ?? 0, storageClass };
}

function readNoncurrentTransition(node: XmlNode): NoncurrentVersionTransition {
  const newer = intValue(node, 'NewerNoncurrentVersions');
  return {
    noncurrentDays: required(node, 'NoncurrentDays'),
    storageClass: storageClassOf(node),
    ...(newer !== undefined ? { newerNoncurrentVersions: newer } : {}),
  };
}

/** AWS answers MalformedXML for a NoncurrentVersionExpiration without NoncurrentDays. */
function readNoncurrentExpiration(node: XmlNode): NoncurrentVersionExpiration {
  const newer = intValue(node, 'NewerNoncurrentVersions');
  return {
    noncurrentDays: required(node, 'NoncurrentDays'),
    ...(newer !== undefined ? { newerNoncurrentVersions: newer } : {}),
  };
}

function required(node: XmlNode, name = 'DaysAfterInitiation'): number {
  const value = intValue(node, name);
  if (value === undefined) throw malformed();
  return value;
}

/** The `TransitionStorageClass` enumeration; another value fails the schema. */
function storageClassOf(node: XmlNode): TransitionStorageClass {
  const value = leafText(node, 'StorageClass');
  const known = TRANSITION_STORAGE_CLASSES.find((storageClass) => storageClass === value);
  if (!known) throw malformed();
  return known;
}

/**
 * Gives every rule without an ID one from `newId`, as S3 does on PutBucketLifecycleConfiguration
 * (GetBucketLifecycleConfiguration then shows it). A fresh array; the input is left alone.
 *
 * @example
 * assignRuleIds(rules, () => randomUUID());
 */
export function assignRuleIds(
  rules: readonly LifecycleRule[],
  newId: () => string,
): LifecycleRule[] {
  return rules.map((rule) => (rule.id !== undefined ? rule : { ...rule, id: newId() }));
}

/**
 * The rules as GetBucketLifecycleConfiguration writes them, for
 * `sendXml(ctx, 200, 'LifecycleConfiguration', …)`. Elements come in the order of the S3 user
 * guide's examples: ID, Filter (or the V1 Prefix), Status, then the actions.
 *
 * @example
 * buildXml('LifecycleConfiguration', lifecycleConfigurationXml(rules));
 */
export function lifecycleConfigurationXml(rules: readonly LifecycleRule[]): XmlNode {
  return { Rule: rules.map(ruleXml) };
}

function ruleXml(rule: LifecycleRule): XmlNode {
  const expiration = rule.expiration;
  const noncurrent = rule.noncurrentVersionExpiration;
  return {
    ...(rule.id !== undefined ? { ID: rule.id } : {}),
    ...(rule.prefix !== undefined ? { Prefix: rule.prefix } : {}),
    ...(rule.filter ? { Filter: filterXml(rule.filter) } : {}),
    Status: rule.status,
    ...(rule.transitions.length > 0
      ? {
          Transition: rule.transitions.map((t) => ({
            ...whenXml(t),
            StorageClass: t.storageClass,
          })),
        }
      : {}),
    ...(expiration
      ? {
          Expiration:
            expiration.expiredObjectDeleteMarker !== undefined
              ? { ExpiredObjectDeleteMarker: String(expiration.expiredObjectDeleteMarker) }
              : whenXml(expiration),
        }
      : {}),
    ...(rule.noncurrentVersionTransitions.length > 0
      ? {
          NoncurrentVersionTransition: rule.noncurrentVersionTransitions.map((t) => ({
            NoncurrentDays: String(t.noncurrentDays),
            StorageClass: t.storageClass,
            ...newerXml(t.newerNoncurrentVersions),
          })),
        }
      : {}),
    ...(noncurrent
      ? {
          NoncurrentVersionExpiration: {
            NoncurrentDays: String(noncurrent.noncurrentDays),
            ...newerXml(noncurrent.newerNoncurrentVersions),
          },
        }
      : {}),
    ...(rule.abortIncompleteMultipartUpload
      ? {
          AbortIncompleteMultipartUpload: {
            DaysAfterInitiation: String(rule.abortIncompleteMultipartUpload.daysAfterInitiation),
          },
        }
      : {}),
  };
}

function whenXml(action: { date?: number; days?: number }): XmlNode {
  return action.date !== undefined
    ? { Date: new Date(action.date).toISOString() }
    : { Days: String(action.days ?? 0) };
}

function newerXml(newer: number | undefined): XmlNode {
  return newer !== undefined ? { NewerNoncurrentVersions: String(newer) } : {};
}

function filterXml(filter: LifecycleRuleFilter): XmlNode {
  if (filter.and) {
    const and = filter.and;
    return {
      And: {
        ...(and.prefix !== undefined ? { Prefix: and.prefix } : {}),
        ...(and.tags.length > 0 ? { Tag: and.tags.map(tagXml) } : {}),
        ...sizeXml(and),
      },
    };
  }
  return {
    ...(filter.prefix !== undefined ? { Prefix: filter.prefix } : {}),
    ...(filter.tag ? { Tag: tagXml(filter.tag) } : {}),
    ...sizeXml(filter),
  };
}

function sizeXml(bounds: { objectSizeGreaterThan?: number; objectSizeLessThan?: number }): XmlNode {
  return {
    ...(bounds.objectSizeGreaterThan !== undefined
      ? { ObjectSizeGreaterThan: String(bounds.objectSizeGreaterThan) }
      : {}),
    ...(bounds.objectSizeLessThan !== undefined
      ? { ObjectSizeLessThan: String(bounds.objectSizeLessThan) }
      : {}),
  };
}

function tagXml(tag: LifecycleTag): XmlNode {
  return { Key: tag.key, Value: tag.value };
}
