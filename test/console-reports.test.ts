/**
 * The dashboard's numbers through the console API, checked against tracking records and
 * decisions this test writes itself (no pipeline: the seed scenario is off).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportResponse } from '../src/console/api-types.js';
import { reportsDatabasePath, SqliteReportStore } from '../src/reporting/index.js';
import { trackingEntry } from '../src/reporting/contract.js';
import { ConsoleClient } from './support/console.js';
import { startTestVigil, type TestVigil } from './support/vigil.js';

const H = 3_600_000;
const DAY = Date.UTC(2026, 9, 5); // a day no other test writes
const explicit = [
  { Confidence: 97, Name: 'Explicit', ParentName: '', TaxonomyLevel: 1 },
  { Confidence: 97, Name: 'Explicit Nudity', ParentName: 'Explicit', TaxonomyLevel: 2 },
];
const swimwear = [
  { Confidence: 91, Name: 'Swimwear or Underwear', ParentName: '', TaxonomyLevel: 1 },
];

let t: TestVigil;
let root: ConsoleClient;

beforeAll(async () => {
  t = await startTestVigil({ config: { seed: false, reporting: { vcpuHourUsd: 0.072 } } });
  const store = SqliteReportStore.open(reportsDatabasePath(t.dataDir));
  const at = (ms: number, key: string, extra: Parameters<typeof trackingEntry>[0] = {}) =>
    store.record(
      trackingEntry({
        key,
        eventTime: new Date(ms - 50).toISOString(),
        processingStart: ms - 20,
        processingEnd: ms,
        decision: 'clean',
        labels: [],
        ...extra,
      }),
    );
  await at(DAY + 0.5 * H, 'a.jpg');
  await at(DAY + 0.6 * H, 'b.jpg', { decision: 'blocked', labels: explicit });
  await at(DAY + 2.5 * H, 'c.jpg', { decision: 'review', labels: swimwear });
  const flagged = await at(DAY + 2.6 * H, 'd.jpg', { decision: 'blocked', labels: explicit });
  await at(DAY + 2.7 * H, 'e.jpg', { decision: 'failed', processingStart: DAY + 2.7 * H - 220 });
  await store.decideReview({
    id: flagged.reviewItem!.id,
    reviewer: 'ann',
    action: 'keep-blocked',
    note: null,
    at: DAY + 3 * H,
    tagsBefore: null,
    tagsAfter: null,
  });
  await store.close();
  root = new ConsoleClient(t.url);
  expect((await root.login(t.accessKeyId, t.secretAccessKey)).status).toBe(200);
});

afterAll(async () => {
  await t?.stop();
});

describe('console reports', () => {
  it('counts what was recorded, per hour, by decision and label, with latency and cost', async () => {
    const from = new Date(DAY).toISOString();
    const to = new Date(DAY + 4 * H).toISOString();
    const report = await root.json<ReportResponse>(
      `reports?from=${from}&to=${to}&granularity=hour`,
    );
    expect(report.periods.map((p) => p.processed)).toEqual([2, 0, 3, 0]);
    expect(report.periods[2]?.decisions).toEqual({
      clean: 0,
      blocked: 1,
      review: 1,
      failed: 1,
      skipped: 0,
    });
    expect(report.periods[0]).toMatchObject({ latencyP50: 50, latencyP99: 50 });
    expect(report.totals).toEqual({
      processed: 5,
      flagged: 3,
      byTopLevelLabel: [
        { label: 'Explicit', count: 2, share: 0.4 },
        { label: 'Swimwear or Underwear', count: 1, share: 0.2 },
      ],
    });
    // Items c, e (pending) and d (decided after 0.4 h).
    expect(report.review).toEqual({ backlog: 3, decided: 1, medianTimeToDecisionMs: 0.4 * H });
    // (4 × 20 ms + 220 ms) / 5 images = 0.06 s × $0.072 / 3600 s.
    expect(report.cost.vigilPerImageUsd).toBeCloseTo((0.06 * 0.072) / 3600, 12);

    const daily = await root.json<ReportResponse>(`reports?from=${from}&to=${to}&granularity=day`);
    expect(daily.periods).toHaveLength(1);
    expect(daily.periods[0]?.processed).toBe(5);
  });

  it('exports the records of the range, with the decision written onto the record', async () => {
    const from = new Date(DAY).toISOString();
    const to = new Date(DAY + 4 * H).toISOString();
    const records = (await (
      await root.get(`export/records?from=${from}&to=${to}&format=json`)
    ).json()) as { key: string; review: { action: string; by: string } | null }[];
    expect(records.map((r) => r.key)).toEqual(['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg', 'e.jpg']);
    expect(records[3]?.review).toMatchObject({ action: 'keep-blocked', by: 'ann' });
  });
});
