/**
 * The moderator's decisions, carried out: Approve, Keep blocked, Delete. Order matters for
 * crash safety: the object changes first (tags, or deletion), then the decision and its
 * audit entry are stored in one transaction, then the review message is withdrawn from the
 * queue. A crash before the store leaves the item pending (deciding again is harmless:
 * the tags are already right); the message goes only once the decision is stored.
 */
import type { Logger } from 'pino';
import { BLOCKED_TAG, SCAN_STATUS_TAG, mergeTags } from '../pipeline/tags.js';
import type {
  PendingReview,
  ReportStore,
  ReviewAction,
  ReviewItem,
  TagPair,
} from '../reporting/index.js';
import type {
  ReviewClaimResponse,
  ReviewDecisionResponse,
  ReviewQueueItem,
  ReviewQueueResponse,
} from './api-types.js';
import { ConsoleError } from './errors.js';
import type { Reviewer, ReviewObjects } from './review-objects.js';

export type { Reviewer } from './review-objects.js';

/** The tag a decision leaves on the object, for apps and for the next reviewer. */
export const REVIEW_TAG = 'ModerationReview';

export interface ReviewDeskOptions {
  reports: ReportStore;
  /** Where the objects under review are: Vigil's own store, or another S3 store. */
  objects: ReviewObjects;
  /** Removes the review-queue messages of a decided item. */
  withdrawMessages(reviewItemId: number): Promise<number>;
  leaseMs: number;
  now?: () => number;
  logger: Logger;
}

export class ReviewDesk {
  private readonly now: () => number;

  constructor(private readonly options: ReviewDeskOptions) {
    this.now = options.now ?? Date.now;
  }

  async list(limit = 50): Promise<ReviewQueueResponse> {
    const [queue, pending] = await Promise.all([
      this.options.reports.reviewQueue(limit),
      this.options.reports.countPendingReviews(),
    ]);
    const now = this.now();
    return { items: queue.map((q) => queueItem(q, now)), pending };
  }

  async claim(id: number, reviewer: Reviewer): Promise<ReviewClaimResponse> {
    const claim = await this.options.reports.claimReview(
      id,
      reviewer.name,
      this.now(),
      this.options.leaseMs,
    );
    if (!claim.claimed)
      throw conflict(claim.reason, claim.reason === 'missing' ? undefined : claim.item);
    const review = await this.options.reports.getReview(id);
    if (!review) throw conflict('missing');
    return { item: queueItem(review, this.now()), claimExpiresAt: claim.item.claimExpiresAt! };
  }

  async release(id: number, reviewer: Reviewer): Promise<void> {
    await this.options.reports.releaseReview(id, reviewer.name, this.now());
  }

  async decide(
    id: number,
    reviewer: Reviewer,
    action: ReviewAction,
    note: string | null,
  ): Promise<ReviewDecisionResponse> {
    const { reports, objects, logger } = this.options;
    const review = await reports.getReview(id);
    if (!review) throw conflict('missing');
    const item = review.reviewItem;
    if (item.status !== 'pending') throw conflict('decided', item);
    if (
      item.claimedBy !== null &&
      item.claimedBy !== reviewer.name &&
      item.claimExpiresAt! > this.now()
    )
      throw conflict('held', item);

    // Another write (or none) may be there now, even of the same bytes: it is judged on its
    // own; leave it alone.
    const tagsBefore = (await objects.currentTags(item)) ?? null;
    let tagsAfter: TagPair[] | null = null;
    if (tagsBefore) {
      if (action === 'delete') {
        await objects.delete(item, reviewer);
      } else {
        tagsAfter = decidedTags({ tags: tagsBefore }, action);
        if (!sameTags(tagsBefore, tagsAfter)) await objects.putTags(item, tagsAfter, reviewer);
      }
    }
    const decided = await reports.decideReview({
      id,
      reviewer: reviewer.name,
      action,
      note,
      at: this.now(),
      tagsBefore,
      tagsAfter,
    });
    if (!decided.decided)
      throw conflict(decided.reason, decided.reason === 'missing' ? undefined : decided.item);
    try {
      await this.options.withdrawMessages(id);
    } catch (error) {
      // The decision stands; a consumer of the queue may still see the message.
      logger.warn({ err: error, reviewItemId: id }, 'could not withdraw a decided review message');
    }
    return {
      id,
      status: action === 'approve' ? 'approved' : action === 'delete' ? 'deleted' : 'rejected',
      decidedBy: reviewer.name,
      decidedAt: decided.item.decidedAt!,
      tagsBefore,
      tagsAfter,
    };
  }
}

/**
 * The tags after a decision: Approve removes the block and any scan status but `clean` (the
 * image is fine to serve) and notes the review; Keep blocked makes sure the block tag is there.
 * Owner tags stay (the block tag wins a place in a full set, as the pipeline's does).
 */
export function decidedTags(
  object: { tags: readonly TagPair[] },
  action: 'approve' | 'keep-blocked',
): TagPair[] {
  if (action === 'approve') {
    // The pipeline's verdict tags go (a ScanStatus of blocked, review or failed would
    // contradict the decision); only a clean scan status stays.
    const kept = object.tags.filter(
      (t) => t.Key !== BLOCKED_TAG && !(t.Key === SCAN_STATUS_TAG && t.Value !== 'clean'),
    );
    return mergeTags(kept, [{ Key: REVIEW_TAG, Value: 'approved', required: false }]).tags;
  }
  return mergeTags(object.tags, [
    { Key: BLOCKED_TAG, Value: 'true', required: true },
    { Key: REVIEW_TAG, Value: 'blocked', required: false },
  ]).tags;
}

function sameTags(a: readonly TagPair[], b: readonly TagPair[]): boolean {
  return a.length === b.length && a.every((t, i) => t.Key === b[i]?.Key && t.Value === b[i]?.Value);
}

function queueItem({ record, reviewItem }: PendingReview, now: number): ReviewQueueItem {
  const held = reviewItem.claimExpiresAt !== null && reviewItem.claimExpiresAt > now;
  return {
    id: reviewItem.id,
    bucket: record.bucket,
    key: record.key,
    etag: record.etag,
    size: record.size,
    contentType: record.contentType,
    decision: record.decision as ReviewQueueItem['decision'],
    reason: record.reason,
    labels: record.labels,
    modelVersion: record.modelVersion,
    uploadedAt: record.eventTime,
    createdAt: reviewItem.createdAt,
    claimedBy: held ? reviewItem.claimedBy : null,
    claimExpiresAt: held ? reviewItem.claimExpiresAt : null,
    thumbnail: `review/${reviewItem.id}/thumbnail`,
  };
}

function conflict(reason: 'held' | 'decided' | 'missing', item?: ReviewItem): ConsoleError {
  switch (reason) {
    case 'missing':
      return new ConsoleError(404, 'NotFound', 'No such review item.');
    case 'decided':
      return new ConsoleError(
        409,
        'Conflict',
        `Already decided by ${item?.decidedBy ?? 'someone'} (${item?.decisionAction ?? item?.status}).`,
      );
    case 'held':
      return new ConsoleError(
        409,
        'Conflict',
        `Being reviewed by ${item?.claimedBy ?? 'someone else'}.`,
        {},
        { claimedBy: item?.claimedBy ?? null, claimExpiresAt: item?.claimExpiresAt ?? null },
      );
  }
}
