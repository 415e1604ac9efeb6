/** Rows of the reporting tables and their mapping to the port's types. */
import type { ModerationLabel } from '../moderation/index.js';
import type {
  AuditEntry,
  Decision,
  ReviewAction,
  ReviewItem,
  ReviewStatus,
  TagPair,
  TrackingRecord,
} from './types.js';

export interface TrackingRow {
  bucket: string;
  key: string;
  write_id: string;
  etag: string;
  size: number | null;
  content_type: string | null;
  labels: string;
  decision: Decision;
  reason: string;
  model_version: string | null;
  event_time: string;
  processing_start: number;
  processing_end: number;
  attempt: number;
  review_action: ReviewAction | null;
  reviewed_by: string | null;
  reviewed_at: number | null;
}

export interface ReviewRow {
  id: number;
  bucket: string;
  key: string;
  write_id: string;
  etag: string;
  status: ReviewStatus;
  created_at: number;
  message_sent_at: number | null;
  send_claimed_at: number | null;
  send_failures: number;
  last_send_error: string | null;
  claimed_by: string | null;
  claim_expires_at: number | null;
  decided_by: string | null;
  decided_at: number | null;
  decision_action: ReviewAction | null;
  decision_note: string | null;
}

export interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  bucket: string | null;
  key: string | null;
  etag: string | null;
  review_item_id: number | null;
  note: string | null;
  tags_before: string | null;
  tags_after: string | null;
}

/** Columns of both tables in one row, as the unsent-items join selects them. */
export type JoinedRow = TrackingRow & { review_id: number } & Omit<ReviewRow, 'id'>;

export function toTrackingRecord(row: TrackingRow): TrackingRecord {
  return {
    bucket: row.bucket,
    key: row.key,
    writeId: row.write_id,
    etag: row.etag,
    size: row.size,
    contentType: row.content_type,
    labels: JSON.parse(row.labels) as ModerationLabel[],
    decision: row.decision,
    reason: row.reason,
    modelVersion: row.model_version,
    eventTime: row.event_time,
    processingStart: row.processing_start,
    processingEnd: row.processing_end,
    attempt: row.attempt,
    review:
      row.review_action === null
        ? null
        : { action: row.review_action, by: row.reviewed_by!, at: row.reviewed_at! },
  };
}

export function toReviewItem(row: ReviewRow): ReviewItem {
  return {
    id: row.id,
    bucket: row.bucket,
    key: row.key,
    writeId: row.write_id,
    etag: row.etag,
    status: row.status,
    createdAt: row.created_at,
    messageSentAt: row.message_sent_at,
    sendClaimedAt: row.send_claimed_at,
    sendFailures: row.send_failures,
    lastSendError: row.last_send_error,
    claimedBy: row.claimed_by,
    claimExpiresAt: row.claim_expires_at,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    decisionAction: row.decision_action,
    decisionNote: row.decision_note,
  };
}

export function toAuditEntry(row: AuditRow): AuditEntry {
  const tags = (text: string | null) => (text === null ? null : (JSON.parse(text) as TagPair[]));
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    bucket: row.bucket,
    key: row.key,
    etag: row.etag,
    reviewItemId: row.review_item_id,
    note: row.note,
    tagsBefore: tags(row.tags_before),
    tagsAfter: tags(row.tags_after),
  };
}
