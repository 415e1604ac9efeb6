/**
 * The dashboard's numbers, computed from tracking records and decided review items: pure, so
 * every figure is checked against records a test makes. Periods are UTC hours or days.
 */
import type { ReviewItem, TimeRange, TrackingRecord } from './types.js';

/** DetectModerationLabels, first pricing tier (first 1 million images a month), us-east-1. */
export const REKOGNITION_PRICE_PER_IMAGE_USD = 0.001;

export type Granularity = 'hour' | 'day';

const DECISIONS = ['clean', 'blocked', 'review', 'failed', 'skipped'] as const;
type DecisionCounts = Record<(typeof DECISIONS)[number], number>;

export interface ReportInput {
  range: TimeRange;
  granularity: Granularity;
  records: readonly TrackingRecord[];
  /** Review items decided within the range. */
  decided: readonly ReviewItem[];
  /** Items pending now. */
  backlog: number;
  /** Price of a vCPU-hour, for the cost estimate. */
  vcpuHourUsd: number;
}

export interface Report {
  from: string;
  to: string;
  granularity: Granularity;
  periods: {
    start: string;
    processed: number;
    decisions: DecisionCounts;
    latencyP50: number | null;
    latencyP95: number | null;
    latencyP99: number | null;
  }[];
  totals: {
    processed: number;
    flagged: number;
    byTopLevelLabel: { label: string; count: number; share: number }[];
  };
  review: { backlog: number; decided: number; medianTimeToDecisionMs: number | null };
  cost: { rekognitionPerImageUsd: number; vigilPerImageUsd: number | null; basis: string };
}

/** Most periods a report may have (a year of hours), so a wide range cannot exhaust memory. */
export const MAX_PERIODS = 24 * 366;

/**
 * @example
 * computeReport({ range: { from, to }, granularity: 'hour', records, decided, backlog: 3,
 *   vcpuHourUsd: 0.036 }).totals.flagged
 * @throws RangeError when the range is empty or has more than MAX_PERIODS periods.
 */
export function computeReport(input: ReportInput): Report {
  const { range, granularity } = input;
  const step = granularity === 'hour' ? 3_600_000 : 86_400_000;
  const first = Math.floor(range.from / step) * step;
  const count = Math.ceil((range.to - first) / step);
  if (!(range.to > range.from)) throw new RangeError('The range is empty: from must be before to.');
  if (count > MAX_PERIODS)
    throw new RangeError(
      `The range has ${count} ${granularity}s; at most ${MAX_PERIODS} fit a report.`,
    );

  const buckets = Array.from({ length: count }, (_, i) => ({
    start: first + i * step,
    decisions: Object.fromEntries(DECISIONS.map((d) => [d, 0])) as DecisionCounts,
    latencies: [] as number[],
  }));
  const labelCounts = new Map<string, number>();
  let processed = 0;
  let flagged = 0;
  let processingMs = 0;
  for (const record of input.records) {
    if (record.processingEnd < range.from || record.processingEnd >= range.to) continue;
    const bucket = buckets[Math.floor((record.processingEnd - first) / step)]!;
    processed++;
    bucket.decisions[record.decision]++;
    if (record.decision === 'blocked' || record.decision === 'review') flagged++;
    const uploaded = Date.parse(record.eventTime);
    if (Number.isFinite(uploaded))
      bucket.latencies.push(Math.max(0, record.processingEnd - uploaded));
    processingMs += Math.max(0, record.processingEnd - record.processingStart);
    for (const label of new Set(
      record.labels.filter((l) => l.TaxonomyLevel === 1).map((l) => l.Name),
    ))
      labelCounts.set(label, (labelCounts.get(label) ?? 0) + 1);
  }

  const waits = input.decided
    .filter((i) => i.decidedAt !== null && i.decidedAt >= range.from && i.decidedAt < range.to)
    .map((i) => i.decidedAt! - i.createdAt);
  const vcpuSecondUsd = input.vcpuHourUsd / 3600;
  return {
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
    granularity,
    periods: buckets.map((b) => {
      const sorted = b.latencies.sort((x, y) => x - y);
      return {
        start: new Date(b.start).toISOString(),
        processed: sum(Object.values(b.decisions)),
        decisions: b.decisions,
        latencyP50: percentile(sorted, 50),
        latencyP95: percentile(sorted, 95),
        latencyP99: percentile(sorted, 99),
      };
    }),
    totals: {
      processed,
      flagged,
      byTopLevelLabel: [...labelCounts]
        .map(([label, n]) => ({ label, count: n, share: processed === 0 ? 0 : n / processed }))
        .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label)),
    },
    review: {
      backlog: input.backlog,
      decided: waits.length,
      medianTimeToDecisionMs: percentile(
        waits.sort((x, y) => x - y),
        50,
      ),
    },
    cost: {
      rekognitionPerImageUsd: REKOGNITION_PRICE_PER_IMAGE_USD,
      vigilPerImageUsd: processed === 0 ? null : (processingMs / 1000 / processed) * vcpuSecondUsd,
      basis:
        `Processing time per image (the pipeline's start to its verdict, wall clock: an upper ` +
        `bound on the CPU it used) × $${input.vcpuHourUsd}/vCPU-hour (reporting.vcpuHourUsd). Rekognition: ` +
        `$${REKOGNITION_PRICE_PER_IMAGE_USD} per image (DetectModerationLabels, first tier), ` +
        `before Lambda, S3 and SQS charges.`,
    },
  };
}

/** Nearest-rank percentile of sorted values; null for none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
