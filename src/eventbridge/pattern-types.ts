/**
 * The compiled form of an EventBridge event pattern, and the error a bad pattern raises.
 * Built by `pattern-parse.ts`, read by `pattern-match.ts`; callers only hold it.
 */

/**
 * A pattern EventBridge would refuse in PutRule or TestEventPattern. The message reads as
 * AWS's `InvalidEventPatternException` does: `Event pattern is not valid. Reason: …`, with
 * the reason in Event Ruler's words wherever they are known.
 */
export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternError';
  /** The text after `Reason: `, for callers that render their own envelope. */
  readonly reason: string;

  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
    this.reason = reason;
  }
}

/** A JSON scalar: what an event leaf can hold and what an exact-match value can be. */
export type JsonScalar = string | number | boolean | null;

/** An IPv4 (4 bytes) or IPv6 (16 bytes) address. */
export interface IpAddress {
  readonly bytes: Uint8Array;
}

/** `cidr`: addresses whose first `bits` bits equal those of `base`. */
export interface CidrBlock {
  readonly base: IpAddress;
  readonly bits: number;
}

/**
 * A wildcard operand split at its unescaped `*`: the literal pieces in order. No `*` means a
 * single piece that must equal the whole value.
 */
export type WildcardPieces = readonly string[];

/** The string tests `anything-but` can negate, each taking one or more operands. */
export type NegatableStringTest =
  | { readonly kind: 'prefix'; readonly values: readonly string[] }
  | { readonly kind: 'suffix'; readonly values: readonly string[] }
  | { readonly kind: 'equals-ignore-case'; readonly values: readonly string[] }
  | { readonly kind: 'wildcard'; readonly values: readonly WildcardPieces[] };

/** One bound of a numeric range. */
export interface NumericBound {
  readonly value: number;
  readonly inclusive: boolean;
}

/** One element of a leaf's array: an exact value or a one-key match expression. */
export type Matcher =
  | { readonly kind: 'exactly'; readonly value: JsonScalar }
  | { readonly kind: 'prefix'; readonly value: string; readonly ignoreCase: boolean }
  | { readonly kind: 'suffix'; readonly value: string; readonly ignoreCase: boolean }
  | { readonly kind: 'equals-ignore-case'; readonly value: string }
  | { readonly kind: 'wildcard'; readonly pieces: WildcardPieces }
  | { readonly kind: 'anything-but-strings'; readonly values: ReadonlySet<string> }
  | { readonly kind: 'anything-but-numbers'; readonly values: ReadonlySet<number> }
  | { readonly kind: 'anything-but-test'; readonly test: NegatableStringTest }
  | { readonly kind: 'numeric'; readonly lower?: NumericBound; readonly upper?: NumericBound }
  | { readonly kind: 'exists'; readonly exists: boolean }
  | { readonly kind: 'cidr'; readonly block: CidrBlock };

/** A field of an object pattern: a nested object, or a leaf's alternatives. */
export type PatternField = readonly [name: string, value: PatternObject | readonly Matcher[]];

/**
 * An object level of a pattern. Every field must match (AND); when `anyOf` is present (from
 * `$or`), at least one of its members must also match at this same level.
 */
export interface PatternObject {
  readonly fields: readonly PatternField[];
  readonly anyOf?: readonly PatternObject[];
}

/** A validated pattern, as `parseEventPattern` returns it. */
export interface EventPattern {
  readonly root: PatternObject;
}
