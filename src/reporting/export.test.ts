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

  describe('neutralise text cells a spreadsheet would run as a formula (OWASP CSV Injection)', () => {
    const actorCell = (actor: string) =>
      parse<Record<string, string>>(exportAudit([{ ...audit, actor }], 'csv'), {
        columns: true,
      })[0]!.actor;

    it.each([
      ['=HYPERLINK("http://evil","x")', `'=HYPERLINK("http://evil","x")`],
      ['+1+cmd|"/c calc"!A0', `'+1+cmd|"/c calc"!A0`],
      ['-2+3', "'-2+3"],
      ['-1', "'-1"],
      ['@SUM(1+1)', "'@SUM(1+1)"],
      ['\t=1+1', "'\t=1+1"],
      ['\r=1+1', "'\r=1+1"],
      ['\uFF1D1+1', "'\uFF1D1+1"],
      ['ann', 'ann'],
      ['a=1', 'a=1'],
      [' =1', ' =1'],
      ["'=1", "'=1"],
      ['', ''],
    ])('%j becomes %j', (actor, cell) => {
      expect(actorCell(actor)).toBe(cell);
    });

    it('in every export, leaving number cells numbers and JSON as it was', () => {
      const csv = exportAudit([{ ...audit, reviewItemId: -3, key: '-3' }], 'csv');
      expect(csv.split('\n')[1]).toContain(",'-3,e,-3,");
      const records = exportRecords([{ ...record, key: '@evil.jpg', size: -1 }], 'csv');
      expect(parse<Record<string, string>>(records, { columns: true })[0]).toMatchObject({
        key: "'@evil.jpg",
        size: '-1',
      });
      expect(JSON.parse(exportAudit([{ ...audit, actor: '=1' }], 'json'))).toMatchObject([
        { actor: '=1' },
      ]);
    });
  });
});
