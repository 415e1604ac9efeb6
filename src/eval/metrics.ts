/** The arithmetic of an evaluation: precision, recall, F1, percentiles, threshold fitting. Pure. */
import type { Scores, ThresholdFit } from './types.js';

/**
 * Precision, recall and F1 from counts; null where nothing was flagged (precision) or
 * nothing was expected (recall). F1 is `2·tp / (2·tp + fp + fn)`, defined whenever either is.
 *
 * @example scores(8, 2, 2) // { precision: 0.8, recall: 0.8, f1: 0.8 }
 */
export function scores(truePositives: number, falsePositives: number, falseNegatives: number) {
  const flagged = truePositives + falsePositives;
  const expected = truePositives + falseNegatives;
  const f1Denominator = 2 * truePositives + falsePositives + falseNegatives;
  return {
    precision: flagged === 0 ? null : truePositives / flagged,
    recall: expected === 0 ? null : truePositives / expected,
    f1: f1Denominator === 0 ? null : (2 * truePositives) / f1Denominator,
  } satisfies Scores;
}

/**
 * The nearest-rank percentile: the smallest value with at least `p`% of the values at or
 * below it — always one of the values measured, never an interpolation. Null when empty.
 *
 * @example percentile([10, 20, 30, 40], 50) // 20
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** One image's confidence for a category, and whether it was expected to get it. */
export interface Sample {
  confidence: number;
  positive: boolean;
}

/** The whole thresholds tried: a threshold of 0 flags everything, 100 almost nothing. */
export const FIT_RANGE = { from: 1, to: 99 } as const;

/**
 * The whole threshold in 1–99 that maximises F1 on these samples (flagged: confidence ≥
 * threshold). Usually a run of thresholds ties — nothing in the folder scored between them
 * — and the middle of the lowest such run is chosen: it leaves the most room either way.
 * Null when no positive sample reaches 1, so no threshold finds any.
 *
 * @example fitThreshold([{ confidence: 90, positive: true }, { confidence: 30, positive: false }])
 * // { threshold: 60, from: 31, to: 90, precision: 1, recall: 1, f1: 1 }
 */
export function fitThreshold(samples: readonly Sample[]): ThresholdFit | null {
  const at = (threshold: number) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const s of samples) {
      const flagged = s.confidence >= threshold;
      if (s.positive && flagged) tp++;
      else if (s.positive) fn++;
      else if (flagged) fp++;
    }
    return scores(tp, fp, fn);
  };
  let best: { from: number; to: number; f1: number } | undefined;
  for (let t = FIT_RANGE.from; t <= FIT_RANGE.to; t++) {
    const f1 = at(t).f1 ?? 0;
    if (best === undefined || f1 > best.f1) best = { from: t, to: t, f1 };
    else if (f1 === best.f1 && best.to === t - 1) best.to = t;
  }
  if (!best || best.f1 === 0) return null;
  const threshold = Math.floor((best.from + best.to) / 2);
  return { threshold, from: best.from, to: best.to, ...at(threshold) };
}
