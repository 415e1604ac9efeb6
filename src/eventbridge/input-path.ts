/**
 * A target's `InputPath`: the JSONPath that picks the part of a matched event the target
 * receives (PutTargets reference: "for example, `$.detail`, … only the detail part of the
 * event is passed"). Vigil reads the dot-notation subset, `$` and `$.a.b…`; bracket
 * notation, wildcards, filters and array indexes are refused when the target is added
 * rather than failing every delivery later.
 */
import { validation, type EventBridgeError } from './errors.js';

/** The member names after `$`, outermost first; empty for `$` (the whole event). */
export type InputPath = readonly string[];

/** A member name: anything but the characters with a meaning in JSONPath. */
const MEMBER = /^[^.[\]*?()@$'"\s]+$/;

/**
 * Reads an InputPath, or returns why Vigil cannot.
 *
 * @example parseInputPath('$.detail.object') // ['detail', 'object']
 * @example parseInputPath('$.detail-type') // ['detail-type']
 */
export function parseInputPath(text: string): InputPath | EventBridgeError {
  if (text === '$') return [];
  const members = text.startsWith('$.') ? text.slice(2).split('.') : undefined;
  if (members === undefined || !members.every((member) => MEMBER.test(member)))
    return validation(
      `InputPath ${text} is not supported: Vigil reads $ (the whole event) and dot paths such as $.detail or $.detail.object.key.`,
    );
  return members;
}

/**
 * The part of `event` a parsed path selects, or undefined when the event has no such member.
 *
 * @example selectInputPath(['detail', 'bucket'], event) // { name: 'photos' }
 */
export function selectInputPath(path: InputPath, event: unknown): unknown {
  let at: unknown = event;
  for (const member of path) {
    if (typeof at !== 'object' || at === null || Array.isArray(at) || !Object.hasOwn(at, member))
      return undefined;
    at = (at as Record<string, unknown>)[member];
  }
  return at;
}
