import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIN_CONFIDENCE, resolveMinConfidence } from './min-confidence.js';
import { MODERATION_ERRORS, ModerationError, type ModerationErrorCode } from './types.js';

describe('MinConfidence', () => {
  it.each([
    [undefined, DEFAULT_MIN_CONFIDENCE],
    [0, 0],
    [72.5, 72.5],
    [100, 100],
  ])('%s → %s', (input, expected) => {
    expect(resolveMinConfidence(input)).toBe(expected);
  });

  it.each([-1, 100.5, Number.NaN, Number.POSITIVE_INFINITY, '50', null])('refuses %s', (input) => {
    expect(() => resolveMinConfidence(input)).toThrow(
      expect.objectContaining({
        code: 'InvalidParameterException',
        message: 'Request has invalid parameters.',
      }),
    );
  });
});

describe('the moderation error catalogue', () => {
  const codes = Object.keys(MODERATION_ERRORS) as ModerationErrorCode[];

  it('carries Rekognition’s status, wording and retryability on each error', () => {
    const err = new ModerationError('ThrottlingException', 'queue full');
    expect(err).toMatchObject({ status: 400, retryable: true, detail: 'queue full' });
    expect(err.message).toBe('Slow down; sudden increase in rate of requests.');
    expect(new ModerationError('InternalServerError').status).toBe(500);
    expect(new ModerationError('InvalidParameterException', 'd', 'custom').message).toBe('custom');
  });

  it('documents every code in docs/moderation.md', () => {
    const doc = readFileSync(new URL('../../docs/moderation.md', import.meta.url), 'utf8');
    for (const code of codes) expect(doc, code).toContain(`\`${code}\``);
  });
});
