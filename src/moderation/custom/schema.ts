/**
 * `moderation.models`: the user's own ONNX image classifiers, run by the local backend beside
 * the bundled models (docs/moderation.md, "Bring your own model"). Only what can be checked
 * without reading files is checked here; the labels file and the model itself are checked
 * when the backend loads them (load.ts, runner.ts).
 */
import { z } from 'zod';
import { TAXONOMY_V7 } from '../backends/taxonomy-v7.js';
import { userLabels, type MapTarget } from './label-chain.js';

/** `(pixel × scale − mean[c]) / std[c]`, per channel in the model's channel order. */
export interface Normalisation {
  scale: number;
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/** The usual trainings' inputs, for RGB order (BGR models get mean and std reversed). */
export const NORMALISATION_PRESETS = {
  /** torchvision and most PyTorch ImageNet models. */
  imagenet: { scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  /** Keras `rescale=1/255`, NSFWJS, many TF models. */
  'zero-one': { scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] },
  /** MobileNet/Inception-style `x / 127.5 − 1`. */
  'minus-one-one': { scale: 1 / 127.5, mean: [1, 1, 1], std: [1, 1, 1] },
  /** Bytes as they are, 0–255 (models with their own normalisation inside). */
  'zero-255': { scale: 1, mean: [0, 0, 0], std: [1, 1, 1] },
} as const satisfies Record<string, Normalisation>;

const confidence = z.number().min(0, 'expected 0 to 100').max(100, 'expected 0 to 100');
const triple = z.tuple([z.number(), z.number(), z.number()]);
const side = z.number().int().min(1).max(4096);
const labelName = z
  .string()
  .trim()
  .min(1, 'expected a label name')
  .max(128, 'expected at most 128 characters');

const mapTargetSchema = z.union([
  labelName,
  z
    .object({
      /** A v7 label, or a label of your own. */
      label: labelName,
      /** For a label of your own: a v7 label, another of yours, or a new level-1 name. */
      parent: labelName.optional(),
      /** Below this confidence the label is not reported from this model. */
      minConfidence: confidence.optional(),
    })
    .strict(),
]);

export const customModelSchema = z
  .object({
    /** Names the model in ModerationModelVersion (`+custom:<name>@<sha256 prefix>`). */
    name: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9._-]{0,63}$/,
        'expected 1-64 lower-case letters, digits, dots, hyphens or underscores',
      ),
    /** The .onnx file, relative to the config file. */
    file: z.string().regex(/\.onnx$/i, 'expected a path to an .onnx file'),
    /** One class name per line, in the order of the model's output; relative to the config file. */
    labels: z.string().min(1, 'expected a path to a text file with one class name per line'),
    /** Width × height the model reads: one number for a square, or [width, height]. */
    inputSize: z.union([side, z.tuple([side, side])]),
    layout: z.enum(['nchw', 'nhwc']).default('nchw'),
    channels: z.enum(['rgb', 'bgr']).default('rgb'),
    /** How pixels become the model's input: a preset name, or scale, mean and std. */
    normalisation: z.union([
      z.enum(Object.keys(NORMALISATION_PRESETS) as [keyof typeof NORMALISATION_PRESETS]),
      z
        .object({
          scale: z
            .number()
            .positive()
            .default(1 / 255),
          mean: triple.default([0, 0, 0]),
          std: z
            .tuple([z.number().positive(), z.number().positive(), z.number().positive()])
            .default([1, 1, 1]),
        })
        .strict(),
    ]),
    /**
     * The model's output: `probabilities` (softmax inside), `logits` (Vigil applies the
     * softmax), `sigmoid` (independent logits; Vigil applies a sigmoid to each) or
     * `multilabel` (independent probabilities, sigmoid inside).
     */
    output: z.enum(['probabilities', 'logits', 'sigmoid', 'multilabel']),
    /** `raw`: 100 × probability; `calibrated`: the ImageNet model's rule (objects.ts). */
    confidence: z.enum(['raw', 'calibrated']).default('raw'),
    /** Class name → label. Classes left out are ignored. */
    map: z
      .record(z.string(), mapTargetSchema)
      .refine((map) => Object.keys(map).length > 0, 'expected at least one class to map'),
  })
  .strict();

export type CustomModelConfig = z.infer<typeof customModelSchema>;
export type MapEntry = z.infer<typeof mapTargetSchema>;
export type OutputKind = CustomModelConfig['output'];

export function mapTarget(entry: MapEntry): MapTarget & { minConfidence?: number } {
  return typeof entry === 'string' ? { label: entry } : entry;
}

/**
 * The labels of the user's own (not Rekognition v7) that the models report: every such map
 * target and every new parent named for one. `vigil eval` accepts them as folder names.
 *
 * @example ownLabelNames(models) // ['Company Logo', 'Brand']
 */
export function ownLabelNames(models: readonly CustomModelConfig[]): string[] {
  const { labels } = userLabels(
    models.flatMap((m) =>
      Object.values(m.map).map((entry) => ({ at: m.name, target: mapTarget(entry) })),
    ),
  );
  const names = new Set<string>();
  for (const [label, parent] of labels) {
    names.add(label);
    if (parent !== '' && !TAXONOMY_V7.has(parent)) names.add(parent);
  }
  return [...names];
}

const v7Suggestion = (name: string) =>
  [...TAXONOMY_V7.keys()].find((known) => known.toLowerCase() === name.toLowerCase());

/**
 * The whole `models` list: names unique, string targets v7 labels, user labels one tree
 * across every model. Each issue's path leads to the field at fault.
 */
export const customModelsSchema = z
  .array(customModelSchema)
  .default([])
  .superRefine((models, ctx) => {
    const names = new Set<string>();
    models.forEach((model, i) => {
      if (names.has(model.name))
        ctx.addIssue({
          code: 'custom',
          path: [i, 'name'],
          message: `'${model.name}' names another model too; names must be unique`,
        });
      names.add(model.name);
      for (const [cls, entry] of Object.entries(model.map))
        if (typeof entry === 'string' && !TAXONOMY_V7.has(entry)) {
          const close = v7Suggestion(entry);
          ctx.addIssue({
            code: 'custom',
            path: [i, 'map', cls],
            message: close
              ? `'${entry}' is not a Rekognition v7 label; did you mean '${close}'?`
              : `'${entry}' is not a Rekognition v7 label; for a label of your own write { "label": "${entry}", "parent": "…" }`,
          });
        }
    });
    const targets = models.flatMap((model, i) =>
      Object.entries(model.map).map(([cls, entry]) => ({
        at: [i, 'map', cls],
        target: mapTarget(entry),
      })),
    );
    for (const { at, message } of userLabels(targets).problems)
      ctx.addIssue({ code: 'custom', path: at, message });
  });
