/**
 * Reading Lambda request members: types and the model's constraints (botocore
 * `lambda/2015-03-31/service-2.json`), failing as the AWS front end does.
 */
import { constraintError, LambdaError } from './errors.js';

export type Input = Record<string, unknown>;

export function optionalString(input: Input, member: string): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new LambdaError('InvalidRequestContentException', `${member} must be a string.`);
  return value;
}

/** `at` is the member's name in the front end's messages (`functionName`, `role`). */
export function requiredString(input: Input, member: string, at: string): string {
  const value = optionalString(input, member);
  if (value === undefined) throw constraintError(at, null, 'Member must not be null');
  return value;
}

export function optionalInteger(
  input: Input,
  member: string,
  at: string,
  min: number,
  max: number,
): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw new LambdaError('InvalidRequestContentException', `${member} must be an integer.`);
  if (value < min)
    throw constraintError(at, value, `Member must have value greater than or equal to ${min}`);
  if (value > max)
    throw constraintError(at, value, `Member must have value less than or equal to ${max}`);
  return value;
}

export function optionalObject(input: Input, member: string): Input | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    throw new LambdaError('InvalidRequestContentException', `${member} must be an object.`);
  return value as Input;
}

/** A string member's length and pattern, in the front end's words. */
export function checkPattern(at: string, value: string, pattern: RegExp, max: number): string {
  if (value.length > max)
    throw constraintError(at, value, `Member must have length less than or equal to ${max}`);
  if (!pattern.test(value))
    throw constraintError(
      at,
      value,
      `Member must satisfy regular expression pattern: ${pattern.source.replace(/^\^|\$$/g, '')}`,
    );
  return value;
}
