import type { RequestContext } from './context.js';
import { LITERAL_QUESTION, LITERAL_STAR } from './match.js';

const VARIABLE = /\$\{([^}]*)\}/g;
/** `key` or `key, 'default'`, the two forms IAM accepts inside `${…}`. */
const WITH_DEFAULT = /^\s*([^,]+?)\s*(?:,\s*'([^']*)'\s*)?$/;

/** Writes a value into a pattern so that its `*` and `?` stay literal characters. */
function asLiteral(value: string): string {
  return value.replaceAll('*', LITERAL_STAR).replaceAll('?', LITERAL_QUESTION);
}

function resolve(inner: string, context: RequestContext): string | undefined {
  // The three fixed variables exist so a pattern can hold a literal `*`, `?` or `$`.
  if (inner === '*') return LITERAL_STAR;
  if (inner === '?') return LITERAL_QUESTION;
  if (inner === '$') return '$';
  const parsed = WITH_DEFAULT.exec(inner);
  if (!parsed?.[1]) return undefined;
  const value = context.get(parsed[1]);
  // A multivalued key cannot be used as a variable (IAM: single-valued keys only).
  if (typeof value === 'string') return asLiteral(value);
  return parsed[2] === undefined ? undefined : asLiteral(parsed[2]);
}

/**
 * Replaces the policy variables in a resource or condition value with values from the
 * request. Returns undefined when a variable has no value and no default, which IAM treats as
 * a value that matches nothing. Callers only substitute in `2012-10-17` documents; older ones
 * keep `${…}` as literal text, as AWS does.
 *
 * @example
 * substituteVariables('arn:aws:s3:::home/${aws:username}/*', context);
 * // 'arn:aws:s3:::home/alice/*' for user alice
 */
export function substituteVariables(text: string, context: RequestContext): string | undefined {
  let unresolved = false;
  const result = text.replace(VARIABLE, (_match, inner: string) => {
    const value = resolve(inner, context);
    if (value === undefined) unresolved = true;
    return value ?? '';
  });
  return unresolved ? undefined : result;
}
