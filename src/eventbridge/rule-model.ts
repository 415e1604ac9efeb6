/**
 * What a rule of Vigil's default event bus is, and the facts of EventBridge's model it keeps:
 * names, ARNs, limits. Pure.
 *
 * Constraints from botocore `events/2015-10-07/service-2.json`: RuleName and TargetId are
 * 1-64 characters of `[\.\-_A-Za-z0-9]+`, RuleDescription at most 512, TargetInput 8192,
 * TargetInputPath 256, EventPattern 4096 (the API's cap; the default quota is 2,048, which
 * `parseEventPattern` enforces). Five targets per rule: the PutTargets reference.
 */
import { constraintError, EventBridgeError } from './errors.js';
import { InvalidEventPatternError, parseEventPattern, type EventPattern } from './pattern.js';

export type RuleState = 'ENABLED' | 'DISABLED';

/** A rule of the default bus as stored. */
export interface EventRule {
  name: string;
  /** The pattern's JSON text as given (validated by `parseEventPattern`). */
  eventPattern: string;
  state: RuleState;
  description?: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

/** A rule's target as stored: where matching events go, and what is sent. */
export interface RuleTarget {
  id: string;
  arn: string;
  /** Constant JSON text sent instead of the event. */
  input?: string;
  /** A JSONPath (`$`, `$.detail`, …) selecting the part of the event that is sent. */
  inputPath?: string;
}

/** Where a region and account come from: Vigil's configuration. */
export interface BusScope {
  region: string;
  accountId: string;
}

export const DEFAULT_BUS = 'default';
export const MAX_TARGETS_PER_RULE = 5;
export const MAX_NAME_LENGTH = 64;
export const MAX_DESCRIPTION_LENGTH = 512;
export const MAX_INPUT_LENGTH = 8192;
export const MAX_INPUT_PATH_LENGTH = 256;
export const MAX_EVENT_PATTERN_LENGTH = 4096;

/** RuleName and TargetId, as the model writes the pattern (quoted in constraint messages). */
export const NAME_PATTERN_TEXT = '[\\.\\-_A-Za-z0-9]+';
const NAME_PATTERN = /^[.\-_A-Za-z0-9]+$/;

/**
 * Why a RuleName or TargetId breaks the model's constraints, in AWS's words, or undefined.
 *
 * @example nameProblem('name', 'my rule') // …Member must satisfy regular expression pattern: [\.\-_A-Za-z0-9]+
 */
export function nameProblem(at: string, value: string): EventBridgeError | undefined {
  if (value.length < 1)
    return constraintError(at, value, 'Member must have length greater than or equal to 1');
  if (value.length > MAX_NAME_LENGTH)
    return constraintError(
      at,
      value,
      `Member must have length less than or equal to ${MAX_NAME_LENGTH}`,
    );
  if (!NAME_PATTERN.test(value))
    return constraintError(
      at,
      value,
      `Member must satisfy regular expression pattern: ${NAME_PATTERN_TEXT}`,
    );
  return undefined;
}

/** `arn:aws:events:<region>:<account>:rule/<name>`: rules of the default bus carry no bus name. */
export function ruleArn(scope: BusScope, name: string): string {
  return `arn:aws:events:${scope.region}:${scope.accountId}:rule/${name}`;
}

export function defaultBusArn(scope: BusScope): string {
  return `arn:aws:events:${scope.region}:${scope.accountId}:event-bus/${DEFAULT_BUS}`;
}

/**
 * Whether an `EventBusName` names Vigil's one bus: omitted, `default`, or the default bus's
 * ARN in this region and account.
 */
export function isDefaultBus(scope: BusScope, nameOrArn: string | undefined): boolean {
  return nameOrArn === undefined || nameOrArn === DEFAULT_BUS || nameOrArn === defaultBusArn(scope);
}

/**
 * Parses a rule's pattern as PutRule and TestEventPattern do.
 *
 * @throws EventBridgeError InvalidEventPatternException, worded `Event pattern is not valid. Reason: …`.
 */
export function compileEventPattern(json: string): EventPattern {
  try {
    return parseEventPattern(json);
  } catch (error) {
    if (error instanceof InvalidEventPatternError)
      throw new EventBridgeError('InvalidEventPatternException', error.message);
    throw error;
  }
}
