/**
 * Reading a parsed `LifecycleConfiguration` against S3's schema: the elements each level may
 * have, how many of each, and the XML Schema value types (xs:int, xs:long, xs:boolean,
 * xs:dateTime). Anything the schema refuses is `MalformedXML`, which is what S3 answers for a
 * document that "did not validate against our published schema" (LocalStack's AWS-recorded
 * snapshot `TestS3BucketLifecycle::test_put_bucket_lifecycle_conf_exc`).
 */
import { S3Error } from './errors.js';
import type { XmlNode } from './xml.js';

const malformed = (): S3Error => new S3Error('MalformedXML');

/**
 * An element's children. The parser keeps whitespace between elements as `#text`; any other
 * text inside a container, or a child the schema lacks, is malformed. An element with no
 * children parses as a string (`''`, or the blank text it held).
 */
function childrenOf(value: unknown, allowed: ReadonlySet<string>): XmlNode {
  if (typeof value === 'string') {
    if (value.trim() !== '') throw malformed();
    return {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed();
  const node = value as XmlNode;
  for (const [name, child] of Object.entries(node)) {
    if (name === '#text') {
      if (String(child).trim() !== '') throw malformed();
    } else if (!allowed.has(name)) throw malformed();
  }
  return node;
}

/**
 * The root content itself, checked like any container.
 *
 * @example
 * rootElement(parseXmlBody(body, 'LifecycleConfiguration'), new Set(['Rule']));
 */
export function rootElement(root: XmlNode, allowed: ReadonlySet<string>): XmlNode {
  return childrenOf(root, allowed);
}

/**
 * A child container that may appear at most once.
 *
 * @example
 * optionalElement(rule, 'Expiration', new Set(['Date', 'Days', 'ExpiredObjectDeleteMarker']));
 */
export function optionalElement(
  node: XmlNode,
  name: string,
  allowed: ReadonlySet<string>,
): XmlNode | undefined {
  const value = node[name];
  return value === undefined ? undefined : childrenOf(value, allowed);
}

/**
 * A child container that may repeat (the parser gives one or many).
 *
 * @example
 * repeatedElements(root, 'Rule', RULE_CHILDREN); // [] when there is none
 */
export function repeatedElements(
  node: XmlNode,
  name: string,
  allowed: ReadonlySet<string>,
): XmlNode[] {
  const value = node[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((item) => childrenOf(item, allowed));
}

/**
 * A text-only child that may appear at most once, as written.
 *
 * @example
 * leafText({ Status: 'Enabled' }, 'Status'); // 'Enabled'
 */
export function leafText(node: XmlNode, name: string): string | undefined {
  const value = node[name];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed();
  const keys = Object.keys(value);
  if (keys.length === 0) return '';
  if (keys.length === 1 && keys[0] === '#text') return String((value as XmlNode)['#text']);
  throw malformed();
}

/**
 * xs:int (Days, NoncurrentDays, …): signed, at most 2^31 - 1; the sign is checked later.
 *
 * @example
 * intValue({ Days: ' 30 ' }, 'Days'); // 30
 */
export function intValue(node: XmlNode, name: string): number | undefined {
  return integer(leafText(node, name), 2 ** 31 - 1);
}

/**
 * xs:long (ObjectSizeGreaterThan/LessThan).
 *
 * @example
 * longValue({ ObjectSizeLessThan: '64000' }, 'ObjectSizeLessThan'); // 64000
 */
export function longValue(node: XmlNode, name: string): number | undefined {
  return integer(leafText(node, name), 2 ** 63 - 1);
}

function integer(raw: string | undefined, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) throw malformed();
  const value = Number(trimmed);
  if (Math.abs(value) > max) throw malformed();
  return value;
}

/**
 * xs:boolean: `true`, `false`, `1` or `0`.
 *
 * @example
 * booleanValue({ ExpiredObjectDeleteMarker: '1' }, 'ExpiredObjectDeleteMarker'); // true
 */
export function booleanValue(node: XmlNode, name: string): boolean | undefined {
  const raw = leafText(node, name)?.trim();
  if (raw === undefined) return undefined;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw malformed();
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?$/i;

/**
 * An ISO 8601 date-time as epoch ms (UTC when no zone is given). A fraction finer than a
 * millisecond that is not zero rounds up, so that `00:00:00.0001Z` is not taken for midnight.
 * Anything else, such as `20200101`, is malformed (Ceph s3-tests
 * `test_lifecycle_set_invalid_date`).
 *
 * @example
 * dateValue({ Date: '2030-10-10T02:00:00+02:00' }, 'Date'); // Date.UTC(2030, 9, 10)
 */
export function dateValue(node: XmlNode, name: string): number | undefined {
  const raw = leafText(node, name)?.trim();
  if (raw === undefined) return undefined;
  const match = DATE_TIME.exec(raw);
  if (!match) throw malformed();
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone = 'Z'] = match;
  const parts = [y, mo, d, h, mi, s].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [year, month, day, hour, minute, second] = parts;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    throw malformed();
  const millis = Number(fraction.slice(0, 3).padEnd(3, '0'));
  const finer = /[1-9]/.test(fraction.slice(3)) ? 1 : 0;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second, millis) + finer;
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) throw malformed();
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  return ms;
}
