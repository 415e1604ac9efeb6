import { InvalidEventPatternError } from './pattern-types.js';
import type { WildcardPieces } from './pattern-types.js';

/**
 * Ruler reports a wildcard fault as a byte offset into the operand's quoted UTF-8 form, so
 * the opening quote is position 0 and the operand's first character position 1.
 */
function position(operand: string, index: number): number {
  return Buffer.byteLength(operand.slice(0, index), 'utf8') + 1;
}

/**
 * Splits a `wildcard` operand at its unescaped `*`, refusing the two things AWS refuses:
 * consecutive `*`, and a backslash that escapes anything but `*` or `\` (a trailing backslash
 * would escape Ruler's closing quote, so it is refused too).
 *
 * @example compileWildcard('*.png') // ['', '.png']
 */
export function compileWildcard(operand: string): WildcardPieces {
  const pieces: string[] = [];
  let literal = '';
  for (let index = 0; index < operand.length; index++) {
    const char = operand[index];
    if (char === '\\') {
      const next = operand[index + 1];
      if (next !== '*' && next !== '\\') {
        throw new InvalidEventPatternError(
          `Invalid escape character at pos ${position(operand, index)}`,
        );
      }
      literal += next;
      index++;
    } else if (char === '*') {
      if (operand[index + 1] === '*') {
        throw new InvalidEventPatternError(
          `Consecutive wildcard characters at pos ${position(operand, index)}`,
        );
      }
      pieces.push(literal);
      literal = '';
    } else {
      literal += char;
    }
  }
  pieces.push(literal);
  return pieces;
}

/**
 * Whether `value` matches the compiled wildcard, each `*` standing for zero or more
 * characters. With only `*` as a metacharacter, taking each middle piece at its leftmost
 * place is never worse than a later one, so no backtracking is needed.
 */
export function wildcardMatches(pieces: WildcardPieces, value: string): boolean {
  const first = pieces[0] ?? '';
  if (pieces.length === 1) return value === first;
  const last = pieces[pieces.length - 1] ?? '';
  if (value.length < first.length + last.length) return false;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;
  let cursor = first.length;
  const end = value.length - last.length;
  for (const piece of pieces.slice(1, -1)) {
    const at = value.indexOf(piece, cursor);
    if (at === -1 || at + piece.length > end) return false;
    cursor = at + piece.length;
  }
  return true;
}
