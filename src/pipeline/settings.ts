/**
 * The moderate-image function's settings: one schema, with defaults, read from Vigil's config
 * file or from environment variables (as a Lambda function is configured).
 */
import { z } from 'zod';
import { MAX_RECALL_DISTANCE } from '../memory/index.js';
import type { ModerationPolicy } from './policy.js';

const confidence = z.number().min(0, 'expected 0 to 100').max(100, 'expected 0 to 100');
const action = z.enum(['block', 'review', 'allow']);

const policySchema = z
  .object({
    defaultAction: action.default('block'),
    rules: z
      .array(
        z
          .object({
            label: z.string().min(1, 'expected a taxonomy label name'),
            action,
            minConfidence: confidence.optional(),
          })
          .strict(),
      )
      .default([])
      .refine(
        (rules) => new Set(rules.map((r) => r.label.toLowerCase())).size === rules.length,
        'expected each label in one rule only',
      ),
  })
  .strict();

/** Image memory (ADR 14): what a look-alike of a remembered image gets. */
const memorySchema = z
  .object({
    /** Hash every judged image and recall the nearest remembered one before the moderator. */
    enabled: z.boolean().default(true),
    /**
     * How many of the 64 bits of the perceptual hash a copy may differ in and still be taken
     * for the remembered image. 10: resized, recompressed and converted copies are 0–4 bits
     * apart, crops of 1–2% off each side mostly within 10; unrelated pictures 23 or more
     * (ADR 14).
     */
    maxDistance: z
      .number()
      .int('expected a whole number of bits')
      .min(0, `expected 0 to ${MAX_RECALL_DISTANCE}`)
      .max(MAX_RECALL_DISTANCE, `expected 0 to ${MAX_RECALL_DISTANCE}`)
      .default(10),
  })
  .strict();

/** Schema of the settings (for embedding in Vigil's config schema). Unknown keys are errors. */
export const pipelineSettingsSchema = z
  .object({
    /** `MinConfidence` for the moderator and the default threshold of the policy. */
    minConfidence: confidence.default(80),
    policy: policySchema.default({ defaultAction: 'block', rules: [] }),
    /** Name of the review queue (Vigil), or its URL (SQS). */
    reviewQueue: z.string().min(1).default('moderation-review'),
    /** Tag every judged object `ScanStatus=clean|review|blocked` (failed ones always are). */
    cleanTag: z.boolean().default(false),
    /** Larger objects are not read: they fail as `ImageTooLargeException`. Default 15 MiB. */
    maxImageBytes: z
      .number()
      .int()
      .min(1)
      .default(15 * 1024 * 1024),
    memory: memorySchema.default({ enabled: true, maxDistance: 10 }),
  })
  .strict();

export interface MemorySettings {
  enabled: boolean;
  maxDistance: number;
}

export interface PipelineSettings {
  minConfidence: number;
  policy: ModerationPolicy;
  reviewQueue: string;
  cleanTag: boolean;
  maxImageBytes: number;
  memory: MemorySettings;
}

export const DEFAULT_SETTINGS: PipelineSettings = pipelineSettingsSchema.parse({});

/** A settings problem, naming the field (or variable) and what it expects. */
export class PipelineConfigError extends Error {
  override readonly name = 'PipelineConfigError';
}

/**
 * Checks settings and applies defaults.
 *
 * @example resolvePipelineSettings({ minConfidence: 90 }).reviewQueue // 'moderation-review'
 * @throws PipelineConfigError naming the field, e.g. `policy.rules.0.action: …`.
 */
export function resolvePipelineSettings(input: unknown, source = 'pipeline'): PipelineSettings {
  const parsed = pipelineSettingsSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = [source, ...issue.path.map(String)].join('.');
  throw new PipelineConfigError(`${path}: ${issue.message}`);
}

/** Environment variables read by `settingsFromEnvironment`, by field. */
export const SETTINGS_ENV = {
  minConfidence: 'MODERATION_MIN_CONFIDENCE',
  policy: 'MODERATION_POLICY',
  reviewQueue: 'MODERATION_REVIEW_QUEUE',
  cleanTag: 'MODERATION_CLEAN_TAG',
  maxImageBytes: 'MODERATION_MAX_IMAGE_BYTES',
  memory: 'MODERATION_MEMORY',
} as const satisfies Record<keyof PipelineSettings, string>;

/** The variable naming the reporting database file (`<data-dir>/reports.db` in Vigil). */
export const REPORTS_DB_ENV = 'MODERATION_REPORTS_DB';
/** The reporting database's PostgreSQL URL; when set, it is used instead of the SQLite file. */
export const REPORTS_URL_ENV = 'MODERATION_REPORTS_URL';

/**
 * The environment that gives a function these settings: what Vigil puts in the built-in
 * function's `environment` (with `REPORTS_DB_ENV`). `settingsFromEnvironment` reads it back.
 */
export function settingsToEnvironment(settings: PipelineSettings): Record<string, string> {
  return {
    [SETTINGS_ENV.minConfidence]: String(settings.minConfidence),
    [SETTINGS_ENV.policy]: JSON.stringify(settings.policy),
    [SETTINGS_ENV.reviewQueue]: settings.reviewQueue,
    [SETTINGS_ENV.cleanTag]: String(settings.cleanTag),
    [SETTINGS_ENV.maxImageBytes]: String(settings.maxImageBytes),
    [SETTINGS_ENV.memory]: JSON.stringify(settings.memory),
  };
}

/**
 * Settings from environment variables: numbers as decimal text, `MODERATION_CLEAN_TAG` as
 * `true`/`false`, `MODERATION_POLICY` and `MODERATION_MEMORY` as JSON. Unset variables keep their defaults.
 *
 * @throws PipelineConfigError naming the variable.
 */
export function settingsFromEnvironment(env: Record<string, string | undefined>): PipelineSettings {
  const values: Record<string, unknown> = {};
  for (const [field, name] of Object.entries(SETTINGS_ENV)) {
    const text = env[name];
    if (text === undefined || text === '') continue;
    const value = fromText(field as keyof PipelineSettings, text);
    if (value === undefined)
      throw new PipelineConfigError(`${name}: ${EXPECTED[field as keyof PipelineSettings]}`);
    values[field] = value;
  }
  const parsed = pipelineSettingsSchema.safeParse(values);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const [field, ...rest] = issue.path.map(String);
  const name = SETTINGS_ENV[field as keyof PipelineSettings];
  throw new PipelineConfigError(`${[name, ...rest].join('.')}: ${issue.message}`);
}

const EXPECTED: Record<keyof PipelineSettings, string> = {
  minConfidence: 'expected a number from 0 to 100',
  policy: 'expected JSON: {"defaultAction": "block", "rules": [{"label": …, "action": …}]}',
  reviewQueue: 'expected a queue name or URL',
  cleanTag: 'expected true or false',
  maxImageBytes: 'expected a whole number of bytes',
  memory: 'expected JSON: {"enabled": true, "maxDistance": 10}',
};

function fromText(field: keyof PipelineSettings, text: string): unknown {
  switch (field) {
    case 'minConfidence':
    case 'maxImageBytes': {
      const number = Number(text);
      return text.trim() === '' || Number.isNaN(number) ? undefined : number;
    }
    case 'cleanTag':
      return text === 'true' ? true : text === 'false' ? false : undefined;
    case 'policy':
    case 'memory':
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    case 'reviewQueue':
      return text;
  }
}
