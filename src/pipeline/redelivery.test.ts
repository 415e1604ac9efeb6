import { describe, expect, it } from 'vitest';
import { FIRST_SEQUENCER, s3Record } from './fakes.test-helper.js';
import { moderateRecord } from './moderate-image.js';
import {
  REVIEW_SEND_LEASE_MS,
  ReviewSendInProgressError,
  resendOwedReviews,
} from './review-delivery.js';
import { BUCKET, EXPLICIT, MODEL, T0, useTestbed } from './testbed.test-helper.js';

const t = useTestbed();

describe('redelivery', () => {
  it('of the same event writes one record and sends one review message', async () => {
    const etag = t.objects.put(BUCKET, 'x.jpg', 'explicit');
    const event = s3Record(BUCKET, 'x.jpg', etag);
    const first = await moderateRecord(event, t.ports);
    const second = await moderateRecord(event, t.ports);
    expect(first).toMatchObject({
      decision: 'blocked',
      redelivered: false,
      reviewMessageSent: true,
    });
    expect(second).toMatchObject({
      decision: 'blocked',
      redelivered: true,
      reviewMessageSent: false,
    });
    expect(t.reviewQueue.messages).toHaveLength(1);
    expect(t.moderator.requests).toHaveLength(1);
    expect(t.objects.calls.filter((c) => c.startsWith('putTags'))).toHaveLength(1);
    const record = await t.reports.findRecord({
      bucket: BUCKET,
      key: 'x.jpg',
      writeId: FIRST_SEQUENCER,
    });
    expect(record?.attempt).toBe(2);
    expect(record?.processingEnd).toBe(T0 + 14);
  });

  it('sends the review message a crashed delivery owed, once', async () => {
    const etag = t.objects.put(BUCKET, 'x.jpg', 'explicit');
    const event = s3Record(BUCKET, 'x.jpg', etag);
    t.reviewQueue.failures = 1;
    await expect(moderateRecord(event, t.ports)).rejects.toThrow(/ECONNREFUSED/);
    const owed = await t.reports.findReviewItem({
      bucket: BUCKET,
      key: 'x.jpg',
      writeId: FIRST_SEQUENCER,
    });
    expect(owed).toMatchObject({ messageSentAt: null, sendFailures: 1 });
    expect(owed?.lastSendError).toMatch(/ECONNREFUSED/);

    const retry = await moderateRecord(event, t.ports);
    expect(retry).toMatchObject({
      decision: 'blocked',
      redelivered: true,
      reviewMessageSent: true,
    });
    expect(await moderateRecord(event, t.ports)).toMatchObject({ reviewMessageSent: false });
    expect(t.reviewQueue.messages.map((m) => m.reviewItemId)).toEqual([owed!.id]);
    expect(t.moderator.requests).toHaveLength(1);
  });

  it('running beside the delivery that is sending does not send too, and is retried', async () => {
    const etag = t.objects.put(BUCKET, 'x.jpg', 'explicit');
    const event = s3Record(BUCKET, 'x.jpg', etag);
    const release = t.reviewQueue.hold();
    const first = moderateRecord(event, t.ports);
    while (t.reviewQueue.started === 0) await new Promise((resolve) => setImmediate(resolve));
    const overlap = await moderateRecord(event, t.ports).catch((e: unknown) => e);
    expect(overlap).toBeInstanceOf(ReviewSendInProgressError);
    expect(String(overlap)).toMatch(/being sent by another delivery since .*; retry later/);
    release();
    expect(await first).toMatchObject({ reviewMessageSent: true });
    expect(await moderateRecord(event, t.ports)).toMatchObject({ reviewMessageSent: false });
    expect(t.reviewQueue.messages).toHaveLength(1);
    expect(t.reviewQueue.started).toBe(1);
  });

  it('takes over the send of a delivery that crashed after recording, once its hold ran out', async () => {
    const etag = t.objects.put(BUCKET, 'x.jpg', 'explicit');
    const event = s3Record(BUCKET, 'x.jpg', etag);
    // The crashed delivery: tagged and recorded, never sent.
    const crashed = await t.reports.record({
      bucket: BUCKET,
      key: 'x.jpg',
      writeId: FIRST_SEQUENCER,
      etag,
      size: 8,
      contentType: 'image/jpeg',
      labels: EXPLICIT,
      decision: 'blocked',
      reason: 'judged before the crash',
      modelVersion: MODEL,
      eventTime: '2026-03-01T09:29:59.120Z',
      processingStart: t.time,
      processingEnd: t.time,
    });
    await expect(moderateRecord(event, t.ports)).rejects.toBeInstanceOf(ReviewSendInProgressError);
    t.time += REVIEW_SEND_LEASE_MS;
    expect(await moderateRecord(event, t.ports)).toMatchObject({
      decision: 'blocked',
      redelivered: true,
      reviewMessageSent: true,
    });
    expect(t.reviewQueue.messages).toMatchObject([
      { reviewItemId: crashed.reviewItem!.id, reason: 'judged before the crash' },
    ]);
    expect(t.moderator.requests).toEqual([]);
  });

  it('of an event for the next version of the key is processed anew', async () => {
    await t.upload('x.jpg', 'explicit');
    const { outcome } = await t.upload('x.jpg', 'kitten');
    expect(outcome).toMatchObject({ decision: 'clean', redelivered: false });
  });

  it('is told from a new write of the same bytes, which is judged and tagged again', async () => {
    // S3 replaces an object's tags with the new write's (here: none), so the block must be
    // put back: the same ETag is not the same write.
    const first = await t.upload('r.jpg', 'explicit');
    const second = await t.upload('r.jpg', 'explicit');
    expect(second.etag).toBe(first.etag);
    expect(second.writeId).not.toBe(first.writeId);
    expect(second.outcome).toMatchObject({
      decision: 'blocked',
      redelivered: false,
      reviewMessageSent: true,
    });
    expect(t.objects.tagsOf(BUCKET, 'r.jpg')).toEqual([{ Key: 'BlockedContent', Value: 'true' }]);
    expect(t.moderator.requests).toHaveLength(2);
    const items = await Promise.all(
      [first, second].map(({ writeId }) =>
        t.reports.findReviewItem({ bucket: BUCKET, key: 'r.jpg', writeId }),
      ),
    );
    expect(new Set(items.map((item) => item?.id)).size).toBe(2);
    expect(t.reviewQueue.messages).toHaveLength(2);
    expect((await t.reports.recordsFor(BUCKET, 'r.jpg')).map((r) => r.attempt)).toEqual([1, 1]);
  });

  it('leaves owed messages to a sweep, which skips those another delivery holds', async () => {
    t.reviewQueue.failures = 2;
    await expect(t.upload('a.jpg', 'explicit')).rejects.toThrow();
    await expect(t.upload('b.jpg', 'corrupt')).rejects.toThrow();
    const etag = t.objects.put(BUCKET, 'held.jpg', 'explicit');
    await t.reports.record({
      bucket: BUCKET,
      key: 'held.jpg',
      writeId: t.objects.sequencerOf(BUCKET, 'held.jpg')!,
      etag,
      size: 8,
      contentType: 'image/jpeg',
      labels: EXPLICIT,
      decision: 'blocked',
      reason: 'being sent right now',
      modelVersion: MODEL,
      eventTime: '2026-03-01T09:29:59.120Z',
      processingStart: t.time,
      processingEnd: t.time,
    });
    expect(await resendOwedReviews(t.ports)).toBe(2);
    expect(t.reviewQueue.messages.map((m) => [m.key, m.decision])).toEqual([
      ['a.jpg', 'blocked'],
      ['b.jpg', 'failed'],
    ]);
    expect(await resendOwedReviews(t.ports)).toBe(0);
    t.time += REVIEW_SEND_LEASE_MS;
    expect(await resendOwedReviews(t.ports)).toBe(1);
    expect(t.reviewQueue.messages.map((m) => m.key)).toEqual(['a.jpg', 'b.jpg', 'held.jpg']);
  });
});
