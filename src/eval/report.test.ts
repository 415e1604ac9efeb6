import { describe, expect, it } from 'vitest';
import type { ModerationLabel } from '../moderation/index.js';
import { DEFAULT_POLICY } from '../pipeline/index.js';
import { withAncestors } from './labels.test-helper.js';
import { buildReport } from './report.js';
import { FITTED_NOTE, type EvalSet, type JudgedImage, type RunFacts } from './types.js';

const run: RunFacts = { modelVersion: 'test-1', concurrency: 2, modelReadyMs: 900, wallMs: 500 };
const settings = { threshold: 80, policy: DEFAULT_POLICY };

function judged(file: string, labels: ModerationLabel[], latencyMs = 10): JudgedImage {
  const folder = file.split('/')[0]!;
  const expected = { explicit: 'Explicit', weapons: 'Weapons', violence: 'Violence' }[folder];
  return { file, folder, expected: expected ?? 'clean', answer: { labels, latencyMs } };
}
const failed = (file: string): JudgedImage => ({
  ...judged(file, []),
  answer: { error: { code: 'InvalidImageFormatException', message: 'bad' } },
});

function setOf(images: JudgedImage[]): EvalSet {
  const folders = [...new Set(images.map((i) => i.folder))].map((folder) => ({
    folder,
    expected: images.find((i) => i.folder === folder)!.expected,
    images: images.filter((i) => i.folder === folder).map((i) => i.file),
  }));
  return { root: 'set', folders, skipped: [] };
}

describe('buildReport', () => {
  const images = [
    judged('explicit/a.jpg', withAncestors('Explicit Nudity', 98), 40),
    judged('explicit/b.jpg', withAncestors('Explicit Nudity', 70), 20),
    failed('explicit/c.jpg'),
    judged('clean/d.jpg', withAncestors('Explicit Nudity', 85), 30),
    judged('clean/e.jpg', withAncestors('Explicit Nudity', 10), 10),
    judged('clean/f.jpg', [], 50),
  ];
  const report = buildReport(setOf(images), images, run, settings);

  it('counts per category: failed apart, false positives from the other folders', () => {
    expect(report.categories).toEqual([
      {
        category: 'Explicit',
        folder: 'explicit',
        images: 3,
        failed: 1,
        truePositives: 1,
        falseNegatives: 1,
        falsePositives: 1,
        precision: 0.5,
        recall: 0.5,
        f1: 0.5,
        action: 'block',
        threshold: 80,
      },
    ]);
  });

  it('gives the clean folder’s false-positive rate over the images judged', () => {
    expect(report.clean).toEqual({
      folder: 'clean',
      images: 3,
      failed: 0,
      falsePositives: 1,
      falsePositiveRate: 1 / 3,
    });
  });

  it('tallies decisions and the confusion table, one cell per image', () => {
    expect(report.decisions).toEqual([
      { folder: 'explicit', blocked: 1, review: 0, clean: 1, failed: 1 },
      { folder: 'clean', blocked: 1, review: 0, clean: 2, failed: 0 },
    ]);
    expect(report.confusion).toEqual({
      columns: ['Explicit', 'none', 'failed'],
      rows: [
        { folder: 'explicit', expected: 'Explicit', counts: [1, 1, 1] },
        { folder: 'clean', expected: 'clean', counts: [1, 2, 0] },
      ],
    });
  });

  it('measures latency over judged images only, throughput over all', () => {
    expect(report.latency).toEqual({
      judged: 5,
      p50Ms: 30,
      p95Ms: 50,
      maxMs: 50,
      imagesPerSecond: 12,
      wallMs: 500,
      modelReadyMs: 900,
      concurrency: 2,
    });
  });

  it('fits a threshold between the weakest explicit image and the strongest clean one', () => {
    // Positives 98 and 70, negatives 85 and 10: 11–70 flags all but e (tp 2, fp 1: F1 0.8).
    expect(report.suggestedThresholds).toEqual({
      note: FITTED_NOTE,
      categories: [
        {
          category: 'Explicit',
          fit: { threshold: 40, from: 11, to: 70, precision: 2 / 3, recall: 1, f1: 0.8 },
        },
      ],
    });
  });

  it('marks each image right or wrong, failed ones neither', () => {
    expect(report.perImage.map((i) => [i.file, i.correct, i.decision])).toEqual([
      ['explicit/a.jpg', true, 'blocked'],
      ['explicit/b.jpg', false, 'clean'],
      ['explicit/c.jpg', null, 'failed'],
      ['clean/d.jpg', false, 'blocked'],
      ['clean/e.jpg', true, 'clean'],
      ['clean/f.jpg', true, 'clean'],
    ]);
  });
});

describe('buildReport with a folder below another', () => {
  const images = [
    judged('violence/a.jpg', withAncestors('Graphic Violence', 90)),
    judged('weapons/b.jpg', withAncestors('Weapons', 95)),
    judged('weapons/c.jpg', []),
  ];
  const report = buildReport(setOf(images), images, run, settings);

  it('counts a weapons image as violence, and a violence image as neither for weapons', () => {
    const rows = report.categories.map((c) => [
      c.category,
      c.images,
      c.truePositives,
      c.falseNegatives,
      c.falsePositives,
    ]);
    expect(rows).toEqual([
      ['Violence', 3, 2, 1, 0],
      ['Weapons', 2, 1, 1, 0],
    ]);
  });

  it('shows no clean row without a clean folder', () => {
    expect(report.clean).toBeNull();
    expect(report.confusion.columns).toEqual(['Violence', 'none', 'failed']);
  });
});
