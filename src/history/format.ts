/** Wording of timeline summaries: sizes, durations, times, tags, labels. Pure. */
import type { Tag } from '../storage/index.js';
import type { VerdictLabel } from './types.js';

const UNITS = ['KB', 'MB', 'GB', 'TB'];

/**
 * Bytes as the S3 console prints them (1 KB = 1024 B).
 *
 * @example formatBytes(1_258_291) // '1.2 MB'
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${UNITS[unit]}`;
}

/**
 * A duration in the largest unit that keeps it readable.
 *
 * @example formatDuration(43.2) // '43 ms'; formatDuration(90_000) // '1.5 min'
 */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${Math.round(abs)} ms`;
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(1)} s`;
  if (abs < 3600_000) return `${sign}${(abs / 60_000).toFixed(1)} min`;
  if (abs < 86_400_000) return `${sign}${(abs / 3600_000).toFixed(1)} h`;
  return `${sign}${(abs / 86_400_000).toFixed(1)} d`;
}

/** @example formatTime(0) // '1970-01-01T00:00:00.000Z' */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** @example formatTags([{ Key: 'a', Value: '1' }]) // 'a=1' */
export function formatTags(tags: readonly Tag[]): string {
  return tags.length === 0 ? 'none' : tags.map((t) => `${t.Key}=${t.Value}`).join(', ');
}

/**
 * The most confident labels, most specific first: a label whose child is also present is
 * left out (`Explicit Nudity` says more than its parent `Explicit` at the same confidence).
 *
 * @example formatLabels([{ Name: 'Explicit Nudity', ParentName: 'Explicit', TaxonomyLevel: 2, Confidence: 97.5 }, …])
 * // 'Explicit Nudity 97.5%'
 */
export function formatLabels(labels: readonly VerdictLabel[], most = 3): string {
  const parents = new Set(labels.map((l) => l.ParentName));
  const shown = labels
    .filter((l) => !parents.has(l.Name))
    .sort((a, b) => b.Confidence - a.Confidence || b.TaxonomyLevel - a.TaxonomyLevel)
    .slice(0, most);
  if (shown.length === 0) return 'no labels';
  return shown.map((l) => `${l.Name} ${l.Confidence.toFixed(1)}%`).join(', ');
}

/** `n thing` or `n things`. */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
