import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  PipelineConfigError,
  resolvePipelineSettings,
  settingsFromEnvironment,
  settingsToEnvironment,
} from './settings.js';

describe('resolvePipelineSettings', () => {
  it('has the documented defaults', () => {
    expect(resolvePipelineSettings(undefined)).toEqual({
      minConfidence: 80,
      policy: { defaultAction: 'block', rules: [] },
      reviewQueue: 'moderation-review',
      cleanTag: false,
      maxImageBytes: 15 * 1024 * 1024,
      memory: { enabled: true, maxDistance: 10 },
    });
    expect(DEFAULT_SETTINGS.minConfidence).toBe(80);
  });

  it('accepts a policy with rules', () => {
    const settings = resolvePipelineSettings({
      minConfidence: 70,
      cleanTag: true,
      policy: {
        defaultAction: 'review',
        rules: [{ label: 'Explicit', action: 'block', minConfidence: 60 }],
      },
    });
    expect(settings.policy.rules).toEqual([
      { label: 'Explicit', action: 'block', minConfidence: 60 },
    ]);
    expect(settings.cleanTag).toBe(true);
  });

  it.each<[string, unknown, string]>([
    ['a confidence over 100', { minConfidence: 120 }, 'pipeline.minConfidence: expected 0 to 100'],
    [
      'an unknown action',
      { policy: { rules: [{ label: 'Explicit', action: 'hide' }] } },
      'pipeline.policy.rules.0.action:',
    ],
    [
      'a label in two rules',
      {
        policy: {
          rules: [
            { label: 'Explicit', action: 'block' },
            { label: 'explicit', action: 'review' },
          ],
        },
      },
      'pipeline.policy.rules: expected each label in one rule only',
    ],
    ['an unknown key', { minconfidence: 80 }, 'pipeline:'],
    [
      'a memory distance past 16 bits',
      { memory: { maxDistance: 17 } },
      'pipeline.memory.maxDistance: expected 0 to 16',
    ],
    [
      'a memory distance that is no whole number',
      { memory: { maxDistance: 2.5 } },
      'pipeline.memory.maxDistance: expected a whole number of bits',
    ],
    ['an unknown memory key', { memory: { threshold: 5 } }, 'pipeline.memory:'],
  ])('refuses %s, naming the field', (_name, input, message) => {
    expect(() => resolvePipelineSettings(input)).toThrow(PipelineConfigError);
    expect(() => resolvePipelineSettings(input)).toThrow(message);
  });
});

describe('settingsFromEnvironment', () => {
  it('reads every setting', () => {
    expect(
      settingsFromEnvironment({
        MODERATION_MIN_CONFIDENCE: '92.5',
        MODERATION_POLICY:
          '{"defaultAction":"review","rules":[{"label":"Violence","action":"allow"}]}',
        MODERATION_REVIEW_QUEUE: 'https://sqs.eu-west-1.amazonaws.com/123456789012/review',
        MODERATION_CLEAN_TAG: 'true',
        MODERATION_MAX_IMAGE_BYTES: '5242880',
        MODERATION_MEMORY: '{"enabled":false,"maxDistance":6}',
      }),
    ).toEqual({
      minConfidence: 92.5,
      policy: { defaultAction: 'review', rules: [{ label: 'Violence', action: 'allow' }] },
      reviewQueue: 'https://sqs.eu-west-1.amazonaws.com/123456789012/review',
      cleanTag: true,
      maxImageBytes: 5242880,
      memory: { enabled: false, maxDistance: 6 },
    });
  });

  it('keeps the memory defaults a partial MODERATION_MEMORY leaves out', () => {
    expect(settingsFromEnvironment({ MODERATION_MEMORY: '{"maxDistance":4}' }).memory).toEqual({
      enabled: true,
      maxDistance: 4,
    });
  });

  it('keeps defaults for unset and empty variables', () => {
    expect(settingsFromEnvironment({ MODERATION_CLEAN_TAG: '' })).toEqual(DEFAULT_SETTINGS);
  });

  it.each<[Record<string, string>, string]>([
    [{ MODERATION_MIN_CONFIDENCE: 'high' }, 'MODERATION_MIN_CONFIDENCE: expected a number'],
    [{ MODERATION_MIN_CONFIDENCE: '101' }, 'MODERATION_MIN_CONFIDENCE: expected 0 to 100'],
    [{ MODERATION_CLEAN_TAG: 'yes' }, 'MODERATION_CLEAN_TAG: expected true or false'],
    [{ MODERATION_POLICY: '{rules:' }, 'MODERATION_POLICY: expected JSON'],
    [
      { MODERATION_POLICY: '{"rules":[{"label":"","action":"block"}]}' },
      'MODERATION_POLICY.rules.0.label: expected a taxonomy label name',
    ],
    [{ MODERATION_MAX_IMAGE_BYTES: '1.5' }, 'MODERATION_MAX_IMAGE_BYTES:'],
    [{ MODERATION_MEMORY: 'off' }, 'MODERATION_MEMORY: expected JSON'],
    [
      { MODERATION_MEMORY: '{"maxDistance":40}' },
      'MODERATION_MEMORY.maxDistance: expected 0 to 16',
    ],
  ])('names the variable at fault: %o', (env, message) => {
    expect(() => settingsFromEnvironment(env)).toThrow(message);
  });
});

describe('settingsToEnvironment', () => {
  it('gives a function the settings it reads back', () => {
    const settings = resolvePipelineSettings({
      minConfidence: 72.5,
      cleanTag: true,
      reviewQueue: 'review-here',
      maxImageBytes: 1000,
      memory: { enabled: false, maxDistance: 3 },
      policy: {
        defaultAction: 'review',
        rules: [{ label: 'Explicit', action: 'block', minConfidence: 60 }],
      },
    });
    expect(settingsFromEnvironment(settingsToEnvironment(settings))).toEqual(settings);
    expect(settingsFromEnvironment(settingsToEnvironment(DEFAULT_SETTINGS))).toEqual(
      DEFAULT_SETTINGS,
    );
  });
});
