/**
 * The evaluation report, from the moderator's answers: per-category precision and recall,
 * the clean folder's false alarms, the policy's decisions, the confusion table, latency and
 * thresholds fitted to the folder. Pure.
 */
import { isWithin, lineage } from './categories.js';
import { confusionTable, decisionRows } from './tallies.js';
import { categoryConfidence, imageVerdict } from './image-verdict.js';
import { fitThreshold, percentile, scores } from './metrics.js';
import {
  CLEAN,
  FITTED_NOTE,
  type CategoryRow,
  type CleanRow,
  type EvalReport,
  type EvalSet,
  type EvalSettings,
  type Expected,
  type ImageReport,
  type JudgedImage,
  type RunFacts,
} from './types.js';

/**
 * How an image of folder `expected` counts for `category`: expected to get it (its folder is
 * the category or lies below it), not expected to (clean, or unrelated), or neither — a
 * `violence` image may or may not show `weapons`, so it says nothing about that category.
 */
function relation(expected: Expected, category: string): 'positive' | 'negative' | 'unknown' {
  if (expected === CLEAN) return 'negative';
  if (isWithin(expected, category)) return 'positive';
  return isWithin(category, expected) ? 'unknown' : 'negative';
}

/** The action and threshold the policy applies to a category (its rule, or its ancestor's). */
function policyFor(category: string, settings: EvalSettings) {
  const rules = new Map(settings.policy.rules.map((r) => [r.label.toLowerCase(), r]));
  const rule = lineage(category)
    .map((name) => rules.get(name.toLowerCase()))
    .find((r) => r !== undefined);
  return {
    action: rule?.action ?? settings.policy.defaultAction,
    threshold: rule?.minConfidence ?? settings.threshold,
  };
}

function imageReport(image: JudgedImage, settings: EvalSettings): ImageReport {
  const base = { file: image.file, folder: image.folder, expected: image.expected };
  if ('error' in image.answer)
    return {
      ...base,
      correct: null,
      decision: 'failed',
      flagged: [],
      topCategory: null,
      labels: [],
      latencyMs: null,
      error: image.answer.error,
    };
  const { labels, latencyMs } = image.answer;
  const verdict = imageVerdict(labels, settings);
  const correct =
    image.expected === CLEAN
      ? verdict.flagged.length === 0
      : verdict.flagged.some((name) => name.toLowerCase() === image.expected.toLowerCase());
  return {
    ...base,
    correct,
    decision: verdict.decision,
    flagged: verdict.flagged,
    topCategory: verdict.top,
    labels,
    latencyMs,
  };
}

/**
 * Builds the report of one run.
 *
 * @example
 * const report = buildReport(set, images, { modelVersion, concurrency: 2, modelReadyMs, wallMs },
 *   { threshold: 80, policy: DEFAULT_POLICY });
 */
export function buildReport(
  set: EvalSet,
  judged: readonly JudgedImage[],
  run: RunFacts,
  settings: EvalSettings,
): EvalReport {
  const perImage = judged.map((image) => imageReport(image, settings));
  const isFlagged = (image: ImageReport, category: string) =>
    image.flagged.some((name) => name.toLowerCase() === category.toLowerCase());

  const categoryFolders = set.folders.filter((f) => f.expected !== CLEAN);
  const categories = categoryFolders.map(({ folder, expected: category }): CategoryRow => {
    const expected = perImage.filter((i) => relation(i.expected, category) === 'positive');
    const judgedExpected = expected.filter((i) => i.decision !== 'failed');
    const tp = judgedExpected.filter((i) => isFlagged(i, category)).length;
    const fp = perImage.filter(
      (i) => relation(i.expected, category) === 'negative' && isFlagged(i, category),
    ).length;
    const fn = judgedExpected.length - tp;
    return {
      category,
      folder,
      images: expected.length,
      failed: expected.length - judgedExpected.length,
      truePositives: tp,
      falseNegatives: fn,
      falsePositives: fp,
      ...scores(tp, fp, fn),
      ...policyFor(category, settings),
    };
  });

  const cleanFolder = set.folders.find((f) => f.expected === CLEAN);
  let clean: CleanRow | null = null;
  if (cleanFolder) {
    const images = perImage.filter((i) => i.expected === CLEAN);
    const judgedClean = images.filter((i) => i.decision !== 'failed');
    const falsePositives = judgedClean.filter((i) => i.flagged.length > 0).length;
    clean = {
      folder: cleanFolder.folder,
      images: images.length,
      failed: images.length - judgedClean.length,
      falsePositives,
      falsePositiveRate: judgedClean.length === 0 ? null : falsePositives / judgedClean.length,
    };
  }

  const latencies = perImage.flatMap((i) => (i.latencyMs === null ? [] : [i.latencyMs]));
  const suggested = categories.map(({ category }) => {
    const samples = perImage.flatMap((i) => {
      const rel = relation(i.expected, category);
      if (i.decision === 'failed' || rel === 'unknown') return [];
      return [{ confidence: categoryConfidence(i.labels, category), positive: rel === 'positive' }];
    });
    return { category, fit: fitThreshold(samples) };
  });

  return {
    root: set.root,
    modelVersion: run.modelVersion,
    threshold: settings.threshold,
    policy: settings.policy,
    images: perImage.length,
    categories,
    clean,
    decisions: decisionRows(set, perImage),
    confusion: confusionTable(set, perImage),
    latency: {
      judged: latencies.length,
      p50Ms: percentile(latencies, 50),
      p95Ms: percentile(latencies, 95),
      maxMs: percentile(latencies, 100),
      imagesPerSecond: run.wallMs > 0 ? (perImage.length * 1000) / run.wallMs : null,
      wallMs: run.wallMs,
      modelReadyMs: run.modelReadyMs,
      concurrency: run.concurrency,
    },
    suggestedThresholds: { note: FITTED_NOTE, categories: suggested },
    skipped: set.skipped,
    perImage,
  };
}
