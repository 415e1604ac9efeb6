/**
 * Classifier answers → the port's `ModerationResult`. Pure; anything malformed is refused
 * (an `InternalServerError` naming the problem) rather than read as "no labels", because an
 * answer nobody understood must never let an image through.
 */
import {
  ModerationError,
  type ContentType,
  type ContentTypeName,
  type ModerationLabel,
  type ModerationResult,
} from '../types.js';
import { ancestry } from './taxonomy-v7.js';

export interface AnswerContext {
  /** Who answered, for error messages: "Rekognition", "the classifier at http://…". */
  source: string;
  minConfidence: number;
  /** `ModerationModelVersion` when the answer does not carry one. */
  fallbackVersion: string;
}

const CONTENT_TYPES: readonly ContentTypeName[] = ['Animated', 'Illustrated'];

const malformed = (ctx: AnswerContext, detail: string) =>
  new ModerationError('InternalServerError', `${ctx.source} answered ${detail}`);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function confidence(ctx: AnswerContext, value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100)
    throw malformed(ctx, `${where} = ${JSON.stringify(value)}; expected a number from 0 to 100.`);
  return value;
}

function list(ctx: AnswerContext, body: Record<string, unknown>, field: string): unknown[] {
  const value = body[field] ?? [];
  if (!Array.isArray(value)) throw malformed(ctx, `${field} that is not a list.`);
  return value;
}

function version(ctx: AnswerContext, value: unknown, field: string): string {
  if (value === undefined) return ctx.fallbackVersion;
  if (typeof value !== 'string' || value === '')
    throw malformed(ctx, `${field} that is not a non-empty string.`);
  return value;
}

/**
 * Content types Vigil's port knows (`Animated`, `Illustrated`). Others are left out: they
 * describe the image's style and never decide whether it is blocked.
 */
function contentTypes(
  ctx: AnswerContext,
  entries: unknown[],
  keys: { name: string; confidence: string },
): ContentType[] {
  const types: ContentType[] = [];
  entries.forEach((entry, i) => {
    if (!isRecord(entry)) throw malformed(ctx, `a content type #${i} that is not an object.`);
    const name = entry[keys.name];
    const score = confidence(ctx, entry[keys.confidence], `content type #${i} ${keys.confidence}`);
    if (CONTENT_TYPES.includes(name as ContentTypeName))
      types.push({ Confidence: score, Name: name as ContentTypeName });
  });
  return types;
}

/**
 * A body in `DetectModerationLabels`' response shape, returned as it is apart from the
 * `MinConfidence` filter. `ParentName` and `TaxonomyLevel` may be left out for v7 labels;
 * they are then taken from the taxonomy.
 */
export function rekognitionAnswer(body: unknown, ctx: AnswerContext): ModerationResult {
  if (!isRecord(body)) throw malformed(ctx, 'a body that is not a JSON object.');
  const labels: ModerationLabel[] = list(ctx, body, 'ModerationLabels').map((entry, i) => {
    if (!isRecord(entry) || typeof entry['Name'] !== 'string' || entry['Name'] === '')
      throw malformed(ctx, `ModerationLabels[${i}] without a Name.`);
    const name = entry['Name'];
    const known = ancestry(name)?.[0];
    const parent = entry['ParentName'] ?? known?.ParentName;
    const level = entry['TaxonomyLevel'] ?? known?.TaxonomyLevel;
    if (typeof parent !== 'string' || !Number.isInteger(level) || (level as number) < 0)
      throw malformed(
        ctx,
        `ModerationLabels[${i}] "${name}" without a ParentName and TaxonomyLevel, and it is not a v7 taxonomy label.`,
      );
    return {
      Confidence: confidence(ctx, entry['Confidence'], `ModerationLabels[${i}].Confidence`),
      Name: name,
      ParentName: parent,
      TaxonomyLevel: level as number,
    };
  });
  return {
    ModerationLabels: labels.filter((l) => l.Confidence >= ctx.minConfidence),
    ModerationModelVersion: version(ctx, body['ModerationModelVersion'], 'ModerationModelVersion'),
    ContentTypes: contentTypes(ctx, list(ctx, body, 'ContentTypes'), {
      name: 'Name',
      confidence: 'Confidence',
    }),
  };
}

/**
 * A body in the simple shape `{ labels: [{ name, confidence }], modelVersion?, contentTypes? }`
 * (confidence 0–100). Each name, after `labelMap`, must be a v7 taxonomy label; it is returned
 * with its ancestors, each ancestor scoring the highest confidence among its descendants.
 * A name mapped to null is ignored.
 */
export function simpleAnswer(
  body: unknown,
  ctx: AnswerContext,
  labelMap: Readonly<Record<string, string | null>>,
): ModerationResult {
  if (!isRecord(body)) throw malformed(ctx, 'a body that is not a JSON object.');
  const labels = new Map<string, ModerationLabel>();
  list(ctx, body, 'labels').forEach((entry, i) => {
    if (!isRecord(entry) || typeof entry['name'] !== 'string')
      throw malformed(ctx, `labels[${i}] without a name.`);
    const name = entry['name'];
    const score = confidence(ctx, entry['confidence'], `labels[${i}].confidence`);
    const mapped = Object.hasOwn(labelMap, name) ? labelMap[name] : name;
    if (mapped === null || mapped === undefined) return;
    const chain = ancestry(mapped);
    if (!chain)
      throw malformed(
        ctx,
        `the label "${name}"${mapped === name ? '' : ` (mapped to "${mapped}")`}, which is not in Rekognition's v7 taxonomy; add it to labelMap with a taxonomy name, or null to ignore it.`,
      );
    for (const node of chain) {
      const current = labels.get(node.Name);
      if (!current || current.Confidence < score)
        labels.set(node.Name, { ...node, Confidence: score });
    }
  });
  return {
    ModerationLabels: [...labels.values()]
      .filter((l) => l.Confidence >= ctx.minConfidence)
      .sort((a, b) => b.Confidence - a.Confidence || b.TaxonomyLevel - a.TaxonomyLevel),
    ModerationModelVersion: version(ctx, body['modelVersion'], 'modelVersion'),
    ContentTypes: contentTypes(ctx, list(ctx, body, 'contentTypes'), {
      name: 'name',
      confidence: 'confidence',
    }),
  };
}
