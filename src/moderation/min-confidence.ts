import { ModerationError } from './types.js';

/** Rekognition's default: labels of 50% confidence or more are returned. */
export const DEFAULT_MIN_CONFIDENCE = 50;

/**
 * The `MinConfidence` a request asked for, checked against Rekognition's constraint
 * (a float from 0 to 100).
 *
 * @example resolveMinConfidence(undefined) // 50
 */
export function resolveMinConfidence(value: unknown): number {
  if (value === undefined) return DEFAULT_MIN_CONFIDENCE;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100)
    throw new ModerationError(
      'InvalidParameterException',
      `MinConfidence must be a number from 0 to 100; got ${typeof value === 'number' ? value : (JSON.stringify(value) ?? typeof value)}.`,
    );
  return value;
}
