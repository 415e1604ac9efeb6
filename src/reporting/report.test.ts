import { describe, expect, it } from 'vitest';
import { trackingEntry } from './contract.js';
import { computeReport, percentile } from './report.js';
import type { ReviewItem, TrackingRecord } from './types.js';

const H = 3_600_000;
const DAY0 = Date.UTC(2026, 10, 20);

function record(at: number, overrides: Partial<TrackingRecord> = {}): TrackingRecord {
  return {
    ...trackingEntry({
      key: `k${at}`,
      eventTime: new Date(at - 40).toISOString(),
      processingStart: at - 30,
      processingEnd: at,
      decision: 'clean',
      labels: [],
    }),
    attempt: 1,
    review: null,
    ...overrides,
  };
}

const explicit = [
  { Confidence: 97, Name: 'Explicit', ParentName: '', TaxonomyLevel: 1 },
  { Confidence: 97, Name: 'Explicit Nudity', ParentName: 'Explicit', TaxonomyLevel: 2 },
];
const suggestive = [
  {
    Confidence: 88,
    Name: 'Non-Explicit Nudity of Intimate parts and Kissing',
    ParentName: '',
    TaxonomyLevel: 1,
  },
];

function decidedItem(createdAt: number, decidedAt: number): ReviewItem {
  return {
    id: createdAt,
    bucket: 'uploads',
    key: 'k',
    writeId: String(createdAt),
    etag: 'e',
    status: 'approved',
    createdAt,
    messageSentAt: createdAt,
    sendClaimedAt: null,
    sendFailures: 0,
    lastSendError: null,
    claimedBy: null,
    claimExpiresAt: null,
    decidedBy: 'ann',
    decidedAt,
    decisionAction: 'approve',
    decisionNote: null,
  };
}

describe('computeReport', () => {
  const records = [
    record(DAY0 + 10 * 60_000),
    record(DAY0 + 20 * 60_000, {
      decision: 'blocked',
      labels: explicit,
      eventTime: new Date(DAY0 + 20 * 60_000 - 100).toISOString(),
    }),
    record(DAY0 + H + 5, { decision: 'review', labels: suggestive }),
    record(DAY0 + H + 6, { decision: 'failed', processingStart: DAY0 + H + 6 - 1000 }),
    record(DAY0 + 3 * H, { decision: 'blocked', labels: explicit }),
    // Outside the range: ignored.
    record(DAY0 + 5 * H),
  ];
  const report = computeReport({
    range: { from: DAY0, to: DAY0 + 4 * H },
    granularity: 'hour',
    records,
    decided: [
      decidedItem(DAY0, DAY0 + 60_000),
      decidedItem(DAY0, DAY0 + 180_000),
      decidedItem(DAY0, DAY0 + 120_000),
    ],
    backlog: 4,
    vcpuHourUsd: 0.036,
  });

  it('has one period per hour, empty ones included, with counts by decision', () => {
    expect(report.periods.map((p) => [p.start, p.processed])).toEqual([
      [new Date(DAY0).toISOString(), 2],
      [new Date(DAY0 + H).toISOString(), 2],
      [new Date(DAY0 + 2 * H).toISOString(), 0],
      [new Date(DAY0 + 3 * H).toISOString(), 1],
    ]);
    expect(report.periods[1]?.decisions).toEqual({
      clean: 0,
      blocked: 0,
      review: 1,
      failed: 1,
      skipped: 0,
    });
  });

  it('gives upload-to-verdict latency percentiles per period, none for an empty one', () => {
    expect(report.periods[0]).toMatchObject({ latencyP50: 40, latencyP95: 100, latencyP99: 100 });
    expect(report.periods[2]).toMatchObject({ latencyP50: null, latencyP99: null });
  });

  it('counts flagged records and the share of each top-level label', () => {
    expect(report.totals).toEqual({
      processed: 5,
      flagged: 3,
      byTopLevelLabel: [
        { label: 'Explicit', count: 2, share: 0.4 },
        { label: 'Non-Explicit Nudity of Intimate parts and Kissing', count: 1, share: 0.2 },
      ],
    });
  });

  it('reports the backlog and the median time to decision', () => {
    expect(report.review).toEqual({ backlog: 4, decided: 3, medianTimeToDecisionMs: 120_000 });
  });

  it('estimates the cost per image from processing time and the vCPU price', () => {
    // (30 + 30 + 30 + 1000 + 30) ms over 5 images = 0.224 s × $0.036/3600 per s.
    expect(report.cost.vigilPerImageUsd).toBeCloseTo((1.12 / 5) * (0.036 / 3600), 12);
    expect(report.cost.rekognitionPerImageUsd).toBe(0.001);
    expect(report.cost.basis).toContain('$0.036/vCPU-hour');
  });

  it('counts days in UTC and refuses an empty or too wide range', () => {
    const daily = computeReport({
      range: { from: DAY0, to: DAY0 + 2 * 24 * H },
      granularity: 'day',
      records,
      decided: [],
      backlog: 0,
      vcpuHourUsd: 0.036,
    });
    expect(daily.periods.map((p) => p.processed)).toEqual([6, 0]);
    expect(daily.cost.vigilPerImageUsd).not.toBeNull();
    const none = {
      granularity: 'hour' as const,
      records: [],
      decided: [],
      backlog: 0,
      vcpuHourUsd: 1,
    };
    expect(() => computeReport({ ...none, range: { from: DAY0, to: DAY0 } })).toThrow('empty');
    expect(() => computeReport({ ...none, range: { from: 0, to: DAY0 } })).toThrow('at most');
    expect(
      computeReport({ ...none, range: { from: DAY0, to: DAY0 + H } }).cost.vigilPerImageUsd,
    ).toBeNull();
  });
});

describe('percentile', () => {
  it.each([
    [[], 50, null],
    [[5], 99, 5],
    [[1, 2, 3, 4], 50, 2],
    [[1, 2, 3, 4], 75, 3],
    [[1, 2, 3, 4], 100, 4],
  ])('%j p%d = %s', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });
});
