/**
 * A user model's class scores → moderation labels. Pure.
 *
 * Evidence for a label is the probability of every class mapped to it **or below it**: the
 * **sum** for a softmax output (`probabilities`, `logits` — the classes are exclusive, so a
 * sum is the probability that one of them is the answer, as objects.ts sums ImageNet's
 * classes), the **maximum** for `sigmoid` and `multilabel` (independent scores cannot be added). A parent
 * therefore never scores below its child. The evidence becomes a confidence by the model's
 * `confidence` rule: `raw` is 100 × evidence; `calibrated` is the bundled ImageNet model's
 * rule (`calibratedConfidence`: half the belief reads as 80). A class with a `minConfidence`
 * counts only when its own confidence reaches it.
 */
import { calibratedConfidence } from '../objects.js';
import type { TaxonomyNode } from '../taxonomy.js';
import type { ModerationLabel } from '../types.js';
import { chain, type UserLabels } from './label-chain.js';
import { mapTarget, type CustomModelConfig, type OutputKind } from './schema.js';

export type ConfidenceRule = CustomModelConfig['confidence'];

/** One mapped class: where it sits in the model's output and the labels it feeds. */
export interface MappedClass {
  index: number;
  name: string;
  /** Its label and every ancestor, deepest first. */
  chain: readonly TaxonomyNode[];
  minConfidence: number;
}

export interface ModelMapping {
  /** The model's `name`, for messages. */
  model: string;
  output: OutputKind;
  confidence: ConfidenceRule;
  classes: readonly MappedClass[];
}

/**
 * Resolves a model's `map` against its labels file's class names.
 *
 * @throws Error naming the model when the map names a class the labels file does not hold.
 */
export function modelMapping(
  config: Pick<CustomModelConfig, 'name' | 'output' | 'confidence' | 'map'>,
  classNames: readonly string[],
  user: UserLabels,
): ModelMapping {
  const classes: MappedClass[] = [];
  for (const [name, entry] of Object.entries(config.map)) {
    const indices = classNames.flatMap((known, index) => (known === name ? [index] : []));
    if (indices.length === 0)
      throw new Error(
        `moderation.models '${config.name}': map names class '${name}', which is not a line of its labels file (classes: ${preview(classNames)})`,
      );
    const target = mapTarget(entry);
    const nodes = chain(target.label, user);
    if (!nodes)
      throw new Error(`moderation.models '${config.name}': label '${target.label}' loops`);
    for (const index of indices)
      classes.push({ index, name, chain: nodes, minConfidence: target.minConfidence ?? 0 });
  }
  return { model: config.name, output: config.output, confidence: config.confidence, classes };
}

function preview(names: readonly string[]): string {
  const shown = names.slice(0, 8).map((n) => `'${n}'`);
  return names.length > 8 ? `${shown.join(', ')} and ${names.length - 8} more` : shown.join(', ');
}

/** Rekognition-scale confidence for a probability, by the model's rule. */
export function toConfidence(probability: number, rule: ConfidenceRule): number {
  const p = Math.min(1, Math.max(0, probability));
  return rule === 'calibrated' ? calibratedConfidence(p) : 100 * p;
}

/**
 * One frame's labels from one model, each with its ancestors.
 *
 * @example
 * customLabels(mapping, [0.97, 0.02, 0.01]).get('Weapons')
 * // { Name: 'Weapons', ParentName: 'Violence', TaxonomyLevel: 2, Confidence: 97 }
 */
export function customLabels(
  mapping: ModelMapping,
  probabilities: ArrayLike<number>,
): Map<string, ModerationLabel> {
  const combine =
    mapping.output === 'sigmoid' || mapping.output === 'multilabel'
      ? Math.max
      : (sum: number, p: number) => sum + p;
  const evidence = new Map<string, { node: TaxonomyNode; mass: number }>();
  for (const cls of mapping.classes) {
    const p = probabilities[cls.index] ?? 0;
    if (toConfidence(p, mapping.confidence) < cls.minConfidence) continue;
    for (const node of cls.chain) {
      const known = evidence.get(node.Name);
      evidence.set(node.Name, { node, mass: known ? combine(known.mass, p) : p });
    }
  }
  return new Map(
    [...evidence].map(([name, { node, mass }]) => [
      name,
      { ...node, Confidence: toConfidence(mass, mapping.confidence) },
    ]),
  );
}

/**
 * Every model's labels for one frame, merged at the higher confidence per label (each model
 * returns whole chains, so parents stay at or above their children).
 */
export function mergeLabels(
  maps: Iterable<ReadonlyMap<string, ModerationLabel>>,
): Map<string, ModerationLabel> {
  const merged = new Map<string, ModerationLabel>();
  for (const labels of maps)
    for (const [name, label] of labels)
      if (label.Confidence > (merged.get(name)?.Confidence ?? -1)) merged.set(name, label);
  return merged;
}
