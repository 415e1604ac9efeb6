/**
 * Wildcard matching for the policy language: actions (case-insensitive globs), resources and
 * ARN conditions (ARN-aware, case-sensitive), and string `Like` operators.
 *
 * Policy variables can stand for a literal `*` or `?` (`${*}`, `${?}`), and a substituted value
 * must never widen a pattern, so substitution writes those characters as two private-use
 * markers that the glob compiler reads as literal characters.
 */

/** Stands for a literal `*` inside a pattern, written by variable substitution. */
export const LITERAL_STAR = '\uE000';
/** Stands for a literal `?` inside a pattern, written by variable substitution. */
export const LITERAL_QUESTION = '\uE001';

const cache = new Map<string, RegExp>();
const CACHE_LIMIT = 2048;

/** The text a pattern stands for when it is compared exactly (markers become their characters). */
export function literalText(pattern: string): string {
  return pattern.replaceAll(LITERAL_STAR, '*').replaceAll(LITERAL_QUESTION, '?');
}

function compile(pattern: string, ignoreCase: boolean): RegExp {
  const cacheKey = (ignoreCase ? 'i' : 's') + pattern;
  const hit = cache.get(cacheKey);
  if (hit) return hit;
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += '[\\s\\S]*';
    else if (char === '?') source += '[\\s\\S]';
    else source += escapeRegExp(literalText(char));
  }
  const compiled = new RegExp(`^${source}$`, ignoreCase ? 'iu' : 'u');
  // A policy set is small; the bound only stops a stream of distinct patterns from growing it.
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(cacheKey, compiled);
  return compiled;
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/**
 * Whether `value` matches a glob where `*` is any run of characters and `?` one character.
 *
 * @example
 * globMatches('home/*', 'home/alice/x.jpg'); // true
 */
export function globMatches(pattern: string, value: string, ignoreCase = false): boolean {
  return compile(pattern, ignoreCase).test(value);
}

/**
 * Whether a statement's action pattern covers the requested action. IAM compares actions
 * without regard to case (`S3:getobject` is `s3:GetObject`).
 *
 * @example
 * actionMatches('s3:Get*', 's3:GetObject'); // true
 */
export function actionMatches(pattern: string, action: string): boolean {
  return globMatches(pattern, action, true);
}

/** Splits an ARN at its first five colons; the sixth part (the resource) keeps its colons. */
function arnParts(arn: string): string[] {
  const parts: string[] = [];
  let rest = arn;
  for (let i = 0; i < 5; i++) {
    const colon = rest.indexOf(':');
    if (colon < 0) break;
    parts.push(rest.slice(0, colon));
    rest = rest.slice(colon + 1);
  }
  parts.push(rest);
  return parts;
}

/**
 * Whether an ARN pattern covers an ARN, as IAM matches `Resource` and the `Arn*` operators:
 * each of the first five colon-separated segments is matched on its own (a `*` in the region
 * does not swallow the account), while the resource part is one glob in which `*` spans `/`
 * and `:`. A pattern with fewer than six segments ends in a `*` that, as IAM documents for a
 * trailing wildcard, runs past the colons (`arn:aws:s3:*` covers every S3 ARN).
 *
 * @example
 * arnMatches('arn:aws:s3:::photos/*', 'arn:aws:s3:::photos/2024/a.jpg'); // true
 * arnMatches('arn:aws:sns:*:111122223333:t', 'arn:aws:sns:us-east-1:999999999999:x:111122223333:t'); // false
 */
export function arnMatches(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const want = arnParts(pattern);
  if (want.length < 6) return globMatches(pattern, arn);
  const have = arnParts(arn);
  if (have.length < 6) return false;
  return want.every((segment, i) => globMatches(segment, have[i] ?? ''));
}
