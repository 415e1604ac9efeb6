import { describe, expect, it } from 'vitest';
import type { ModerationLabel } from '../moderation/index.js';
import { withAncestors } from './labels.test-helper.js';
import { renderTable } from './render-table.js';
import { buildReport } from './report.js';
import type { EvalSet, JudgedImage } from './types.js';

const image = (file: string, expected: string, labels: ModerationLabel[]): JudgedImage => ({
  file,
  folder: file.split('/')[0]!,
  expected,
  answer: { labels, latencyMs: 61.6 },
});

describe('renderTable', () => {
  const images: JudgedImage[] = [
    image('weapons/a.jpg', 'Weapons', withAncestors('Weapons', 93)),
    image('weapons/b.jpg', 'Weapons', withAncestors('Weapons', 41)),
    image('clean/c.jpg', 'clean', withAncestors('Alcoholic Beverages', 88)),
    {
      ...image('clean/d.jpg', 'clean', []),
      answer: { error: { code: 'InvalidImageFormatException', message: 'm', detail: 'truncated' } },
    },
  ];
  const set: EvalSet = {
    root: 'photos',
    folders: [
      { folder: 'weapons', expected: 'Weapons', images: ['weapons/a.jpg', 'weapons/b.jpg'] },
      { folder: 'clean', expected: 'clean', images: ['clean/c.jpg', 'clean/d.jpg'] },
    ],
    skipped: [],
  };
  const settings = {
    threshold: 80,
    policy: {
      defaultAction: 'block' as const,
      rules: [{ label: 'Alcohol', action: 'allow' as const }],
    },
  };
  const report = buildReport(
    set,
    images,
    { modelVersion: 'm-1', concurrency: 2, modelReadyMs: 1234, wallMs: 100 },
    settings,
  );

  it('renders every section, each number where its header says', () => {
    expect(renderTable(report).split('\n')).toEqual([
      '4 images in 2 folders of photos; model m-1; threshold 80 (policy: block by default, 1 rule)',
      '',
      'CATEGORY  FOLDER   IMAGES  FAILED  TP  FN  FP  PRECISION  RECALL    F1  POLICY',
      'Weapons   weapons       2       0   1   1   0     100.0%   50.0%  0.67  block ≥ 80',
      '',
      'clean: 2 images, 1 failed; 1 of 1 flagged: false-positive rate 100.0%',
      '',
      'Decisions (what the pipeline would do):',
      'FOLDER   BLOCKED  REVIEW  CLEAN  FAILED',
      'weapons        1       0      1       0',
      'clean          0       0      1       1',
      '',
      'Confusion (level-1 category of the label that decided; none: no label at or above its threshold):',
      'FOLDER   Violence  Alcohol  none  failed',
      'weapons         1        0     1       0',
      'clean           0        1     0       1',
      '',
      'Latency per image: p50 62 ms, p95 62 ms, max 62 ms over 3 judged images; 40.0 images/s at concurrency 2 (model ready in 1.2 s, not counted)',
      '',
      'Suggested thresholds (best F1), fitted to this folder; check on images you did not tune on:',
      'CATEGORY  NOW  SUGGESTED  SAME F1 FOR  PRECISION  RECALL    F1',
      'Weapons    80         21  1–41            100.0%  100.0%  1.00',
      '',
      'Misjudged:',
      '  weapons/b.jpg: expected Weapons (at most 41.0%), got nothing',
      '  clean/c.jpg: expected nothing, got Alcohol 88.0%',
      '',
      'Failed (not judged):',
      '  clean/d.jpg: InvalidImageFormatException: truncated',
      '',
    ]);
  });
});
