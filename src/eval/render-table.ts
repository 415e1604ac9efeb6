/** The evaluation report as text for a terminal. Pure. */
import { DEFAULT_POLICY, type ModerationPolicy } from '../pipeline/index.js';
import { categoryConfidence } from './image-verdict.js';
import { percent, ratio, textColumns } from './text-columns.js';
import { CLEAN, type EvalReport, type ImageReport } from './types.js';

/** Past this many misjudged or failed images, the table says how many more --json lists. */
const LISTED = 20;

const ms = (value: number | null) => (value === null ? '-' : `${Math.round(value)} ms`);

function describePolicy(policy: ModerationPolicy): string {
  if (policy.defaultAction === DEFAULT_POLICY.defaultAction && policy.rules.length === 0)
    return 'block every label';
  const rules = policy.rules.length === 1 ? '1 rule' : `${policy.rules.length} rules`;
  return `${policy.defaultAction} by default, ${rules}`;
}

function categoryTable(report: EvalReport): string[] {
  const header = ['CATEGORY', 'FOLDER', 'IMAGES', 'FAILED', 'TP', 'FN', 'FP'];
  const rows = report.categories.map((c) => [
    c.category,
    c.folder,
    String(c.images),
    String(c.failed),
    String(c.truePositives),
    String(c.falseNegatives),
    String(c.falsePositives),
    percent(c.precision),
    percent(c.recall),
    ratio(c.f1),
    `${c.action} ≥ ${c.threshold}`,
  ]);
  const all = [...header, 'PRECISION', 'RECALL', 'F1', 'POLICY'];
  return textColumns(all, rows, [2, 3, 4, 5, 6, 7, 8, 9]);
}

function cleanLine(report: EvalReport): string[] {
  const c = report.clean;
  if (!c) return [`No ${CLEAN}/ folder: no false-positive rate.`];
  const judged = c.images - c.failed;
  return [
    `${c.folder}: ${c.images} images, ${c.failed} failed; ${c.falsePositives} of ${judged} ` +
      `flagged: false-positive rate ${percent(c.falsePositiveRate)}`,
  ];
}

function decisionTable(report: EvalReport): string[] {
  const rows = report.decisions.map((d) =>
    [d.folder, d.blocked, d.review, d.clean, d.failed].map(String),
  );
  return textColumns(['FOLDER', 'BLOCKED', 'REVIEW', 'CLEAN', 'FAILED'], rows, [1, 2, 3, 4]);
}

function confusion(report: EvalReport): string[] {
  const { columns, rows } = report.confusion;
  return textColumns(
    ['FOLDER', ...columns],
    rows.map((r) => [r.folder, ...r.counts.map(String)]),
    columns.map((_, i) => i + 1),
  );
}

function latencyLine(report: EvalReport): string {
  const l = report.latency;
  const rate = l.imagesPerSecond === null ? '-' : l.imagesPerSecond.toFixed(1);
  return (
    `p50 ${ms(l.p50Ms)}, p95 ${ms(l.p95Ms)}, max ${ms(l.maxMs)} over ${l.judged} judged images; ` +
    `${rate} images/s at concurrency ${l.concurrency} (model ready in ` +
    `${(l.modelReadyMs / 1000).toFixed(1)} s, not counted)`
  );
}

function suggestionTable(report: EvalReport): string[] {
  const now = new Map(report.categories.map((c) => [c.category, c.threshold]));
  const rows = report.suggestedThresholds.categories.map(({ category, fit }) =>
    fit
      ? [
          category,
          String(now.get(category)),
          String(fit.threshold),
          `${fit.from}–${fit.to}`,
          percent(fit.precision),
          percent(fit.recall),
          ratio(fit.f1),
        ]
      : [category, String(now.get(category)), '-', 'no image of it reached 1%'],
  );
  const header = ['CATEGORY', 'NOW', 'SUGGESTED', 'SAME F1 FOR', 'PRECISION', 'RECALL', 'F1'];
  return textColumns(header, rows, [1, 2, 4, 5, 6]);
}

function misjudgedLine(image: ImageReport): string {
  const decided = image.labels.find((l) => l.Name === image.topCategory);
  const got =
    image.topCategory === null
      ? 'nothing'
      : `${image.topCategory}${decided ? ` ${decided.Confidence.toFixed(1)}%` : ''}`;
  if (image.expected === CLEAN) return `  ${image.file}: expected nothing, got ${got}`;
  const best = categoryConfidence(image.labels, image.expected).toFixed(1);
  return `  ${image.file}: expected ${image.expected} (at most ${best}%), got ${got}`;
}

function listed(title: string, lines: string[]): string[] {
  if (lines.length === 0) return [];
  const more = lines.length - LISTED;
  return [
    '',
    title,
    ...lines.slice(0, LISTED),
    ...(more > 0 ? [`  … and ${more} more (--json lists every image)`] : []),
  ];
}

/**
 * @example process.stdout.write(renderTable(report))
 */
export function renderTable(report: EvalReport): string {
  const folders = report.decisions.length;
  const failed = report.perImage.filter((i) => i.error);
  const lines = [
    `${report.images} images in ${folders} folders of ${report.root}; model ` +
      `${report.modelVersion ?? '(no answer)'}; threshold ${report.threshold} ` +
      `(policy: ${describePolicy(report.policy)})`,
    '',
    ...categoryTable(report),
    '',
    ...cleanLine(report),
    '',
    'Decisions (what the pipeline would do):',
    ...decisionTable(report),
    '',
    'Confusion (level-1 category of the label that decided; none: no label at or above its threshold):',
    ...confusion(report),
    '',
    `Latency per image: ${latencyLine(report)}`,
    '',
    `Suggested thresholds (best F1), ${report.suggestedThresholds.note}:`,
    ...suggestionTable(report),
    ...listed('Misjudged:', report.perImage.filter((i) => i.correct === false).map(misjudgedLine)),
    ...listed(
      'Failed (not judged):',
      failed.map((i) => `  ${i.file}: ${i.error!.code}: ${i.error!.detail ?? i.error!.message}`),
    ),
  ];
  return lines.join('\n') + '\n';
}
