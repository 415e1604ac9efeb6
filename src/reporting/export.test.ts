import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { trackingEntry } from './contract.js';
import { exportAudit, exportRecords } from './export.js';

const record = {
  ...trackingEntry({ key: 'a "quoted", key\nwith a newline.jpg' }),
  attempt: 2,
  review: { action: 'keep-blocked' as const, by: 'ann', at: Date.UTC(2026, 10, 24, 13) },
};
const audit = {
  id: 1,
  at: Date.UTC(2026, 10, 24, 12),
  actor: 'ann',
  action: 'review.approve',
  bucket: 'uploads',
  key: 'a.jpg',
  etag: 'e',
  reviewItemId: 3,
  note: 'fine, really',
  tagsBefore: [{ Key: 'BlockedContent', Value: 'true' }],
  tagsAfter: [{ Key: 'ModerationReview', Value: 'approved' }],
};

describe('exports', () => {
  it('writes records as CSV that reads back field for field', () => {
    const rows = parse<Record<string, string>>(exportRecords([record], 'csv'), { columns: true });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      key: record.key,
      decision: 'blocked',
      labels: JSON.stringify(record.labels),
      processing_end: new Date(record.processingEnd).toISOString(),
      attempt: '2',
      review_action: 'keep-blocked',
      reviewed_by: 'ann',
      reviewed_at: '2026-11-24T13:00:00.000Z',
    });
  });

  it('writes records as JSON with ISO times', () => {
    const [row] = JSON.parse(exportRecords([record], 'json')) as Record<string, unknown>[];
    expect(row).toMatchObject({
      key: record.key,
      processingStart: new Date(record.processingStart).toISOString(),
    });
  });

  it('writes the audit log as CSV and JSON', () => {
    const rows = parse<Record<string, string>>(exportAudit([audit], 'csv'), { columns: true });
    expect(rows[0]).toEqual({
      id: '1',
      at: '2026-11-24T12:00:00.000Z',
      actor: 'ann',
      action: 'review.approve',
      bucket: 'uploads',
      key: 'a.jpg',
      etag: 'e',
      review_item_id: '3',
      note: 'fine, really',
      tags_before: JSON.stringify(audit.tagsBefore),
      tags_after: JSON.stringify(audit.tagsAfter),
    });
    expect(JSON.parse(exportAudit([audit], 'json'))).toEqual([
      { ...audit, at: '2026-11-24T12:00:00.000Z' },
    ]);
    expect(exportAudit([], 'csv').trim().split('\n')).toHaveLength(1);
  });
});
