import { cidrContains, parseIpLiteral } from './pattern-ip.js';
import type {
  EventPattern,
  JsonScalar,
  Matcher,
  NegatableStringTest,
  NumericBound,
  PatternObject,
} from './pattern-types.js';
import { wildcardMatches } from './pattern-wildcard.js';

/** Numeric matching only sees numbers Event Ruler can represent: ±5e9 inclusive. */
const NUMERIC_LIMIT = 5e9;

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Splits an event value into what the pattern can see at a field: its scalars (arrays
 * flattened, at any depth) and its objects. An empty array or an object leaves no scalar,
 * which is why `exists` treats both as absent: exists works on leaf nodes only.
 */
function explode(value: unknown): { scalars: JsonScalar[]; objects: JsonObject[] } {
  const scalars: JsonScalar[] = [];
  const objects: JsonObject[] = [];
  // An explicit stack: an event may nest arrays far deeper than a pattern nests objects.
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (item === undefined) continue;
    if (Array.isArray(item)) {
      for (let index = item.length - 1; index >= 0; index--) pending.push(item[index]);
    } else if (isObject(item)) objects.push(item);
    else scalars.push(item as JsonScalar);
  }
  return { scalars, objects };
}

function fieldOf(object: JsonObject | undefined, name: string): unknown {
  return object !== undefined && Object.hasOwn(object, name) ? object[name] : undefined;
}

function within(value: number, lower?: NumericBound, upper?: NumericBound): boolean {
  if (Math.abs(value) > NUMERIC_LIMIT) return false;
  if (lower && (lower.inclusive ? value < lower.value : value <= lower.value)) return false;
  if (upper && (upper.inclusive ? value > upper.value : value >= upper.value)) return false;
  return true;
}

function stringTestMatches(test: NegatableStringTest, value: string): boolean {
  switch (test.kind) {
    case 'prefix':
      return test.values.some((prefix) => value.startsWith(prefix));
    case 'suffix':
      return test.values.some((suffix) => value.endsWith(suffix));
    case 'equals-ignore-case':
      return test.values.some((other) => sameIgnoringCase(other, value));
    case 'wildcard':
      return test.values.some((pieces) => wildcardMatches(pieces, value));
  }
}

function sameIgnoringCase(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * One matcher against one scalar of the event. String operators never match other types,
 * numeric never matches a string (not even "5"), and exact values compare by JSON type.
 */
function scalarMatches(matcher: Matcher, value: JsonScalar): boolean {
  switch (matcher.kind) {
    case 'exactly':
      return value === matcher.value;
    case 'prefix':
      if (typeof value !== 'string') return false;
      return matcher.ignoreCase
        ? value.toLowerCase().startsWith(matcher.value.toLowerCase())
        : value.startsWith(matcher.value);
    case 'suffix':
      if (typeof value !== 'string') return false;
      return matcher.ignoreCase
        ? value.toLowerCase().endsWith(matcher.value.toLowerCase())
        : value.endsWith(matcher.value);
    case 'equals-ignore-case':
      return typeof value === 'string' && sameIgnoringCase(matcher.value, value);
    case 'wildcard':
      return typeof value === 'string' && wildcardMatches(matcher.pieces, value);
    // Ruler compares string anything-but against the value's JSON text, so numbers,
    // booleans and null pass; a numeric anything-but only ever passes numbers.
    case 'anything-but-strings':
      return typeof value !== 'string' || !matcher.values.has(value);
    case 'anything-but-numbers':
      return typeof value === 'number' && !matcher.values.has(value);
    case 'anything-but-test':
      return typeof value !== 'string' || !stringTestMatches(matcher.test, value);
    case 'numeric':
      return typeof value === 'number' && within(value, matcher.lower, matcher.upper);
    case 'cidr': {
      if (typeof value !== 'string') return false;
      const address = parseIpLiteral(value);
      return address !== undefined && cidrContains(matcher.block, address);
    }
    case 'exists':
      // Presence is a property of the field, not of one scalar: leafMatches decides it.
      return matcher.exists;
  }
}

/** A leaf's alternatives (OR) against the value at that field, possibly absent. */
function leafMatches(matchers: readonly Matcher[], value: unknown): boolean {
  const { scalars } = explode(value);
  return matchers.some((matcher) =>
    matcher.kind === 'exists'
      ? matcher.exists === scalars.length > 0
      : scalars.some((scalar) => scalarMatches(matcher, scalar)),
  );
}

/**
 * A nested object pattern against the value at its field. Under an array, every field of the
 * pattern must match within one element (Event Ruler's array-consistent matching); with no
 * object to look into, the pattern is tried against absence, which only `exists: false`
 * leaves can satisfy.
 */
function nestedMatches(pattern: PatternObject, value: unknown): boolean {
  const { objects } = explode(value);
  if (objects.length === 0) return objectMatches(pattern, undefined);
  return objects.some((object) => objectMatches(pattern, object));
}

function objectMatches(pattern: PatternObject, object: JsonObject | undefined): boolean {
  const fieldsMatch = pattern.fields.every(([name, child]) => {
    const value = fieldOf(object, name);
    return Array.isArray(child)
      ? leafMatches(child as readonly Matcher[], value)
      : nestedMatches(child as PatternObject, value);
  });
  if (!fieldsMatch) return false;
  return (
    pattern.anyOf === undefined || pattern.anyOf.some((member) => objectMatches(member, object))
  );
}

/** Whether a parsed event (a JSON object) matches a compiled pattern. */
export function matchPattern(pattern: EventPattern, event: unknown): boolean {
  return isObject(event) && objectMatches(pattern.root, event);
}
