import { describe, expect, it } from 'vitest';
import { FIRST_SEQUENCER, s3Record } from './fakes.test-helper.js';
import { moderateEvent, moderateRecord } from './moderate-image.js';
import { resolvePipelineSettings } from './settings.js';
import { BUCKET, EXPLICIT, MODEL, T0, ownerTags, useTestbed } from './testbed.test-helper.js';

const t = useTestbed();

describe('blocked images', () => {
  it('are tagged BlockedContent=true beside their own tags, reviewed and recorded', async () => {
    const tags = [
      { Key: 'owner', Value: 'ann' },
      { Key: 'project', Value: 'zoo' },
    ];
    const { etag, writeId, outcome } = await t.upload('content/images/x.jpg', 'explicit-1', {
      tags,
    });
    expect(outcome).toMatchObject({
      decision: 'blocked',
      redelivered: false,
      reviewMessageSent: true,
    });
    expect(t.objects.tagsOf(BUCKET, 'content/images/x.jpg')).toEqual([
      ...tags,
      { Key: 'BlockedContent', Value: 'true' },
    ]);
    expect(t.moderator.requests).toEqual([{ image: 'explicit-1', minConfidence: 80 }]);

    const record = await t.reports.findRecord({
      bucket: BUCKET,
      key: 'content/images/x.jpg',
      writeId,
    });
    expect(record).toEqual({
      bucket: BUCKET,
      key: 'content/images/x.jpg',
      writeId,
      etag,
      size: 10,
      contentType: 'image/jpeg',
      labels: EXPLICIT,
      decision: 'blocked',
      reason: 'Exposed Female Nipple 96.1 ≥ 80: block (default)',
      modelVersion: MODEL,
      eventTime: '2026-03-01T09:29:59.120Z',
      processingStart: T0 + 7,
      processingEnd: T0 + 14,
      attempt: 1,
      review: null,
    });
    const item = await t.reports.findReviewItem(record!);
    expect(item?.messageSentAt).toBe(T0 + 21);
    expect(t.reviewQueue.messages).toEqual([
      {
        version: 1,
        reviewItemId: item!.id,
        bucket: BUCKET,
        key: 'content/images/x.jpg',
        etag,
        size: 10,
        contentType: 'image/jpeg',
        decision: 'blocked',
        reason: record!.reason,
        labels: EXPLICIT,
        modelVersion: MODEL,
        eventTime: '2026-03-01T09:29:59.120Z',
      },
    ]);
  });

  it('get ScanStatus=blocked too with cleanTag', async () => {
    await t.upload('b.jpg', 'explicit', { settings: resolvePipelineSettings({ cleanTag: true }) });
    expect(t.objects.tagsOf(BUCKET, 'b.jpg')).toEqual([
      { Key: 'BlockedContent', Value: 'true' },
      { Key: 'ScanStatus', Value: 'blocked' },
    ]);
  });
});

describe('the policy', () => {
  const reviewSwimwear = resolvePipelineSettings({
    policy: { rules: [{ label: 'Swimwear or Underwear', action: 'review' }] },
  });

  it('sends review-only labels to review without a block tag', async () => {
    const { outcome } = await t.upload('s.jpg', 'swimwear', {
      tags: [{ Key: 'owner', Value: 'ann' }],
      settings: reviewSwimwear,
    });
    expect(outcome.decision).toBe('review');
    expect(t.objects.tagsOf(BUCKET, 's.jpg')).toEqual([{ Key: 'owner', Value: 'ann' }]);
    expect(t.objects.calls).not.toContain('putTags s.jpg');
    expect(t.reviewQueue.messages.map((m) => [m.decision, m.key, m.reason])).toEqual([
      [
        'review',
        's.jpg',
        'Female Swimwear or Underwear 88.0 ≥ 80: review (rule Swimwear or Underwear)',
      ],
    ]);
  });

  it('still blocks what it does not name', async () => {
    expect(
      (await t.upload('e.jpg', 'explicit', { settings: reviewSwimwear })).outcome.decision,
    ).toBe('blocked');
  });

  it('uses the configured MinConfidence', async () => {
    const strict = resolvePipelineSettings({ minConfidence: 90 });
    const { outcome } = await t.upload('s.jpg', 'swimwear', { settings: strict });
    expect(t.moderator.requests[0]?.minConfidence).toBe(90);
    expect(outcome.decision).toBe('clean');
  });
});

describe('clean images', () => {
  it('are recorded, untagged and not reviewed', async () => {
    const { writeId, outcome } = await t.upload('c.jpg', 'kitten', {
      tags: [{ Key: 'a', Value: 'b' }],
    });
    expect(outcome).toMatchObject({ decision: 'clean', reviewMessageSent: false });
    expect(t.objects.calls).not.toContain('putTags c.jpg');
    expect(t.reviewQueue.messages).toEqual([]);
    const record = await t.reports.findRecord({ bucket: BUCKET, key: 'c.jpg', writeId });
    expect(record).toMatchObject({ decision: 'clean', labels: [], modelVersion: MODEL });
    expect(await t.reports.findReviewItem(record!)).toBeUndefined();
  });

  it('get ScanStatus=clean, merged, with cleanTag', async () => {
    await t.upload('c.jpg', 'kitten', {
      tags: [{ Key: 'a', Value: 'b' }],
      settings: resolvePipelineSettings({ cleanTag: true }),
    });
    expect(t.objects.tagsOf(BUCKET, 'c.jpg')).toEqual([
      { Key: 'a', Value: 'b' },
      { Key: 'ScanStatus', Value: 'clean' },
    ]);
  });

  it("with cleanTag, an uploader's own ScanStatus=clean is overwritten by the verdict", async () => {
    await t.upload('s.jpg', 'swimwear', {
      tags: [{ Key: 'ScanStatus', Value: 'clean' }],
      settings: resolvePipelineSettings({
        cleanTag: true,
        policy: { rules: [{ label: 'Swimwear or Underwear', action: 'review' }] },
      }),
    });
    expect(t.objects.tagsOf(BUCKET, 's.jpg')).toEqual([{ Key: 'ScanStatus', Value: 'review' }]);
  });
});

describe('images that cannot be judged', () => {
  it('are tagged ScanStatus=failed, reviewed and recorded, never allowed', async () => {
    const { writeId, outcome } = await t.upload('bad.jpg', 'corrupt', {
      tags: [{ Key: 'a', Value: 'b' }],
    });
    expect(outcome.decision).toBe('failed');
    expect(t.objects.tagsOf(BUCKET, 'bad.jpg')).toEqual([
      { Key: 'a', Value: 'b' },
      { Key: 'ScanStatus', Value: 'failed' },
    ]);
    const record = await t.reports.findRecord({ bucket: BUCKET, key: 'bad.jpg', writeId });
    expect(record).toMatchObject({
      decision: 'failed',
      reason: 'InvalidImageFormatException: no JPEG, PNG, WebP or GIF header',
      labels: [],
      modelVersion: null,
    });
    expect(t.reviewQueue.messages.map((m) => [m.decision, m.key])).toEqual([['failed', 'bad.jpg']]);
  });

  it('include t.objects too large to read, which are not read', async () => {
    const small = resolvePipelineSettings({ maxImageBytes: 5 });
    const { outcome } = await t.upload('big.jpg', 'explicit-but-big', { settings: small });
    expect(outcome).toMatchObject({
      decision: 'failed',
      reason: 'ImageTooLargeException: 16 bytes, over the 5-byte limit',
    });
    expect(t.objects.calls).not.toContain('get big.jpg');
    expect(t.moderator.requests).toEqual([]);
    expect(t.reviewQueue.messages).toHaveLength(1);
  });

  it('are not confused with a t.moderator that is only busy: that fails the function', async () => {
    await expect(t.upload('t.jpg', 'throttle')).rejects.toMatchObject({
      code: 'ThrottlingException',
    });
    expect(t.objects.calls).not.toContain('putTags t.jpg');
    expect(await t.reports.unsentReviewItems()).toEqual([]);
    expect(t.reviewQueue.messages).toEqual([]);
  });
});

describe('objects that changed after the event', () => {
  it('are skipped and recorded when replaced (stale ETag)', async () => {
    const old = t.objects.put(BUCKET, 'x.jpg', 'explicit-old');
    t.objects.put(BUCKET, 'x.jpg', 'kitten-new');
    const outcome = await moderateRecord(s3Record(BUCKET, 'x.jpg', old), t.ports);
    expect(outcome).toMatchObject({ decision: 'skipped', etag: old });
    expect(outcome.reason).toMatch(
      /^stale: the object was replaced \(its ETag is now [0-9a-f]{32}\)$/,
    );
    expect(t.moderator.requests).toEqual([]);
    expect(t.objects.calls).not.toContain('putTags x.jpg');
    expect(t.reviewQueue.messages).toEqual([]);
    const writeId = FIRST_SEQUENCER;
    expect(await t.reports.findRecord({ bucket: BUCKET, key: 'x.jpg', writeId })).toMatchObject({
      decision: 'skipped',
      size: 10,
      contentType: null,
    });
  });

  it('are skipped and recorded when deleted', async () => {
    const etag = t.objects.put(BUCKET, 'gone.jpg', 'explicit');
    t.objects.delete(BUCKET, 'gone.jpg');
    const outcome = await moderateRecord(s3Record(BUCKET, 'gone.jpg', etag), t.ports);
    expect(outcome).toMatchObject({
      decision: 'skipped',
      reason: 'deleted: the object no longer exists',
    });
    const writeId = FIRST_SEQUENCER;
    expect(await t.reports.findRecord({ bucket: BUCKET, key: 'gone.jpg', writeId })).toMatchObject({
      decision: 'skipped',
    });
  });

  it('are skipped, with the verdict noted, when replaced just before tagging', async () => {
    const etag = t.objects.put(BUCKET, 'r.jpg', 'explicit');
    t.objects.afterGetTags = () => t.objects.put(BUCKET, 'r.jpg', 'kitten');
    const outcome = await moderateRecord(s3Record(BUCKET, 'r.jpg', etag), t.ports);
    expect(outcome.decision).toBe('skipped');
    expect(outcome.reason).toMatch(/before tagging \(judged blocked: Exposed Female Nipple/);
    expect(t.objects.tagsOf(BUCKET, 'r.jpg')).toEqual([]);
    expect(t.reviewQueue.messages).toEqual([]);
  });

  it('accept a quoted ETag in the event', async () => {
    const etag = t.objects.put(BUCKET, 'q.jpg', 'kitten');
    expect((await moderateRecord(s3Record(BUCKET, 'q.jpg', `"${etag}"`), t.ports)).decision).toBe(
      'clean',
    );
  });
});

describe('keys', () => {
  it('are decoded from the event (form-URL-encoded)', async () => {
    const etag = t.objects.put(BUCKET, 'a b+c.jpg', 'explicit');
    const outcome = await moderateRecord(s3Record(BUCKET, 'a+b%2Bc.jpg', etag), t.ports);
    expect(outcome).toMatchObject({ decision: 'blocked', key: 'a b+c.jpg' });
    expect(t.objects.tagsOf(BUCKET, 'a b+c.jpg')).toContainEqual({
      Key: 'BlockedContent',
      Value: 'true',
    });
  });

  it('with unicode and slashes survive the round trip', async () => {
    const { outcome } = await t.upload('content/images/ünï cödé/ø+1.jpg', 'explicit');
    expect(outcome).toMatchObject({ decision: 'blocked', key: 'content/images/ünï cödé/ø+1.jpg' });
  });
});

describe('the 10-tag limit', () => {
  it("gives up the owner's last tag for BlockedContent, and says so", async () => {
    const { outcome } = await t.upload('full.jpg', 'explicit', { tags: ownerTags(10) });
    expect(outcome.decision).toBe('blocked');
    expect(t.objects.tagsOf(BUCKET, 'full.jpg')).toEqual([
      ...ownerTags(9),
      { Key: 'BlockedContent', Value: 'true' },
    ]);
    expect(outcome.reason).toMatch(/; removed k9=v9 to make room \(S3 allows 10 tags\)$/);
    expect(t.reviewQueue.messages[0]?.reason).toBe(outcome.reason);
  });

  it("leaves ScanStatus out rather than remove an owner's tag", async () => {
    const { outcome } = await t.upload('full.jpg', 'corrupt', { tags: ownerTags(10) });
    expect(outcome.decision).toBe('failed');
    expect(t.objects.tagsOf(BUCKET, 'full.jpg')).toEqual(ownerTags(10));
    expect(outcome.reason).toMatch(/; not tagged ScanStatus=failed: 10 tags already$/);
    expect(t.reviewQueue.messages).toHaveLength(1);
  });
});

describe('events that are not uploads', () => {
  it('are ignored: tagging events (the pipeline’s own), deletions, test events', async () => {
    const etag = t.objects.put(BUCKET, 'x.jpg', 'explicit');
    for (const eventName of ['ObjectTagging:Put', 'ObjectRemoved:Delete'])
      expect(await moderateRecord(s3Record(BUCKET, 'x.jpg', etag, { eventName }), t.ports)).toEqual(
        {
          decision: 'ignored',
          reason: `${eventName} events are not moderated`,
        },
      );
    const testEvent = { Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: BUCKET };
    expect(await moderateEvent(testEvent, t.ports)).toEqual([]);
    expect(t.moderator.requests).toEqual([]);
    const key = { bucket: BUCKET, key: 'x.jpg', writeId: FIRST_SEQUENCER };
    expect(await t.reports.findRecord(key)).toBeUndefined();
  });

  it('are refused when malformed', async () => {
    await expect(
      moderateEvent({ Records: [{ eventName: 'ObjectCreated:Put' }] }, t.ports),
    ).rejects.toThrow(/Records\[0\] is not an S3 event record/);
  });
});

describe('moderateEvent', () => {
  it('processes every record, then fails with the one that failed', async () => {
    const a = t.objects.put(BUCKET, 'a.jpg', 'throttle');
    const b = t.objects.put(BUCKET, 'b.jpg', 'explicit');
    const event = { Records: [s3Record(BUCKET, 'a.jpg', a), s3Record(BUCKET, 'b.jpg', b)] };
    await expect(moderateEvent(event, t.ports)).rejects.toMatchObject({
      code: 'ThrottlingException',
    });
    expect(t.objects.tagsOf(BUCKET, 'b.jpg')).toEqual([{ Key: 'BlockedContent', Value: 'true' }]);
  });

  it('returns an outcome per record', async () => {
    const a = t.objects.put(BUCKET, 'a.jpg', 'kitten');
    const b = t.objects.put(BUCKET, 'b.jpg', 'explicit');
    const event = { Records: [s3Record(BUCKET, 'a.jpg', a), s3Record(BUCKET, 'b.jpg', b)] };
    expect((await moderateEvent(event, t.ports)).map((o) => o.decision)).toEqual([
      'clean',
      'blocked',
    ]);
  });
});
