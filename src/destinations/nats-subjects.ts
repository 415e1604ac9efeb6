/**
 * Whether a NATS subject filter (`*` matches one token, a final `>` one or more) matches a
 * subject: which stream captures a destination's subject.
 *
 * @example subjectMatches('vigil.*.>', 'vigil.events.photos') // true
 * subjectMatches('vigil.*', 'vigil.events.photos') // false
 */
export function subjectMatches(filter: string, subject: string): boolean {
  const wanted = filter.split('.');
  const tokens = subject.split('.');
  for (let i = 0; i < wanted.length; i++) {
    const token = wanted[i]!;
    if (token === '>') return i === wanted.length - 1 && tokens.length > i;
    if (i >= tokens.length || (token !== '*' && token !== tokens[i])) return false;
  }
  return tokens.length === wanted.length;
}
