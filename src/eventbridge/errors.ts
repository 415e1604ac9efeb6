/**
 * The errors of Vigil's EventBridge rules, as EventBridge names them. The store raises them,
 * the JSON API renders them (`{"__type", "message"}`, HTTP 400), the config loader turns them
 * into start-up errors.
 *
 * Codes: botocore `events/2015-10-07/service-2.json` (ResourceNotFoundException,
 * InvalidEventPatternException, LimitExceededException) and the API reference's common
 * errors (ValidationException). Messages are AWS's where a recording or AWS's own wording is
 * known, cited at each constructor; Vigil's own otherwise.
 */
export type EventBridgeErrorCode =
  | 'ResourceNotFoundException'
  | 'ValidationException'
  | 'InvalidEventPatternException'
  | 'LimitExceededException';

export class EventBridgeError extends Error {
  override readonly name = 'EventBridgeError';

  constructor(
    readonly code: EventBridgeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Recorded from AWS in users' error logs (a terraform PutTargets failure) and moto's tests. */
export const ruleNotFound = (rule: string): EventBridgeError =>
  new EventBridgeError(
    'ResourceNotFoundException',
    `Rule ${rule} does not exist on EventBus default.`,
  );

/** The wording EventBridge emulators use (UNVERIFIED: no recording of AWS's was found). */
export const busNotFound = (bus: string): EventBridgeError =>
  new EventBridgeError('ResourceNotFoundException', `Event bus ${bus} does not exist.`);

/** Recorded from AWS (terraform-provider-aws #18519, aws-nuke #877, moto #5056). */
export const ruleHasTargets = (): EventBridgeError =>
  new EventBridgeError('ValidationException', "Rule can't be deleted since it has targets.");

/** Recorded from AWS on a sixth target (cfn-lint #306, 18F/identity-terraform #121). */
export const tooManyTargets = (): EventBridgeError =>
  new EventBridgeError(
    'LimitExceededException',
    'The requested resource exceeds the maximum number allowed.',
  );

export const validation = (message: string): EventBridgeError =>
  new EventBridgeError('ValidationException', message);

/**
 * A model constraint broken, in the AWS front end's words:
 * `1 validation error detected: Value 'x y' at 'name' failed to satisfy constraint: Member
 * must satisfy regular expression pattern: [\.\-_A-Za-z0-9]+`. Only the first problem is
 * reported.
 *
 * @param at the member's path in AWS's form: `name`, `limit`, `targets.2.member.id`.
 * @param value the value as given; `null` prints as AWS prints a missing member.
 */
export function constraintError(
  at: string,
  value: string | number | null,
  constraint: string,
): EventBridgeError {
  const shown = value === null ? 'null' : `'${value}'`;
  return validation(
    `1 validation error detected: Value ${shown} at '${at}' failed to satisfy constraint: ${constraint}`,
  );
}
