import type { Statement } from '../types.js';
import type { RequestContext } from './context.js';
import { ipInCidr } from './ip.js';
import { arnMatches, globMatches, literalText } from './match.js';
import { parseOperator, type BaseOperator, type ParsedOperator } from './operators.js';

/** Rewrites a policy value (policy variables), or undefined when it cannot match anything. */
export type Substitute = (value: string) => string | undefined;

const EPOCH = /^-?\d+(?:\.\d+)?$/;

/**
 * Reads a date as the Date operators accept it: epoch seconds, or a W3C ISO 8601 date.
 * Returns milliseconds since the epoch, or undefined when the text is neither.
 *
 * @example
 * parseDate('2020-01-01T00:00:01Z') === parseDate('1577836801'); // true
 */
export function parseDate(text: string): number | undefined {
  const trimmed = text.trim();
  if (EPOCH.test(trimmed)) return Number(trimmed) * 1000;
  const ms = Date.parse(trimmed);
  return Number.isNaN(ms) ? undefined : ms;
}

function parseNumber(text: string): number | undefined {
  const value = text.trim() === '' ? NaN : Number(text);
  return Number.isNaN(value) ? undefined : value;
}

function ordered(compare: BaseOperator['compare'], left: number, right: number): boolean {
  switch (compare) {
    case 'LessThan':
      return left < right;
    case 'LessThanEquals':
      return left <= right;
    case 'GreaterThan':
      return left > right;
    case 'GreaterThanEquals':
      return left >= right;
    default:
      return left === right;
  }
}

function sameBytes(left: string, right: string): boolean {
  return Buffer.from(left, 'base64').equals(Buffer.from(right, 'base64'));
}

/** The positive comparison of one request value against one policy value. */
function compareOne(base: BaseOperator, request: string, policy: string): boolean {
  switch (base.family) {
    case 'String':
      if (base.compare === 'Like') return globMatches(policy, request);
      if (base.compare === 'EqualsIgnoreCase') {
        return request.toLowerCase() === literalText(policy).toLowerCase();
      }
      return request === literalText(policy);
    case 'Bool':
      return request.toLowerCase() === literalText(policy).toLowerCase();
    case 'Arn':
      return arnMatches(policy, request);
    case 'Ip':
      return ipInCidr(request, policy);
    case 'Binary':
      // The context carries binary values base64-encoded, like the policy; bytes decide.
      return sameBytes(request, policy);
    case 'Numeric':
    case 'Date': {
      const read = base.family === 'Numeric' ? parseNumber : parseDate;
      const left = read(request);
      const right = read(policy);
      return left !== undefined && right !== undefined && ordered(base.compare, left, right);
    }
    case 'Null':
      return false;
  }
}

/** Policy variables are honoured only where IAM allows them: string, ARN and Bool values. */
function takesVariables(base: BaseOperator): boolean {
  return base.family === 'String' || base.family === 'Arn' || base.family === 'Bool';
}

function asList(value: string | readonly string[] | undefined): readonly string[] | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? [value] : value;
}

function keyHolds(
  op: ParsedOperator,
  key: string,
  written: readonly string[],
  context: RequestContext,
  substitute: Substitute,
): boolean {
  const requestValues = asList(context.get(key));
  const present = requestValues !== undefined && requestValues.length > 0;
  if (op.base.family === 'Null') {
    // "true" asks for the key to be absent, "false" for it to be present; values are ORed.
    return written.some((v) =>
      v.toLowerCase() === 'true' ? !present : v.toLowerCase() === 'false' && present,
    );
  }
  if (!present) {
    if (op.ifExists) return true;
    // IAM: a set operator over an empty set — ForAllValues is vacuously true, ForAnyValue false.
    if (op.set) return op.set === 'ForAllValues';
    // A missing key matches nothing, so only a negated operator holds.
    return op.base.negated;
  }
  const policyValues = takesVariables(op.base)
    ? written.flatMap((v) => substitute(v) ?? [])
    : written;
  const matchesAny = (request: string): boolean =>
    policyValues.some((policy) => compareOne(op.base, request, policy));
  // Each request value passes when it matches some policy value — or, negated, none of them.
  const passes = (request: string): boolean => matchesAny(request) !== op.base.negated;
  if (op.set === 'ForAllValues') return requestValues.every(passes);
  if (op.set === 'ForAnyValue') return requestValues.some(passes);
  // Without a set operator a multivalued key holds if any value matches; negated, if none does.
  const anyMatch = requestValues.some(matchesAny);
  return anyMatch !== op.base.negated;
}

/**
 * Whether a statement's Condition block holds for a request: operators and the keys under
 * each are ANDed, the values of one key ORed (NORed for negated operators). Key names are
 * case-insensitive. An operator the parser would reject makes the block false.
 *
 * @example
 * conditionsHold({ Bool: { 'aws:SecureTransport': ['false'] } }, context, (v) => v);
 */
export function conditionsHold(
  condition: Statement['Condition'],
  context: RequestContext,
  substitute: Substitute,
): boolean {
  if (!condition) return true;
  return Object.entries(condition).every(([operator, keys]) => {
    const op = parseOperator(operator);
    if (!op) return false;
    return Object.entries(keys).every(([key, values]) =>
      keyHolds(op, key, values, context, substitute),
    );
  });
}
