/**
 * The contract every `ReportStore` passes: run `reportStoreContract(() => openStore())` in
 * an implementation's test file. Each test gets a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCleared } from './cleared.js';
import type { Decision, NewTrackingRecord, ReportStore } from './types.js';

const T0 = Date.UTC(2026, 2, 1, 9, 30, 0);

/** A complete tracking record; fields given override the defaults. */
export function trackingEntry(overrides: Partial<NewTrackingRecord> = {}): NewTrackingRecord {
  return {
    bucket: 'uploads',
    key: 'content/images/cat.jpg',
    etag: '0cc175b9c0f1b6a831c399e269772661',
    size: 1234,
    contentType: 'image/jpeg',
    labels: [
      { Confidence: 97.5, Name: 'Explicit', ParentName: '', TaxonomyLevel: 1 },
      { Confidence: 97.5, Name: 'Explicit Nudity', ParentName: 'Explicit', TaxonomyLevel: 2 },
    ],
    decision: 'blocked',
    reason: 'Explicit Nudity 97.5 ≥ 80: block',
    modelVersion: 'vigil-nsfwjs-4.4.0/MobileNetV2',
    eventTime: '2026-03-01T09:29:59.120Z',
    processingStart: T0,
    processingEnd: T0 + 40,
    ...overrides,
  };
}

export function reportStoreContract(makeStore: () => Promise<ReportStore>): void {
  let store: ReportStore;

  beforeEach(async () => {
    store = await makeStore();
  });
  afterEach(async () => {
    await store.close();
  });

  describe('tracking records', () => {
    it('stores every field as given, at attempt 1', async () => {
      const entry = trackingEntry({ key: 'a b+c/ünï.jpg' });
      const recorded = await store.record(entry);
      expect(recorded.created).toBe(true);
      expect(recorded.record).toEqual({ ...entry, attempt: 1 });
      expect(await store.findRecord(entry)).toEqual({ ...entry, attempt: 1 });
    });

    it('keeps nulls and an empty label list', async () => {
      const entry = trackingEntry({
        decision: 'skipped',
        reason: 'object deleted before processing',
        size: null,
        contentType: null,
        labels: [],
        modelVersion: null,
      });
      expect((await store.record(entry)).record).toEqual({ ...entry, attempt: 1 });
    });

    it('changes nothing but the delivery count when the same object version comes again', async () => {
      const first = trackingEntry();
      await store.record(first);
      const again = await store.record(
        trackingEntry({
          decision: 'clean',
          labels: [],
          reason: 'no label',
          processingStart: T0 + 5000,
          processingEnd: T0 + 5020,
        }),
      );
      expect(again.created).toBe(false);
      expect(again.record).toEqual({ ...first, attempt: 2 });
      expect(await store.findRecord(first)).toEqual({ ...first, attempt: 2 });
    });

    it('keeps one record per bucket, key and ETag', async () => {
      await store.record(trackingEntry());
      await store.record(trackingEntry({ etag: 'ffff' }));
      await store.record(trackingEntry({ key: 'content/images/CAT.jpg' }));
      await store.record(trackingEntry({ bucket: 'other' }));
      for (const key of [
        trackingEntry(),
        trackingEntry({ etag: 'ffff' }),
        trackingEntry({ key: 'content/images/CAT.jpg' }),
        trackingEntry({ bucket: 'other' }),
      ])
        expect((await store.findRecord(key))?.attempt).toBe(1);
    });

    it('finds nothing for an object version never recorded', async () => {
      expect(await store.findRecord(trackingEntry())).toBeUndefined();
      expect(await store.findReviewItem(trackingEntry())).toBeUndefined();
    });

    it('writes one record when the same event is recorded concurrently', async () => {
      const results = await Promise.all([1, 2, 3].map(() => store.record(trackingEntry())));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect((await store.findRecord(trackingEntry()))?.attempt).toBe(3);
      expect(await store.unsentReviewItems()).toHaveLength(1);
    });
  });

  describe('redeliveries', () => {
    it('count a delivery of a recorded event and return what is stored', async () => {
      const entry = trackingEntry();
      const first = await store.record(entry);
      const seen = await store.redelivered(entry);
      expect(seen?.created).toBe(false);
      expect(seen?.record).toEqual({ ...entry, attempt: 2 });
      expect(seen?.reviewItem).toEqual(first.reviewItem);
    });

    it('change nothing for an event not recorded yet', async () => {
      expect(await store.redelivered(trackingEntry())).toBeUndefined();
      expect(await store.findRecord(trackingEntry())).toBeUndefined();
      expect((await store.record(trackingEntry())).record.attempt).toBe(1);
    });
  });

  describe('clearance for serving', () => {
    it('clears a version judged clean, and nothing else', async () => {
      const clean = trackingEntry({ key: 'clean.jpg', decision: 'clean', labels: [] });
      await store.record(clean);
      expect(await isCleared(store, clean)).toBe(true);
      expect(await isCleared(store, { ...clean, etag: 'another-version' })).toBe(false);
      for (const decision of ['blocked', 'review', 'failed', 'skipped'] as const) {
        const entry = trackingEntry({ key: `${decision}.jpg`, decision });
        await store.record(entry);
        expect(await isCleared(store, entry), decision).toBe(false);
      }
      expect(await isCleared(store, trackingEntry({ key: 'never-recorded.jpg' }))).toBe(false);
    });
  });

  describe('review items', () => {
    it.each<[Decision, boolean]>([
      ['blocked', true],
      ['review', true],
      ['failed', true],
      ['clean', false],
      ['skipped', false],
    ])('a %s decision makes a review item: %s', async (decision, expected) => {
      const entry = trackingEntry({ decision });
      const { reviewItem } = await store.record(entry);
      expect(reviewItem !== undefined).toBe(expected);
      expect((await store.findReviewItem(entry)) !== undefined).toBe(expected);
      expect(await store.unsentReviewItems()).toHaveLength(expected ? 1 : 0);
    });

    it('start pending with their message owed', async () => {
      const entry = trackingEntry();
      const { reviewItem } = await store.record(entry);
      expect(reviewItem).toEqual({
        id: expect.any(Number) as number,
        bucket: entry.bucket,
        key: entry.key,
        etag: entry.etag,
        status: 'pending',
        createdAt: entry.processingEnd,
        messageSentAt: null,
        sendClaimedAt: entry.processingEnd,
        sendFailures: 0,
        lastSendError: null,
      });
    });

    it('are held by their creator until the claim lease runs out', async () => {
      const entry = trackingEntry();
      const { reviewItem } = await store.record(entry);
      const id = reviewItem!.id;
      const created = entry.processingEnd;
      expect(await store.claimReviewSend(id, created + 29_999, 30_000)).toBe(false);
      expect(await store.claimReviewSend(id, created + 30_000, 30_000)).toBe(true);
      expect((await store.findReviewItem(entry))?.sendClaimedAt).toBe(created + 30_000);
      expect(await store.claimReviewSend(id, created + 30_001, 30_000)).toBe(false);
    });

    it('are free for anyone to send after a failed send', async () => {
      const entry = trackingEntry();
      const { reviewItem } = await store.record(entry);
      await store.markReviewSendFailed(reviewItem!.id, 'queue missing');
      expect((await store.findReviewItem(entry))?.sendClaimedAt).toBeNull();
      expect(await store.claimReviewSend(reviewItem!.id, entry.processingEnd + 1, 30_000)).toBe(
        true,
      );
    });

    it('cannot be claimed once sent', async () => {
      const entry = trackingEntry();
      const { reviewItem } = await store.record(entry);
      await store.markReviewSent(reviewItem!.id, entry.processingEnd + 5);
      expect(
        await store.claimReviewSend(reviewItem!.id, entry.processingEnd + 99_999, 30_000),
      ).toBe(false);
      expect((await store.findReviewItem(entry))?.sendClaimedAt).toBeNull();
    });

    it('claimed by a redelivery stay with one holder', async () => {
      const entry = trackingEntry();
      const { reviewItem } = await store.record(entry);
      const later = entry.processingEnd + 60_000;
      const claims = await Promise.all(
        [1, 2, 3].map(() => store.claimReviewSend(reviewItem!.id, later, 30_000)),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
    });

    it('are made once per object version, however often it is recorded', async () => {
      const first = await store.record(trackingEntry());
      const second = await store.record(trackingEntry());
      expect(second.reviewItem?.id).toBe(first.reviewItem?.id);
      expect(await store.unsentReviewItems()).toHaveLength(1);
    });

    it('leave the owed list once sent, and keep the first send time', async () => {
      const entry = trackingEntry();
      const { reviewItem } = await store.record(entry);
      await store.markReviewSent(reviewItem!.id, T0 + 100);
      await store.markReviewSent(reviewItem!.id, T0 + 900);
      expect(await store.unsentReviewItems()).toEqual([]);
      expect((await store.findReviewItem(entry))?.messageSentAt).toBe(T0 + 100);
      const again = await store.record(entry);
      expect(again.reviewItem?.messageSentAt).toBe(T0 + 100);
    });

    it('count failed sends and stay owed', async () => {
      const entry = trackingEntry();
      const { reviewItem } = await store.record(entry);
      await store.markReviewSendFailed(reviewItem!.id, 'queue missing');
      await store.markReviewSendFailed(reviewItem!.id, 'connection refused');
      const item = await store.findReviewItem(entry);
      expect(item?.sendFailures).toBe(2);
      expect(item?.lastSendError).toBe('connection refused');
      expect(item?.messageSentAt).toBeNull();
      expect(await store.unsentReviewItems()).toHaveLength(1);
    });

    it('list owed messages oldest first, with their records, up to the limit', async () => {
      const keys = ['c.jpg', 'a.jpg', 'b.jpg'];
      for (const [index, key] of keys.entries())
        await store.record(trackingEntry({ key, processingEnd: T0 + 100 * (3 - index) }));
      await store.record(trackingEntry({ key: 'clean.jpg', decision: 'clean' }));
      const owed = await store.unsentReviewItems();
      expect(owed.map((p) => p.record.key)).toEqual(['b.jpg', 'a.jpg', 'c.jpg']);
      expect(owed.every((p) => p.reviewItem.key === p.record.key)).toBe(true);
      expect(owed[0]?.record).toEqual({
        ...trackingEntry({ key: 'b.jpg', processingEnd: T0 + 100 }),
        attempt: 1,
      });
      expect((await store.unsentReviewItems(2)).map((p) => p.record.key)).toEqual([
        'b.jpg',
        'a.jpg',
      ]);
    });
  });
}
