/** The message the pipeline sends to the human review queue. */
import type { ModerationLabel } from '../moderation/index.js';
import type { ReviewDecision, ReviewItem, TrackingRecord } from '../reporting/index.js';

/**
 * One object version for a person to look at, as the review queue's message body (JSON).
 * Built only from stored state, so a message resent after a crash is the same message.
 * Consumers may see one twice (queues deliver at least once): `reviewItemId` identifies it.
 */
export interface ReviewMessage {
  version: 1;
  reviewItemId: number;
  bucket: string;
  key: string;
  etag: string;
  size: number | null;
  contentType: string | null;
  decision: ReviewDecision;
  reason: string;
  labels: ModerationLabel[];
  modelVersion: string | null;
  /** The S3 event's `eventTime`. */
  eventTime: string;
}

export function reviewMessage(record: TrackingRecord, item: ReviewItem): ReviewMessage {
  return {
    version: 1,
    reviewItemId: item.id,
    bucket: record.bucket,
    key: record.key,
    etag: record.etag,
    size: record.size,
    contentType: record.contentType,
    decision: record.decision as ReviewDecision,
    reason: record.reason,
    labels: record.labels,
    modelVersion: record.modelVersion,
    eventTime: record.eventTime,
  };
}
