/**
 * Reading an EventBridge JSON request: members by type (a wrong JSON type is the protocol's
 * `SerializationException`), the model's constraints (a `ValidationException` in the AWS
 * front end's words), the bus, and paging tokens.
 */
import { busNotFound, constraintError, validation, type EventBridgeError } from './errors.js';
import { isDefaultBus, nameProblem, type BusScope } from './rule-model.js';
import { WireError } from './api-wire.js';

export type Input = Record<string, unknown>;

/** `Name` → `name`: constraint messages name members in lower camel case. */
const memberPath = (member: string): string => member[0]!.toLowerCase() + member.slice(1);

const serialization = (member: string, type: string): WireError =>
  new WireError('SerializationException', `${member} must be ${type}.`);

export function optionalString(input: Input, member: string): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw serialization(member, 'a string');
  return value;
}

export function requiredString(input: Input, member: string): string {
  const value = optionalString(input, member);
  if (value === undefined)
    throw constraintError(memberPath(member), null, 'Member must not be null');
  return value;
}

export function optionalBoolean(input: Input, member: string): boolean {
  const value = input[member];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw serialization(member, 'a boolean');
  return value;
}

/** A list member, each element a structure or string as `check` reads it. */
export function requiredList(
  input: Input,
  member: string,
  limits: { min: number; max: number },
): unknown[] {
  const value = input[member];
  if (value === undefined || value === null)
    throw constraintError(memberPath(member), null, 'Member must not be null');
  if (!Array.isArray(value)) throw serialization(member, 'a list');
  if (value.length < limits.min)
    throw constraintError(
      memberPath(member),
      '[]',
      `Member must have length greater than or equal to ${limits.min}`,
    );
  if (value.length > limits.max)
    throw constraintError(
      memberPath(member),
      `[${value.length} items]`,
      `Member must have length less than or equal to ${limits.max}`,
    );
  return value;
}

export function isStructure(value: unknown): value is Input {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A RuleName or TargetId, checked against the model's constraints. */
export function checkName(at: string, value: string): string {
  const problem = nameProblem(at, value);
  if (problem) throw problem;
  return value;
}

/** A string member's length limit (`max`), as the model sets it. */
export function checkLength(at: string, value: string | undefined, max: number): void {
  if (value !== undefined && value.length > max)
    throw constraintError(at, value, `Member must have length less than or equal to ${max}`);
}

/** `EventBusName`: only the default bus exists in Vigil. */
export function requireDefaultBus(scope: BusScope, input: Input): void {
  const bus = optionalString(input, 'EventBusName');
  if (!isDefaultBus(scope, bus)) throw busNotFound(bus!);
}

/** `Limit` (LimitMax100: 1-100), or `fallback` when absent. */
export function pageLimit(input: Input, fallback: number): number {
  const value = input['Limit'];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw serialization('Limit', 'an integer');
  if (value < 1)
    throw constraintError('limit', value, 'Member must have value greater than or equal to 1');
  if (value > 100)
    throw constraintError('limit', value, 'Member must have value less than or equal to 100');
  return value;
}

/**
 * Paging tokens: opaque to clients, a kind and a position inside. A token from another list,
 * or made up, is refused.
 */
export function nextToken(kind: 'rules' | 'targets', position: string): string {
  return Buffer.from(JSON.stringify([kind, position])).toString('base64url');
}

export function readNextToken(input: Input, kind: 'rules' | 'targets'): string | undefined {
  const token = optionalString(input, 'NextToken');
  if (token === undefined) return undefined;
  checkLength('nextToken', token, 2048);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidToken();
  }
  if (!Array.isArray(decoded) || decoded[0] !== kind || typeof decoded[1] !== 'string')
    throw invalidToken();
  return decoded[1];
}

const invalidToken = (): EventBridgeError =>
  validation('The NextToken is not valid: pass the NextToken of the previous answer as it came.');
