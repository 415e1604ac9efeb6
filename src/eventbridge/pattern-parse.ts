import { parseCidr } from './pattern-ip.js';
import { InvalidEventPatternError } from './pattern-types.js';
import type {
  EventPattern,
  Matcher,
  NegatableStringTest,
  NumericBound,
  PatternField,
  PatternObject,
} from './pattern-types.js';
import { compileWildcard } from './pattern-wildcard.js';

/**
 * The default "Event pattern size" quota of the EventBridge user guide's quotas page: 2,048
 * characters, adjustable on request (the PutRule/TestEventPattern API caps it at 4,096).
 */
export const DEFAULT_MAX_EVENT_PATTERN_LENGTH = 2048;

/** Event Ruler's numeric range: ±5e9, written as Java prints the double. */
const NUMERIC_LIMIT = 5e9;
const NUMERIC_RANGE_REASON = 'Value must be between -5.0E9 and 5.0E9, inclusive';

// Names Event Ruler refuses as field names anywhere inside a `$or` member, so that an
// operator written one level too deep is an error instead of a field that never matches.
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  'html',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(reason: string): never {
  throw new InvalidEventPatternError(reason);
}

/** The token Ruler's streaming parser names when a numeric operand holds the wrong thing. */
function tokenText(value: unknown): string {
  if (value === undefined) return ']';
  if (Array.isArray(value)) return '[';
  if (isObject(value)) return '{';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Parses and validates a pattern; the reasons are Event Ruler's, in its order of checking. */
export function parsePattern(
  json: string,
  maxLength = DEFAULT_MAX_EVENT_PATTERN_LENGTH,
): EventPattern {
  if (json.length > maxLength) {
    fail(`Event pattern is ${json.length} characters long; the limit is ${maxLength}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    fail(`Filter is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) fail('Filter is not an object');
  return { root: parseObject(parsed, false) };
}

function parseObject(object: JsonObject, insideOr: boolean): PatternObject {
  const fields: PatternField[] = [];
  let anyOf: PatternObject[] | undefined;
  const keys = Object.keys(object);
  if (keys.length === 0) fail('Empty objects are not allowed');
  for (const key of keys) {
    const value = object[key];
    if (key === '$or') {
      // A second `$or` at one level cannot occur: JSON.parse keeps the last duplicate key,
      // which is also what the user guide says EventBridge does with duplicates.
      anyOf = parseOr(value);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) {
      fail(`${key} is Ruler reserved fieldName which cannot be used inside $or.`);
    }
    if (Array.isArray(value)) fields.push([key, parseLeaf(value)]);
    else if (isObject(value)) fields.push([key, parseObject(value, insideOr)]);
    else fail(`"${key}" must be an object or an array`);
  }
  return anyOf === undefined ? { fields } : { fields, anyOf };
}

function parseOr(value: unknown): PatternObject[] {
  if (!Array.isArray(value)) fail('It must be an Array followed with $or.');
  const members = value.map((member) => {
    if (!isObject(member)) fail('Only JSON object is allowed in array of $or relationship.');
    return parseObject(member, true);
  });
  if (members.length < 2) fail('There must have at least 2 Objects in $or relationship.');
  return members;
}

function parseLeaf(values: readonly unknown[]): Matcher[] {
  if (values.length === 0) fail('Empty arrays are not allowed');
  return values.map((value): Matcher => {
    if (isObject(value)) return parseMatchExpression(value);
    if (Array.isArray(value)) fail('Match value must be String, number, true, false, or null');
    return { kind: 'exactly', value: value as string | number | boolean | null };
  });
}

function parseMatchExpression(expression: JsonObject): Matcher {
  const [name, ...extra] = Object.keys(expression);
  if (name === undefined) fail('Match expression name not found');
  const matcher = parseOperator(name, expression[name]);
  if (extra.length > 0) {
    // Ruler reaches its numeric arity guard for these two; the wording is its own.
    fail(
      name === 'numeric' || name === 'anything-but'
        ? 'Too many elements in numeric expression'
        : 'Only one key allowed in match expression',
    );
  }
  return matcher;
}

function parseOperator(name: string, operand: unknown): Matcher {
  switch (name) {
    case 'prefix':
    case 'suffix':
      return parseAffix(name, operand);
    case 'equals-ignore-case':
      if (typeof operand !== 'string') fail('equals-ignore-case match pattern must be a string');
      return { kind: 'equals-ignore-case', value: operand };
    case 'wildcard':
      if (typeof operand !== 'string') fail('wildcard match pattern must be a string');
      return { kind: 'wildcard', pieces: compileWildcard(operand) };
    case 'exists':
      if (typeof operand !== 'boolean') fail('exists match pattern must be either true or false.');
      return { kind: 'exists', exists: operand };
    case 'cidr':
      // Ruler's message names the wrong operator here; it is kept as the service sends it.
      if (typeof operand !== 'string') fail('prefix match pattern must be a string');
      return { kind: 'cidr', block: parseCidr(operand) };
    case 'numeric':
      return parseNumeric(operand);
    case 'anything-but':
      return parseAnythingBut(operand);
    default:
      return fail(`Unrecognized match type ${name}`);
  }
}

function parseAffix(name: 'prefix' | 'suffix', operand: unknown): Matcher {
  if (typeof operand === 'string') return { kind: name, value: operand, ignoreCase: false };
  if (!isObject(operand)) fail(`${name} match pattern must be a string`);
  const [inner, ...extra] = Object.keys(operand);
  const label = name === 'prefix' ? 'Prefix' : 'Suffix';
  if (inner === undefined) fail(`${label} expression name not found`);
  if (inner !== 'equals-ignore-case') fail(`Unsupported ${name} pattern: ${inner}`);
  const value = operand[inner];
  if (typeof value !== 'string') fail('equals-ignore-case match pattern must be a string');
  if (extra.length > 0) fail('Only one key allowed in match expression');
  return { kind: name, value, ignoreCase: true };
}

function checkNumericRange(value: number): number {
  if (Math.abs(value) > NUMERIC_LIMIT) fail(NUMERIC_RANGE_REASON);
  return value;
}

function numericOperand(operator: string, value: unknown): number {
  const label = operator === '=' ? 'equals' : operator;
  if (typeof value !== 'number') fail(`Value of ${label} must be numeric`);
  return checkNumericRange(value);
}

/** `numeric` is a small grammar: `= n`, one bound, or a lower bound then an upper bound. */
function parseNumeric(operand: unknown): Matcher {
  if (!Array.isArray(operand)) fail('Value of numeric must be an array.');
  const [operator, first, closer, second, ...rest] = operand as unknown[];
  if (typeof operator !== 'string') fail(`Invalid member in numeric match: ${tokenText(operator)}`);
  if (!['=', '<', '<=', '>', '>='].includes(operator)) {
    fail(`Unrecognized numeric range operator: ${operator}`);
  }
  const bound: NumericBound = {
    value: numericOperand(operator, first),
    inclusive: operator !== '<' && operator !== '>',
  };
  if (operand.length === 2) {
    if (operator === '=') return { kind: 'numeric', lower: bound, upper: bound };
    return operator.startsWith('<')
      ? { kind: 'numeric', upper: bound }
      : { kind: 'numeric', lower: bound };
  }
  if (!operator.startsWith('>')) fail('Too many elements in numeric expression');
  if (typeof closer !== 'string') fail(`Bad value in numeric range: ${tokenText(closer)}`);
  if (closer !== '<' && closer !== '<=') fail(`Bad numeric range operator: ${closer}`);
  const upper: NumericBound = { value: numericOperand(closer, second), inclusive: closer === '<=' };
  if (rest.length > 0) fail('Too many terms in numeric range expression');
  if (!(bound.value < upper.value)) fail('Bottom must be less than top');
  return { kind: 'numeric', lower: bound, upper };
}

function parseAnythingBut(operand: unknown): Matcher {
  if (isObject(operand)) return { kind: 'anything-but-test', test: parseNegatedTest(operand) };
  if (typeof operand === 'string')
    return { kind: 'anything-but-strings', values: new Set([operand]) };
  if (typeof operand === 'number') {
    return { kind: 'anything-but-numbers', values: new Set([checkNumericRange(operand)]) };
  }
  if (!Array.isArray(operand)) {
    fail('Value of anything-but must be an array or single string/number value.');
  }
  for (const item of operand) {
    if (typeof item !== 'string' && typeof item !== 'number') {
      fail('Inside anything but list, start|null|boolean is not supported.');
    }
  }
  const strings = operand.filter((item): item is string => typeof item === 'string');
  const numbers = operand.filter((item): item is number => typeof item === 'number');
  if (strings.length > 0 === numbers.length > 0) {
    fail(
      'Inside anything but list, either all values are number or string, mixed type is not supported',
    );
  }
  return strings.length > 0
    ? { kind: 'anything-but-strings', values: new Set(strings) }
    : { kind: 'anything-but-numbers', values: new Set(numbers.map(checkNumericRange)) };
}

const NEGATABLE = new Set(['prefix', 'suffix', 'equals-ignore-case', 'wildcard']);

/**
 * `anything-but` over a string test. The user guide shows single operands; Event Ruler also
 * takes a list of them, meaning "none of these", which is accepted here.
 */
function parseNegatedTest(operand: JsonObject): NegatableStringTest {
  const [inner, ...extra] = Object.keys(operand);
  if (inner === undefined) fail('Anything-But expression name not found');
  if (!NEGATABLE.has(inner)) fail(`Unsupported anything-but pattern: ${inner}`);
  const value = operand[inner];
  if (typeof value !== 'string' && typeof value !== 'number' && !Array.isArray(value)) {
    fail('Value of anything-but must be an array or single string/number value.');
  }
  const items: unknown[] = Array.isArray(value) ? value : [value];
  if (items.length === 0) fail('Empty arrays are not allowed');
  const values = items.map((item) => {
    if (typeof item !== 'string') {
      if (inner === 'equals-ignore-case') {
        fail(
          'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.',
        );
      }
      fail(
        inner === 'wildcard'
          ? 'wildcard match pattern must be a string'
          : 'prefix/suffix match pattern must be a string',
      );
    }
    if ((inner === 'prefix' || inner === 'suffix') && item === '') {
      fail('Null prefix/suffix not allowed');
    }
    return item;
  });
  if (extra.length > 0) fail('Too many elements in numeric expression');
  if (inner === 'wildcard') return { kind: 'wildcard', values: values.map(compileWildcard) };
  return { kind: inner as 'prefix' | 'suffix' | 'equals-ignore-case', values };
}
