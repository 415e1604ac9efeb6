/**
 * Small readers shared by the broker-message shapes (event-shapes.ts): each returns the value
 * or a reason naming the field and what was wrong with it. Pure.
 */

/** A value read from a message, or why it could not be. */
export type Outcome<T> = { value: T } | { reason: string };

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `an array`, `a number`, `null`…: for reasons that say what was found instead. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** A string field that must be there and not be empty. */
export function requiredString(
  parent: Record<string, unknown>,
  name: string,
  at: string,
): Outcome<string> {
  const value = parent[name];
  if (value === undefined) return { reason: `${at}.${name} is missing` };
  if (typeof value !== 'string')
    return { reason: `${at}.${name} is ${kindOf(value)}, not a string` };
  if (value === '') return { reason: `${at}.${name} is empty` };
  return { value };
}

/** An object field that must be there. */
export function requiredObject(
  parent: Record<string, unknown>,
  name: string,
  at: string,
): Outcome<Record<string, unknown>> {
  const value = parent[name];
  if (value === undefined) return { reason: `${at}.${name} is missing` };
  if (!isObject(value)) return { reason: `${at}.${name} is ${kindOf(value)}, not an object` };
  return { value };
}

/**
 * A string field that may be absent. Absent, `null` (AWS's template shows `versionId` null on
 * unversioned buckets) and `""` (Ceph's `versionId` when unversioned) all read as undefined.
 */
export function optionalString(
  parent: Record<string, unknown>,
  name: string,
  at: string,
): Outcome<string | undefined> {
  const value = parent[name];
  if (value === undefined || value === null || value === '') return { value: undefined };
  if (typeof value !== 'string')
    return { reason: `${at}.${name} is ${kindOf(value)}, not a string` };
  return { value };
}

/**
 * A byte count that may be absent: a non-negative safe integer, or, where `digitStrings` is
 * allowed (Ceph's documented `"size":"1024"`), a string of decimal digits.
 */
export function optionalSize(
  parent: Record<string, unknown>,
  name: string,
  at: string,
  digitStrings: boolean,
): Outcome<number | undefined> {
  const value = parent[name];
  if (value === undefined || value === null) return { value: undefined };
  const size =
    typeof value === 'number'
      ? value
      : digitStrings && typeof value === 'string' && /^\d{1,16}$/.test(value)
        ? Number(value)
        : undefined;
  if (size === undefined || !Number.isSafeInteger(size) || size < 0) {
    return { reason: `${at}.${name} is ${JSON.stringify(value)}, not a byte count` };
  }
  return { value: size };
}
