/**
 * Both local models' evidence for an image, as one `DetectModerationLabels` answer. Pure.
 *
 * NSFWJS speaks to nudity; the ImageNet classifier (objects.ts) to weapons, drugs, alcohol,
 * gambling and swimwear. Their labels are merged, label by label, at the higher confidence,
 * with one exception where they overlap: NSFWJS's `Sexy` class holds swimwear and underwear
 * as well as partial nudity. When the ImageNet model sees swimwear or underwear with
 * confidence c (0–100), that share c/100 of the Sexy mass is reported as `Swimwear or
 * Underwear` and only the rest as `Non-Explicit Nudity`; with no such evidence the Sexy mass
 * stays nudity, the stricter reading.
 */
import { objectLabels, type ObjectMasses } from './objects.js';
import {
  CONTENT_TYPE_MIN_CONFIDENCE,
  frameContentTypes,
  frameLabels,
  type ClassScores,
} from './taxonomy.js';
import type { ContentType, ModerationLabel, ModerationResult } from './types.js';

/** What the models said about one frame: NSFWJS always, the ImageNet model when it ran. */
export interface FrameEvidence {
  nsfw: ClassScores;
  objects?: ObjectMasses;
  /** The labels of the user's own models (moderation.models, see custom/mapping.ts). */
  custom?: ReadonlyMap<string, ModerationLabel>;
}

function mergeInto(
  labels: Map<string, ModerationLabel>,
  more: ReadonlyMap<string, ModerationLabel>,
) {
  for (const [name, label] of more)
    if (label.Confidence > (labels.get(name)?.Confidence ?? -1)) labels.set(name, label);
}

const SWIMWEAR = 'Swimwear or Underwear';
const SWIMWEAR_KINDS = ['Female Swimwear or Underwear', 'Male Swimwear or Underwear'];
const NUDITY_FROM_SEXY = [
  'Non-Explicit Nudity',
  'Non-Explicit Nudity of Intimate parts and Kissing',
];

/**
 * One frame's labels from every model (see the module comment for the swimwear rule); the
 * user's models' labels join at the higher confidence, label by label.
 */
export function evidenceLabels(frame: FrameEvidence): Map<string, ModerationLabel> {
  const labels = bundledLabels(frame);
  if (frame.custom) mergeInto(labels, frame.custom);
  return labels;
}

function bundledLabels(frame: FrameEvidence): Map<string, ModerationLabel> {
  const labels = frameLabels(frame.nsfw);
  if (!frame.objects) return labels;
  const objects = objectLabels(frame.objects);
  const swimwear = objects.get(SWIMWEAR)?.Confidence ?? 0;
  if (swimwear > 0) {
    const share = swimwear / 100;
    for (const name of NUDITY_FROM_SEXY) {
      const label = labels.get(name);
      if (label) label.Confidence *= 1 - share;
    }
    const fromSexy = frame.nsfw.Sexy * 100 * share;
    const kind = SWIMWEAR_KINDS.map((name) => objects.get(name)).reduce((a, b) =>
      (b?.Confidence ?? 0) > (a?.Confidence ?? 0) ? b : a,
    );
    for (const label of [objects.get(SWIMWEAR), kind])
      if (label) label.Confidence = Math.max(label.Confidence, fromSexy);
  }
  mergeInto(labels, objects);
  return labels;
}

/**
 * The `DetectModerationLabels` answer for one image, given what the models said about each
 * frame that was classified (one for a still image). The worst frame decides, label by
 * label: each label carries its highest confidence over the frames.
 *
 * @example
 * moderationResult([{ nsfw: classScores([0, 0.02, 0.01, 0.95, 0.02]) }], 50, version)
 * // ModerationLabels: Explicit Nudity 97 (level 2, parent Explicit), Explicit 97 (level 1)
 */
export function moderationResult(
  frames: readonly FrameEvidence[],
  minConfidence: number,
  modelVersion: string,
): ModerationResult {
  const labels = new Map<string, ModerationLabel>();
  const types = new Map<ContentType['Name'], number>();
  for (const frame of frames) {
    mergeInto(labels, evidenceLabels(frame));
    for (const [type, confidence] of frameContentTypes(frame.nsfw))
      types.set(type, Math.max(confidence, types.get(type) ?? 0));
  }
  return {
    ModerationLabels: [...labels.values()]
      .filter((l) => l.Confidence >= minConfidence)
      .sort((a, b) => b.Confidence - a.Confidence || b.TaxonomyLevel - a.TaxonomyLevel),
    ModerationModelVersion: modelVersion,
    ContentTypes: [...types]
      .filter(([, confidence]) => confidence >= CONTENT_TYPE_MIN_CONFIDENCE)
      .map(([Name, Confidence]) => ({ Confidence, Name }))
      .sort((a, b) => b.Confidence - a.Confidence),
  };
}
