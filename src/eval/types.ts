/**
 * The contract of `vigil eval`: a folder of images sorted by what they are expected to get,
 * what the moderator answered for each, and the report built from those answers.
 */
import type { ModerationLabel } from '../moderation/index.js';
import type { LabelAction, ModerationPolicy, PolicyVerdict } from '../pipeline/index.js';

/** The folder name (any case) whose images must get no label at or above the threshold. */
export const CLEAN = 'clean';

/** What a folder's images are expected to get: a v7 category name (level 1 or 2), or `clean`. */
export type Expected = string;

export interface EvalFolder {
  /** The subfolder's own name, as on disk. */
  folder: string;
  expected: Expected;
  /** Image paths relative to the evaluated root, sorted. */
  images: string[];
}

export interface EvalSet {
  root: string;
  /** Category folders by name, then `clean`. */
  folders: EvalFolder[];
  /** Files that are not images (by extension), relative to the root. */
  skipped: string[];
}

export interface ImageFailure {
  /** Rekognition's code, or the system's (ENOENT, EACCES, …) when the file could not be read. */
  code: string;
  message: string;
  detail?: string;
}

/** One image as the moderator saw it (asked with MinConfidence 0, so every label is there). */
export interface JudgedImage {
  file: string;
  folder: string;
  expected: Expected;
  answer: { labels: ModerationLabel[]; latencyMs: number } | { error: ImageFailure };
}

export interface EvalSettings {
  /** The policy's default threshold: `pipeline.minConfidence` or `--min-confidence`. */
  threshold: number;
  policy: ModerationPolicy;
}

export interface RunFacts {
  modelVersion: string | null;
  concurrency: number;
  /** From the first request to the moderator's first answer (model load), not timed below. */
  modelReadyMs: number;
  /** From the first timed request to the last answer. */
  wallMs: number;
}

/** Precision, recall and F1; null where the denominator is zero. */
export interface Scores {
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export interface CategoryRow extends Scores {
  category: string;
  folder: string;
  /** Images expected to get this category: its folder's, and those of folders below it. */
  images: number;
  failed: number;
  truePositives: number;
  falseNegatives: number;
  /** Images of other folders (clean included) flagged with this category. */
  falsePositives: number;
  /** What the policy does with this category, and from what confidence. */
  action: LabelAction;
  threshold: number;
}

export interface CleanRow {
  folder: string;
  images: number;
  failed: number;
  falsePositives: number;
  falsePositiveRate: number | null;
}

export interface DecisionRow {
  folder: string;
  blocked: number;
  review: number;
  clean: number;
  failed: number;
}

export interface ConfusionTable {
  /** Level-1 categories, then `none` and `failed`. */
  columns: string[];
  rows: { folder: string; expected: Expected; counts: number[] }[];
}

export interface Latency {
  /** Images the moderator answered; failed ones are left out of the percentiles. */
  judged: number;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
  /** Every image, failed ones included, over the wall-clock time of the run. */
  imagesPerSecond: number | null;
  wallMs: number;
  modelReadyMs: number;
  concurrency: number;
}

export interface ThresholdFit extends Scores {
  /** The middle of `from`–`to`: the most margin either way. */
  threshold: number;
  /** Every whole threshold in `from`–`to` gives this folder the same, best, F1. */
  from: number;
  to: number;
}

export interface SuggestedThreshold {
  category: string;
  /** Null when no image of the category reached confidence 1. */
  fit: ThresholdFit | null;
}

export interface ImageReport {
  file: string;
  folder: string;
  expected: Expected;
  /** Whether the image got what its folder says (for `clean`: nothing flagged). */
  correct: boolean | null;
  decision: PolicyVerdict['decision'] | 'failed';
  /** Every category (any level) with a label at or above its threshold in or below it. */
  flagged: string[];
  /** The level-1 category of the label that decided; null when none reached its threshold. */
  topCategory: string | null;
  labels: ModerationLabel[];
  latencyMs: number | null;
  error?: ImageFailure;
}

export const FITTED_NOTE = 'fitted to this folder; check on images you did not tune on';

export interface EvalReport {
  root: string;
  modelVersion: string | null;
  threshold: number;
  policy: ModerationPolicy;
  images: number;
  categories: CategoryRow[];
  clean: CleanRow | null;
  decisions: DecisionRow[];
  confusion: ConfusionTable;
  latency: Latency;
  suggestedThresholds: { note: typeof FITTED_NOTE; categories: SuggestedThreshold[] };
  skipped: string[];
  perImage: ImageReport[];
}
