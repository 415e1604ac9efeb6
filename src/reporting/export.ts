/**
 * Tracking records and audit entries as CSV (RFC 4180, one header row, via csv-stringify) or
 * JSON (an array), for `vigil report` and the console's export links. Times are ISO 8601 UTC;
 * labels and tags are JSON inside their CSV cell. Every CSV goes through `table`, which
 * neutralises text cells a spreadsheet would run as a formula.
 */
import { stringify } from 'csv-stringify/sync';
import type { AuditEntry, TrackingRecord } from './types.js';

export type ExportFormat = 'csv' | 'json';

const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());

const RECORD_COLUMNS: [string, (r: TrackingRecord) => string | number | null][] = [
  ['bucket', (r) => r.bucket],
  ['key', (r) => r.key],
  ['write_id', (r) => r.writeId],
  ['etag', (r) => r.etag],
  ['size', (r) => r.size],
  ['content_type', (r) => r.contentType],
  ['decision', (r) => r.decision],
  ['reason', (r) => r.reason],
  ['labels', (r) => JSON.stringify(r.labels)],
  ['model_version', (r) => r.modelVersion],
  ['event_time', (r) => r.eventTime],
  ['processing_start', (r) => iso(r.processingStart)],
  ['processing_end', (r) => iso(r.processingEnd)],
  ['attempt', (r) => r.attempt],
  ['review_action', (r) => r.review?.action ?? null],
  ['reviewed_by', (r) => r.review?.by ?? null],
  ['reviewed_at', (r) => (r.review ? iso(r.review.at) : null)],
];

const AUDIT_COLUMNS: [string, (a: AuditEntry) => string | number | null][] = [
  ['id', (a) => a.id],
  ['at', (a) => iso(a.at)],
  ['actor', (a) => a.actor],
  ['action', (a) => a.action],
  ['bucket', (a) => a.bucket],
  ['key', (a) => a.key],
  ['etag', (a) => a.etag],
  ['review_item_id', (a) => a.reviewItemId],
  ['note', (a) => a.note],
  ['tags_before', (a) => (a.tagsBefore === null ? null : JSON.stringify(a.tagsBefore))],
  ['tags_after', (a) => (a.tagsAfter === null ? null : JSON.stringify(a.tagsAfter))],
];

export function exportRecords(records: readonly TrackingRecord[], format: ExportFormat): string {
  if (format === 'json')
    return `${JSON.stringify(
      records.map((r) => ({
        ...r,
        processingStart: iso(r.processingStart),
        processingEnd: iso(r.processingEnd),
        review: r.review && { ...r.review, at: iso(r.review.at) },
      })),
      null,
      2,
    )}\n`;
  return table(records, RECORD_COLUMNS);
}

export function exportAudit(entries: readonly AuditEntry[], format: ExportFormat): string {
  if (format === 'json')
    return `${JSON.stringify(
      entries.map((a) => ({ ...a, at: iso(a.at) })),
      null,
      2,
    )}\n`;
  return table(entries, AUDIT_COLUMNS);
}

function table<T>(rows: readonly T[], columns: [string, (row: T) => string | number | null][]) {
  return stringify(
    rows.map((row) => columns.map(([, get]) => get(row) ?? '')),
    {
      header: true,
      columns: columns.map(([name]) => name),
      record_delimiter: 'unix',
      // Cells come from anyone who can upload or try a login (keys, user names, notes), and
      // these files are opened in spreadsheets: a text cell starting with = + - @, a tab or a
      // carriage return (or their full-width forms) gets a leading ' so it stays text, as
      // OWASP's "CSV Injection" advises. Number cells are ours and stay numbers, -1 included.
      escape_formulas: true,
    },
  );
}
