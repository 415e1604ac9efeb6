/**
 * The reporting contract: tracking records (one per object write the moderation pipeline
 * judged) and review items (objects a person must look at), behind one `ReportStore` port so
 * the embedded SQLite store and a PostgreSQL one are interchangeable.
 */
import type { ModerationLabel } from '../moderation/index.js';

/** What the pipeline decided about one write of an object. */
export type Decision = 'blocked' | 'review' | 'clean' | 'failed' | 'skipped';

/** The decisions that put an object in front of a reviewer. */
export type ReviewDecision = Extract<Decision, 'blocked' | 'review' | 'failed'>;

export const REVIEW_DECISIONS: readonly ReviewDecision[] = ['blocked', 'review', 'failed'];

/**
 * Review states; the pipeline creates `pending` items, a reviewer's decision moves them on:
 * `approve` → `approved`; `keep-blocked` and `delete` → `rejected`.
 */
export type ReviewStatus = 'pending' | 'approved' | 'rejected';

/** What a reviewer can decide about an item. */
export type ReviewAction = 'approve' | 'keep-blocked' | 'delete';

/** An object tag, as S3 has it. */
export interface TagPair {
  Key: string;
  Value: string;
}

/**
 * Identifies one write of an object: the upsert key of tracking records and review items. A
 * redelivered event names the same write; uploading the same bytes again is a new write with
 * the same ETag, judged (and recorded) in its own right.
 */
export interface RecordKey {
  bucket: string;
  key: string;
  /**
   * The write the S3 event was about: its `sequencer` (see `writeIdOf` in src/pipeline). Never
   * the ETag, which equal bytes share and an MD5 collision forges. Records written before
   * reporting migration 4 carry `etag:<ETag>`.
   */
  writeId: string;
}

/** A tracking record as the pipeline hands it in. */
export interface NewTrackingRecord extends RecordKey {
  /** The ETag without quotes, as S3 event records carry it. */
  etag: string;
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
  /**
   * The image's perceptual hash, to remember with the record (ADR 14): given for writes whose
   * verdict may be reused — blocked by the moderator, or going to a reviewer.
   */
  image?: RememberedImage;
  /**
   * False when the decision needs no review item although it is `blocked`: it was taken from
   * a remembered image a reviewer already ruled on. Default: a review item for `blocked`,
   * `review` and `failed`.
   */
  askReviewer?: boolean;
}

/** A perceptual hash of an image and the algorithm that made it (src/memory). */
export interface ImageFingerprint {
  /** 64 bits as 16 lower-case hex digits. */
  hash: string;
  /** Hashes are only compared with hashes of the same algorithm. */
  algorithm: string;
}

/** An image's fingerprint as remembered with its write's record. */
export interface RememberedImage extends ImageFingerprint {
  /**
   * The write whose verdict this one's was taken from, when memory decided it rather than the
   * moderator; null when the moderator judged it.
   */
  precedent: RecordKey | null;
}

/** What `recallImages` looks for. */
export interface ImageRecall extends ImageFingerprint {
  /** Bits the hashes may differ in, 0 to 16 (`MAX_RECALL_DISTANCE`). */
  maxDistance: number;
  /** Matches returned at most, nearest first (default 20). */
  limit?: number;
}

/** A remembered image near the one asked about, with the record whose verdict it carries. */
export interface RecalledImage {
  record: TrackingRecord;
  image: RememberedImage;
  /** Bits its hash differs from the query's in. */
  distance: number;
}

export interface TrackingRecord extends Omit<NewTrackingRecord, 'image' | 'askReviewer'> {
  /**
   * Deliveries of this event that reached the store: 1 when the record is written, plus one
   * for every redelivery. Nothing the pipeline wrote changes after it is written.
   */
  attempt: number;
  /** A reviewer's decision about this write, once made (see `decideReview`). */
  review: { action: ReviewAction; by: string; at: number } | null;
}

/**
 * A review item: one per object write whose decision is `blocked`, `review` or `failed`,
 * however often its event is delivered. What it is about (labels, reason) is its record's.
 */
export interface ReviewItem extends RecordKey {
  id: number;
  /** The ETag of the write, without quotes. */
  etag: string;
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
  /** The reviewer holding the item (a lease, like a queue's visibility timeout), or null. */
  claimedBy: string | null;
  /** Epoch ms the hold ends; a hold past it is void. */
  claimExpiresAt: number | null;
  /** The decision, once made: who, when (epoch ms), what, and the note given. */
  decidedBy: string | null;
  decidedAt: number | null;
  decisionAction: ReviewAction | null;
  decisionNote: string | null;
}

/** One entry of the append-only audit log. */
export interface AuditEntry {
  id: number;
  /** Epoch ms. */
  at: number;
  /** Who: a console user name, or `root`. */
  actor: string;
  /** e.g. `review.approve`, `review.keep-blocked`, `review.delete`, `review.reveal`, `dlq.redrive`. */
  action: string;
  bucket: string | null;
  key: string | null;
  etag: string | null;
  reviewItemId: number | null;
  note: string | null;
  /** The object's tags before and after the action, when it changed or read them. */
  tagsBefore: TagPair[] | null;
  tagsAfter: TagPair[] | null;
}

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

/** Epoch milliseconds, `from` included, `to` excluded. */
export interface TimeRange {
  from: number;
  to: number;
}

/** What `claimReview` got: the item held by the caller, or why not. */
export type ReviewClaim =
  | { claimed: true; item: ReviewItem }
  | { claimed: false; reason: 'held' | 'decided'; item: ReviewItem }
  | { claimed: false; reason: 'missing' };

/** A reviewer's decision as `decideReview` takes it. */
export interface ReviewerDecision {
  id: number;
  reviewer: string;
  action: ReviewAction;
  note: string | null;
  /** Epoch ms. */
  at: number;
  tagsBefore: TagPair[] | null;
  tagsAfter: TagPair[] | null;
}

/** What `decideReview` did: the decided item and its audit entry, or why nothing. */
export type ReviewDecided =
  | { decided: true; item: ReviewItem; audit: AuditEntry }
  | { decided: false; reason: 'held' | 'decided'; item: ReviewItem }
  | { decided: false; reason: 'missing' };

/** What `record` and `redelivered` report. */
export interface RecordOptions {
  /**
   * False: answer once committed, before the commit is on disk (SQLite; PostgreSQL's commits
   * are always durable). For a caller that keeps the entry durably itself until `flush()`
   * has made the record durable (the outcome journal in vigil.db, ADR 19). Default true.
   */
  durable?: boolean;
}

export interface Recorded {
  /** The stored record: the first delivery's, whatever this call carried. */
  record: TrackingRecord;
  /** True when this call wrote the record; false when it already existed. */
  created: boolean;
  /** The write's review item, when its decision calls for one. */
  reviewItem: ReviewItem | undefined;
}

/** A review item whose message is owed, with the record it is about. */
export interface PendingReview {
  record: TrackingRecord;
  reviewItem: ReviewItem;
}

export interface ReportStore {
  /**
   * Writes a tracking record, the image remembered with it (`image`), and, when its decision
   * is `blocked`, `review` or `failed` (and `askReviewer` is not false), the write's review
   * item (status `pending`, message owed, its send held by this
   * caller: `created` is true), in one transaction. When
   * a record for the same bucket, key and write exists, nothing of it changes except
   * `attempt`, which counts this delivery, and no second review item is made.
   *
   * @example
   * const { record, reviewItem } = await store.record(entry);
   * if (reviewItem && reviewItem.messageSentAt === null) {
   *   await queue.send(reviewMessage(record, reviewItem));
   *   await store.markReviewSent(reviewItem.id, Date.now());
   * }
   */
  record(entry: NewTrackingRecord, options?: RecordOptions): Promise<Recorded>;
  /**
   * Resolves once every write this store has answered is durable: for writes recorded with
   * `durable: false`. PostgreSQL's commits are durable when answered; SQLite's are fsynced.
   */
  flush(): Promise<void>;
  /**
   * Counts a redelivery of an event already recorded and returns what is stored, or
   * undefined (changing nothing) when the write has no record yet.
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

  // ---- image memory (ADR 14) -----------------------------------------------------------

  /**
   * Remembered images within `maxDistance` bits of the hash (same algorithm), nearest first,
   * ties newest first — only those that carry a verdict: blocked by the moderator (the
   * record's own decision, not one taken from memory) and not reviewed yet, or decided by a
   * reviewer (approve, keep-blocked, delete; noted on the record by `decideReview`, so a
   * decision changes what is recalled at once). Exact: every such image within the
   * distance is found, without reading every hash.
   *
   * @example
   * const [nearest] = await store.recallImages({ hash, algorithm, maxDistance: 10 });
   * if (nearest?.record.review?.action === 'keep-blocked') block();
   */
  recallImages(query: ImageRecall): Promise<RecalledImage[]>;
  /** The image remembered with a write's record, if one was. */
  findRememberedImage(key: RecordKey): Promise<RememberedImage | undefined>;

  // ---- review (the console) ------------------------------------------------------------

  /** Pending review items with their records, oldest first (default limit 100). */
  reviewQueue(limit?: number): Promise<PendingReview[]>;
  countPendingReviews(): Promise<number>;
  getReview(id: number): Promise<PendingReview | undefined>;
  /**
   * Holds a pending item for `reviewer` until `now + leaseMs`: granted when nobody holds it,
   * its hold ran out, or `reviewer` holds it already (which extends the hold).
   */
  claimReview(id: number, reviewer: string, now: number, leaseMs: number): Promise<ReviewClaim>;
  /** Lets go of the reviewer's own hold (nothing happens for anyone else's). */
  releaseReview(id: number, reviewer: string, now: number): Promise<void>;
  /**
   * Decides a pending item, notes the decision on its tracking record and appends its audit
   * entry (`review.<action>`), in one transaction: only when the item is pending and the
   * reviewer holds it or nobody does. The note on the record is also what the write's
   * remembered image stands for from then on (`recallImages`).
   */
  decideReview(decision: ReviewerDecision): Promise<ReviewDecided>;

  // ---- audit log -----------------------------------------------------------------------

  /** Appends an entry (the log is append-only: nothing updates or deletes one). */
  appendAudit(entry: NewAuditEntry): Promise<AuditEntry>;
  /** Entries in the range, oldest first (default limit 100,000). */
  auditLog(range: TimeRange, limit?: number): Promise<AuditEntry[]>;
  /** Every entry about one object key (all its versions), oldest first. */
  auditFor(bucket: string, key: string): Promise<AuditEntry[]>;

  // ---- reports -------------------------------------------------------------------------

  /** Records whose processing ended in the range, oldest first (default limit 100,000). */
  recordsBetween(range: TimeRange, limit?: number): Promise<TrackingRecord[]>;
  /** Every record of one object key (all its versions), oldest first. */
  recordsFor(bucket: string, key: string): Promise<TrackingRecord[]>;
  /** Review items decided in the range, oldest decision first. */
  decidedBetween(range: TimeRange): Promise<ReviewItem[]>;

  close(): Promise<void>;
}
