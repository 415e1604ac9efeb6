/**
 * The reporting contract: tracking records (one per object version the moderation pipeline
 * judged) and review items (objects a person must look at), behind one `ReportStore` port so
 * the embedded SQLite store and a PostgreSQL one are interchangeable.
 */
import type { ModerationLabel } from '../moderation/index.js';

/** What the pipeline decided about one object version. */
export type Decision = 'blocked' | 'review' | 'clean' | 'failed' | 'skipped';

/** The decisions that put an object in front of a reviewer. */
export type ReviewDecision = Extract<Decision, 'blocked' | 'review' | 'failed'>;

export const REVIEW_DECISIONS: readonly ReviewDecision[] = ['blocked', 'review', 'failed'];

/** Review states; the pipeline creates `pending` items, the console moves them on. */
export type ReviewStatus = 'pending' | 'approved' | 'rejected';

/** Identifies one object version: the upsert key of tracking records and review items. */
export interface RecordKey {
  bucket: string;
  key: string;
  /** The ETag without quotes, as S3 event records carry it. */
  etag: string;
}

/** A tracking record as the pipeline hands it in. */
export interface NewTrackingRecord extends RecordKey {
  /** Bytes; null when the object was never read (deleted before processing). */
  size: number | null;
  contentType: string | null;
  /** The labels the moderator returned, with confidences; empty when none or not moderated. */
  labels: ModerationLabel[];
  decision: Decision;
  /** Why, in words a reviewer can read: the labels and rules that decided, or the error. */
  reason: string;
  /** `ModerationModelVersion`; null when the moderator was not asked or failed. */
  modelVersion: string | null;
  /** The S3 event's `eventTime`, as sent (ISO 8601). */
  eventTime: string;
  /** Epoch milliseconds. */
  processingStart: number;
  processingEnd: number;
}

export interface TrackingRecord extends NewTrackingRecord {
  /**
   * Deliveries of this event that reached the store: 1 when the record is written, plus one
   * for every redelivery. Nothing else in a record changes after it is written.
   */
  attempt: number;
}

/**
 * A review item: one per object version whose decision is `blocked`, `review` or `failed`,
 * however often its event is delivered. What it is about (labels, reason) is its record's.
 */
export interface ReviewItem extends RecordKey {
  id: number;
  status: ReviewStatus;
  /** Epoch milliseconds. */
  createdAt: number;
  /** When its review-queue message was sent (epoch ms); null while the send is owed. */
  messageSentAt: number | null;
  /**
   * While the send is owed: when a delivery took it on (epoch ms) — the one that created the
   * item, at creation — or null when nobody holds it (after a failed send).
   */
  sendClaimedAt: number | null;
  /** Sends that failed so far, and the last one's error. */
  sendFailures: number;
  lastSendError: string | null;
}

/** What `record` and `redelivered` report. */
export interface Recorded {
  /** The stored record: the first delivery's, whatever this call carried. */
  record: TrackingRecord;
  /** True when this call wrote the record; false when it already existed. */
  created: boolean;
  /** The object version's review item, when its decision calls for one. */
  reviewItem: ReviewItem | undefined;
}

/** A review item whose message is owed, with the record it is about. */
export interface PendingReview {
  record: TrackingRecord;
  reviewItem: ReviewItem;
}

export interface ReportStore {
  /**
   * Writes a tracking record and, when its decision is `blocked`, `review` or `failed`, the
   * object version's review item (status `pending`, message owed, its send held by this
   * caller: `created` is true), in one transaction. When
   * a record for the same bucket, key and ETag exists, nothing of it changes except
   * `attempt`, which counts this delivery, and no second review item is made.
   *
   * @example
   * const { record, reviewItem } = await store.record(entry);
   * if (reviewItem && reviewItem.messageSentAt === null) {
   *   await queue.send(reviewMessage(record, reviewItem));
   *   await store.markReviewSent(reviewItem.id, Date.now());
   * }
   */
  record(entry: NewTrackingRecord): Promise<Recorded>;
  /**
   * Counts a redelivery of an event already recorded and returns what is stored, or
   * undefined (changing nothing) when the object version has no record yet.
   */
  redelivered(key: RecordKey): Promise<Recorded | undefined>;
  findRecord(key: RecordKey): Promise<TrackingRecord | undefined>;
  findReviewItem(key: RecordKey): Promise<ReviewItem | undefined>;
  /** Review items whose message is still owed, oldest first (default limit 100). */
  unsentReviewItems(limit?: number): Promise<PendingReview[]>;
  /**
   * Takes on sending an owed message: true when the message is owed and nobody holds the
   * send, or its holder took it on `leaseMs` or more before `now` (it presumably crashed).
   * The creator of an item holds it from the start, without claiming.
   */
  claimReviewSend(id: number, now: number, leaseMs: number): Promise<boolean>;
  /** Notes that the item's review-queue message was sent (idempotent: the first time stays). */
  markReviewSent(id: number, at: number): Promise<void>;
  /** Notes a failed send of the item's message and lets go of it, for anyone to retry. */
  markReviewSendFailed(id: number, error: string): Promise<void>;
  close(): Promise<void>;
}
