/**
 * The EventBridge event-pattern language: parse and validate a rule's pattern as PutRule and
 * TestEventPattern do, then match events against it. Pure: no I/O, no clock, no state.
 *
 * Written from the EventBridge user guide ("Event patterns", "Comparison operators",
 * "Content filtering", "Arrays", "Null values and empty strings", "Quotas") and, where the
 * guide is silent, from AWS's open-source Event Ruler (github.com/aws/event-ruler), whose
 * rule language and error wording the guide's examples follow.
 */
import { matchPattern } from './pattern-match.js';
import { DEFAULT_MAX_EVENT_PATTERN_LENGTH, parsePattern } from './pattern-parse.js';
import type { EventPattern } from './pattern-types.js';

export { DEFAULT_MAX_EVENT_PATTERN_LENGTH } from './pattern-parse.js';
export { InvalidEventPatternError } from './pattern-types.js';
export type { EventPattern, Matcher, PatternObject } from './pattern-types.js';

export interface ParseEventPatternOptions {
  /**
   * The longest pattern accepted, in characters. AWS's default quota is 2,048 and can be
   * raised to 4,096, the API's own cap.
   */
  maxLength?: number;
}

/**
 * Parses and validates a pattern JSON string as EventBridge does for PutRule and
 * TestEventPattern.
 *
 * @throws {InvalidEventPatternError} when EventBridge would refuse the pattern; the message
 *   reads `Event pattern is not valid. Reason: …`.
 * @example
 * const pattern = parseEventPattern(
 *   '{"source": ["aws.s3"], "detail": {"object": {"key": [{"suffix": ".png"}]}}}',
 * );
 * parseEventPattern('{"detail": {"size": [{"numeric": ["<", 5, ">", 1]}]}}');
 * // throws: Event pattern is not valid. Reason: Too many elements in numeric expression
 */
export function parseEventPattern(
  json: string,
  options: ParseEventPatternOptions = {},
): EventPattern {
  return parsePattern(json, options.maxLength ?? DEFAULT_MAX_EVENT_PATTERN_LENGTH);
}

/**
 * True when the event matches: every field the pattern names matches (AND), a field matches
 * when any of its values does (OR), an array in the event matches when any element does, and
 * fields the pattern does not name are ignored. Anything but a JSON object never matches.
 *
 * @param event the whole EventBridge envelope as parsed JSON (`source`, `detail-type`,
 *   `detail`, …), not only its `detail`.
 * @example
 * const pattern = parseEventPattern(
 *   '{"source": ["aws.s3"], "detail": {"size": [{"numeric": [">", 0]}]}}',
 * );
 * matchesEventPattern(pattern, { source: 'aws.s3', detail: { size: 12 } }); // true
 * matchesEventPattern(pattern, { source: 'aws.s3', detail: { size: '12' } }); // false: a string
 */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  return matchPattern(pattern, event);
}
