/**
 * Sending owed review messages. A review item is recorded first (the intent), held by the
 * delivery that created it; that delivery sends the message, then marks the item sent. A
 * crash in between leaves the item owed: a later delivery of the event (or
 * `resendOwedReviews`) takes the send over once the creator's hold is older than
 * `REVIEW_SEND_LEASE_MS`, so two deliveries running at once do not both send.
 */
import type { Recorded, ReviewItem } from '../reporting/index.js';
import type { PipelinePorts } from './ports.js';
import { reviewMessage } from './review-message.js';

/** How long a delivery's hold on a review send lasts before another may take it over. */
export const REVIEW_SEND_LEASE_MS = 30_000;

/**
 * A review message is owed and another delivery is sending it right now. Thrown so the
 * function fails and the event is retried after the runtime's delay: by then the message is
 * sent, or its sender's hold has run out and the retry sends it.
 */
export class ReviewSendInProgressError extends Error {
  override readonly name = 'ReviewSendInProgressError';
  /**
   * When a retry can take the send over: once the other delivery's hold runs out. A worker
   * waits at least this long, so a sender that died does not use up the event's attempts.
   */
  readonly retryAfterMs: number;

  constructor(
    readonly item: ReviewItem,
    now = Date.now(),
  ) {
    super(
      `the review message of s3://${item.bucket}/${item.key} (ETag ${item.etag}) is being sent by another delivery since ${new Date(item.sendClaimedAt ?? 0).toISOString()}; retry later`,
    );
    this.retryAfterMs = Math.max(0, (item.sendClaimedAt ?? now) + REVIEW_SEND_LEASE_MS - now);
  }
}

type Ports = Pick<PipelinePorts, 'reviewQueue' | 'reports' | 'clock'>;

/**
 * Sends the review message of a recorded outcome if it is still owed: at once when this
 * delivery created the item, else after taking the send over.
 *
 * @returns whether this call sent a message.
 * @throws ReviewSendInProgressError when another delivery holds the send; the queue's error,
 *   after noting the failed send (and letting go of it).
 */
export async function sendOwedReview(recorded: Recorded, ports: Ports): Promise<boolean> {
  const { reviewItem } = recorded;
  if (!reviewItem || reviewItem.messageSentAt !== null) return false;
  if (!recorded.created && !(await claim(reviewItem, ports)))
    throw new ReviewSendInProgressError(reviewItem, ports.clock.now());
  await send(recorded, reviewItem, ports);
  return true;
}

/**
 * Sends every owed review message nobody is sending (for a periodic sweep: an event whose
 * retries ran out after recording its outcome leaves its message owed).
 *
 * @returns how many were sent; the first failure is thrown after the others were tried.
 */
export async function resendOwedReviews(ports: Ports, limit = 100): Promise<number> {
  let sent = 0;
  const failures: unknown[] = [];
  for (const { record, reviewItem } of await ports.reports.unsentReviewItems(limit)) {
    try {
      if (!(await claim(reviewItem, ports))) continue;
      await send({ record, reviewItem, created: false }, reviewItem, ports);
      sent++;
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0)
    throw new AggregateError(failures, `${failures.length} review message(s) still owed`);
  return sent;
}

function claim(item: ReviewItem, ports: Ports): Promise<boolean> {
  return ports.reports.claimReviewSend(item.id, ports.clock.now(), REVIEW_SEND_LEASE_MS);
}

async function send(recorded: Recorded, item: ReviewItem, ports: Ports): Promise<void> {
  try {
    await ports.reviewQueue.send(reviewMessage(recorded.record, item));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    try {
      await ports.reports.markReviewSendFailed(item.id, detail);
    } catch (bookkeeping) {
      throw new AggregateError([error, bookkeeping], `review message not sent: ${detail}`);
    }
    throw error;
  }
  await ports.reports.markReviewSent(item.id, ports.clock.now());
}
