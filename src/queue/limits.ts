/** SQS's per-request limits and the check that words a violation as SQS does (pure). */
import { QueueError, invalidParameter } from './types.js';

export const LIMITS = {
  MaxNumberOfMessages: { min: 1, max: 10 },
  WaitTimeSeconds: { min: 0, max: 20 },
  VisibilityTimeout: { min: 0, max: 43_200 },
  DelaySeconds: { min: 0, max: 900 },
} as const;

/** Characters SQS accepts in a MessageGroupId: alphanumerics and ASCII punctuation, 1–128. */
const GROUP_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;

/**
 * @example
 * assertLimit('MaxNumberOfMessages', 11);
 * // QueueError InvalidParameterValue: Value 11 for parameter MaxNumberOfMessages is invalid.
 * //   Reason: Must be between 1 and 10, if provided.
 */
export function assertLimit(name: keyof typeof LIMITS, value: number): void {
  const { min, max } = LIMITS[name];
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(name, value, `Must be between ${min} and ${max}, if provided.`);
  }
}

export function assertMessageGroupId(value: string): void {
  if (!GROUP_ID.test(value)) {
    throw invalidParameter(
      'MessageGroupId',
      value,
      'MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.',
    );
  }
}

export function assertTraceHeader(value: string): void {
  if (value === '' || value.length > 2048 || !/^[\x20-\x7e]+$/.test(value)) {
    throw new QueueError(
      'InvalidParameterValue',
      'The message system attribute AWSTraceHeader must be a non-empty X-Ray trace header string.',
    );
  }
}
