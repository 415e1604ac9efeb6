/**
 * `eventBridge` in the config file: rules of the default event bus declared at start-up, as
 * PutRule and PutTargets would make them. What can be checked without the running store is
 * checked here (names, patterns, Input and InputPath); that each target's destination exists
 * is checked when the rules are declared (config-rules.ts).
 */
import { z } from 'zod';
import { EventBridgeError } from './errors.js';
import { parseInputPath } from './input-path.js';
import {
  compileEventPattern,
  MAX_DESCRIPTION_LENGTH,
  MAX_INPUT_LENGTH,
  MAX_INPUT_PATH_LENGTH,
  MAX_TARGETS_PER_RULE,
} from './rule-model.js';

const name = z
  .string()
  .regex(/^[.\-_A-Za-z0-9]{1,64}$/, 'expected 1-64 letters, digits, dots, hyphens or underscores');

/** JSON written as JSON in the file, or as JSON text in a string; stored as text. */
const jsonText = z
  .union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())])
  .transform((value) => (typeof value === 'string' ? value : JSON.stringify(value)));

const eventPattern = jsonText.superRefine((text, ctx) => {
  try {
    compileEventPattern(text);
  } catch (error) {
    if (!(error instanceof EventBridgeError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message });
  }
});

const input = jsonText.superRefine((text, ctx) => {
  if (text.length > MAX_INPUT_LENGTH)
    ctx.addIssue({ code: 'custom', message: `expected at most ${MAX_INPUT_LENGTH} characters` });
  try {
    JSON.parse(text);
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: 'expected JSON (an object, or JSON text in a string)',
    });
  }
});

const inputPath = z
  .string()
  .max(MAX_INPUT_PATH_LENGTH)
  .superRefine((text, ctx) => {
    const path = parseInputPath(text);
    if (path instanceof EventBridgeError) ctx.addIssue({ code: 'custom', message: path.message });
  });

const targetSchema = z
  .object({
    id: name,
    /** A Vigil queue, topic, function or webhook ARN (docs/notifications.md). */
    arn: z.string().startsWith('arn:', 'expected an ARN'),
    /** Constant JSON sent instead of the event. */
    input: input.optional(),
    /** A JSONPath (`$`, `$.detail`, …): the part of the event sent. */
    inputPath: inputPath.optional(),
  })
  .strict()
  .refine((t) => t.input === undefined || t.inputPath === undefined, {
    message: 'give input or inputPath, not both',
    path: ['inputPath'],
  });

const ruleSchema = z
  .object({
    name,
    /** An EventBridge event pattern: an object, or its JSON text. */
    eventPattern,
    description: z.string().max(MAX_DESCRIPTION_LENGTH).optional(),
    state: z.enum(['ENABLED', 'DISABLED']).default('ENABLED'),
    targets: z
      .array(targetSchema)
      .max(
        MAX_TARGETS_PER_RULE,
        `expected at most ${MAX_TARGETS_PER_RULE} targets (EventBridge's limit)`,
      )
      .default([]),
  })
  .strict()
  .refine((r) => new Set(r.targets.map((t) => t.id)).size === r.targets.length, {
    message: 'target ids must be unique within a rule',
    path: ['targets'],
  });

export const eventBridgeConfigSchema = z
  .object({ rules: z.array(ruleSchema).default([]) })
  .strict()
  .refine((e) => new Set(e.rules.map((r) => r.name)).size === e.rules.length, {
    message: 'rule names must be unique',
    path: ['rules'],
  });

export type EventBridgeConfig = z.infer<typeof eventBridgeConfigSchema>;
