/**
 * The contract every `ReportStore` passes: run `reportStoreContract(() => openStore())` in
 * an implementation's test file. Each test gets a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCleared } from './cleared.js';
import type {
  Decision,
  NewTrackingRecord,
  RecordKey,
  RememberedImage,
  ReportStore,
  ReviewAction,
  ReviewerDecision,
} from './types.js';

const T0 = Date.UTC(2026, 2, 1, 9, 30, 0);

/** A complete tracking record; fields given override the defaults. */
export function trackingEntry(overrides: Partial<NewTrackingRecord> = {}): NewTrackingRecord {
  return {
    bucket: 'uploads',
    key: 'content/images/cat.jpg',
    writeId: '0000000000000000A3',
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

/** A decision by `reviewer` at `at` (defaults: ann, T0 + 100), no note, no tags. */
export function decision(
  id: number,
  action: ReviewAction,
  reviewer = 'ann',
  at = T0 + 100,
): ReviewerDecision {
  return { id, reviewer, action, note: null, at, tagsBefore: null, tagsAfter: null };
}

const HASH = '0f0f0f0f0f0f0f0f';
const ALGORITHM = 'test-hash/1';

/** HASH (or `hash`) with the given bits flipped; bit 0 is the most significant. */
function flipped(bits: readonly number[], hash = HASH): string {
  let value = BigInt(`0x${hash}`);
  for (const bit of bits) value ^= 1n << BigInt(63 - bit);
  return value.toString(16).padStart(16, '0');
}

/** An image to remember: HASH unless told, judged by the moderator unless a precedent is given. */
function image(hash = HASH, precedent: RecordKey | null = null): RememberedImage {
  return { hash, algorithm: ALGORITHM, precedent };
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
      expect(recorded.record).toEqual({ ...entry, attempt: 1, review: null });
      expect(await store.findRecord(entry)).toEqual({ ...entry, attempt: 1, review: null });
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
      expect((await store.record(entry)).record).toEqual({ ...entry, attempt: 1, review: null });
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
      expect(again.record).toEqual({ ...first, attempt: 2, review: null });
      expect(await store.findRecord(first)).toEqual({ ...first, attempt: 2, review: null });
    });

    it('keeps one record per bucket, key and write', async () => {
      await store.record(trackingEntry());
      await store.record(trackingEntry({ writeId: '0000000000000000B7', etag: 'ffff' }));
      await store.record(trackingEntry({ key: 'content/images/CAT.jpg' }));
      await store.record(trackingEntry({ bucket: 'other' }));
      for (const key of [
        trackingEntry(),
        trackingEntry({ writeId: '0000000000000000B7' }),
        trackingEntry({ key: 'content/images/CAT.jpg' }),
        trackingEntry({ bucket: 'other' }),
      ])
        expect((await store.findRecord(key))?.attempt).toBe(1);
    });

    it('records a new write of the same bytes on its own, with its own review item', async () => {
      const first = await store.record(trackingEntry());
      const again = await store.record(
        trackingEntry({ writeId: '0000000000000000C1', processingEnd: T0 + 900 }),
      );
      expect(again.created).toBe(true);
      expect(again.record.attempt).toBe(1);
      expect(again.record.etag).toBe(first.record.etag);
      expect(again.reviewItem?.id).not.toBe(first.reviewItem?.id);
      expect(again.reviewItem?.writeId).toBe('0000000000000000C1');
      expect(await store.unsentReviewItems()).toHaveLength(2);
      expect((await store.recordsFor('uploads', 'content/images/cat.jpg')).length).toBe(2);
    });

    it('records the same when told not to wait for durability, and flushes', async () => {
      const recorded = await store.record(trackingEntry(), { durable: false });
      await store.flush();
      expect(recorded).toMatchObject({
        created: true,
        record: { decision: 'blocked', attempt: 1 },
      });
      expect(await store.findRecord(trackingEntry())).toEqual(recorded.record);
      await store.flush(); // nothing left to flush: resolves all the same
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
      expect(seen?.record).toEqual({ ...entry, attempt: 2, review: null });
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
      // The same bytes written again: a write of its own, not cleared until judged.
      expect(await isCleared(store, { ...clean, writeId: '0000000000000000FF' })).toBe(false);
      for (const decision of ['blocked', 'review', 'failed', 'skipped'] as const) {
        const entry = trackingEntry({ key: `${decision}.jpg`, decision });
        await store.record(entry);
        expect(await isCleared(store, entry), decision).toBe(false);
      }
      expect(await isCleared(store, trackingEntry({ key: 'never-recorded.jpg' }))).toBe(false);
    });

    it('clears a version a reviewer approved, not one kept blocked', async () => {
      const approved = await store.record(trackingEntry({ key: 'approved.jpg' }));
      const kept = await store.record(trackingEntry({ key: 'kept.jpg' }));
      await store.decideReview(decision(approved.reviewItem!.id, 'approve'));
      await store.decideReview(decision(kept.reviewItem!.id, 'keep-blocked'));
      expect(await isCleared(store, approved.record)).toBe(true);
      expect(await isCleared(store, kept.record)).toBe(false);
    });
  });

  describe('reviewing', () => {
    it('lists pending items oldest first with their records, and counts them', async () => {
      await store.record(trackingEntry({ key: 'second.jpg', processingEnd: T0 + 2000 }));
      await store.record(trackingEntry({ key: 'first.jpg', processingEnd: T0 + 1000 }));
      await store.record(trackingEntry({ key: 'clean.jpg', decision: 'clean', labels: [] }));
      const decided = await store.record(trackingEntry({ key: 'decided.jpg' }));
      await store.decideReview(decision(decided.reviewItem!.id, 'approve'));
      const queue = await store.reviewQueue();
      expect(queue.map((q) => q.record.key)).toEqual(['first.jpg', 'second.jpg']);
      expect(queue[0]?.reviewItem).toMatchObject({ key: 'first.jpg', status: 'pending' });
      expect(queue[0]?.record.labels).toEqual(trackingEntry().labels);
      expect(await store.countPendingReviews()).toBe(2);
      expect((await store.reviewQueue(1)).length).toBe(1);
      const one = await store.getReview(queue[1]!.reviewItem.id);
      expect(one?.record.key).toBe('second.jpg');
      expect(await store.getReview(999_999)).toBeUndefined();
    });

    it('lets one reviewer hold an item at a time, until the hold runs out', async () => {
      const { reviewItem } = await store.record(trackingEntry());
      const id = reviewItem!.id;
      const ann = await store.claimReview(id, 'ann', T0, 60_000);
      expect(ann).toMatchObject({
        claimed: true,
        item: { claimedBy: 'ann', claimExpiresAt: T0 + 60_000 },
      });
      expect(await store.claimReview(id, 'bob', T0 + 59_999, 60_000)).toMatchObject({
        claimed: false,
        reason: 'held',
        item: { claimedBy: 'ann' },
      });
      // Claiming again extends one's own hold.
      expect(await store.claimReview(id, 'ann', T0 + 30_000, 60_000)).toMatchObject({
        claimed: true,
        item: { claimExpiresAt: T0 + 90_000 },
      });
      expect(await store.claimReview(id, 'bob', T0 + 90_000, 60_000)).toMatchObject({
        claimed: true,
        item: { claimedBy: 'bob' },
      });
      expect(await store.claimReview(999_999, 'bob', T0, 60_000)).toEqual({
        claimed: false,
        reason: 'missing',
      });
    });

    it("releases only the releasing reviewer's own hold", async () => {
      const { reviewItem } = await store.record(trackingEntry());
      const id = reviewItem!.id;
      await store.claimReview(id, 'ann', T0, 60_000);
      await store.releaseReview(id, 'bob', T0);
      expect((await store.getReview(id))?.reviewItem.claimedBy).toBe('ann');
      await store.releaseReview(id, 'ann', T0);
      expect((await store.getReview(id))?.reviewItem).toMatchObject({
        claimedBy: null,
        claimExpiresAt: null,
      });
      expect(await store.claimReview(id, 'bob', T0 + 1, 60_000)).toMatchObject({ claimed: true });
    });

    it('decides an item once, by its holder, writing the audit entry with it', async () => {
      const { reviewItem } = await store.record(trackingEntry());
      const id = reviewItem!.id;
      await store.claimReview(id, 'ann', T0, 60_000);
      expect(await store.decideReview(decision(id, 'approve', 'bob', T0 + 10))).toMatchObject({
        decided: false,
        reason: 'held',
      });
      const before = [{ Key: 'BlockedContent', Value: 'true' }];
      const after = [{ Key: 'ModerationReview', Value: 'approved' }];
      const done = await store.decideReview({
        id,
        reviewer: 'ann',
        action: 'approve',
        note: 'a statue',
        at: T0 + 20,
        tagsBefore: before,
        tagsAfter: after,
      });
      expect(done).toMatchObject({
        decided: true,
        item: {
          status: 'approved',
          decidedBy: 'ann',
          decidedAt: T0 + 20,
          decisionAction: 'approve',
          decisionNote: 'a statue',
          claimedBy: null,
        },
        audit: {
          at: T0 + 20,
          actor: 'ann',
          action: 'review.approve',
          bucket: 'uploads',
          key: 'content/images/cat.jpg',
          etag: trackingEntry().etag,
          reviewItemId: id,
          note: 'a statue',
          tagsBefore: before,
          tagsAfter: after,
        },
      });
      expect(await store.decideReview(decision(id, 'delete', 'ann', T0 + 30))).toMatchObject({
        decided: false,
        reason: 'decided',
      });
      expect(await store.claimReview(id, 'bob', T0 + 40, 60_000)).toMatchObject({
        claimed: false,
        reason: 'decided',
      });
      expect(await store.countPendingReviews()).toBe(0);
      expect((await store.auditLog({ from: T0, to: T0 + 1000 })).length).toBe(1);
      expect((await store.findRecord(trackingEntry()))?.review).toEqual({
        action: 'approve',
        by: 'ann',
        at: T0 + 20,
      });
      expect((await store.recordsFor('uploads', trackingEntry().key))[0]?.review?.by).toBe('ann');
    });

    it('ends keep-blocked and delete as rejected, telling them apart by action', async () => {
      const kept = await store.record(trackingEntry({ key: 'kept.jpg' }));
      const gone = await store.record(trackingEntry({ key: 'gone.jpg' }));
      await store.decideReview(decision(kept.reviewItem!.id, 'keep-blocked'));
      await store.decideReview(decision(gone.reviewItem!.id, 'delete'));
      const items = await store.decidedBetween({ from: T0, to: T0 + 1000 });
      expect(items.map((i) => [i.key, i.status, i.decisionAction])).toEqual([
        ['kept.jpg', 'rejected', 'keep-blocked'],
        ['gone.jpg', 'rejected', 'delete'],
      ]);
    });

    it('lets an unclaimed item or one whose hold ran out be decided', async () => {
      const free = await store.record(trackingEntry({ key: 'free.jpg' }));
      expect(await store.decideReview(decision(free.reviewItem!.id, 'approve'))).toMatchObject({
        decided: true,
      });
      const lapsed = await store.record(trackingEntry({ key: 'lapsed.jpg' }));
      await store.claimReview(lapsed.reviewItem!.id, 'ann', T0 - 120_000, 60_000);
      expect(
        await store.decideReview(decision(lapsed.reviewItem!.id, 'approve', 'bob', T0)),
      ).toMatchObject({ decided: true, item: { decidedBy: 'bob' } });
      expect(await store.decideReview(decision(999_999, 'approve'))).toEqual({
        decided: false,
        reason: 'missing',
      });
    });
  });

  describe('the audit log', () => {
    it('appends entries and reads them back by time range and by key, oldest first', async () => {
      const entry = (at: number, key: string | null, action = 'review.reveal') => ({
        at,
        actor: 'ann',
        action,
        bucket: key === null ? null : 'uploads',
        key,
        etag: key === null ? null : 'e1',
        reviewItemId: null,
        note: null,
        tagsBefore: null,
        tagsAfter: null,
      });
      const first = await store.appendAudit(entry(T0 + 5, 'a.jpg'));
      await store.appendAudit(entry(T0 + 1, 'b.jpg'));
      await store.appendAudit(entry(T0 + 9, null, 'dlq.redrive'));
      await store.appendAudit(entry(T0 + 20, 'a.jpg'));
      expect(first).toMatchObject({ id: expect.any(Number) as number, at: T0 + 5, key: 'a.jpg' });
      const range = await store.auditLog({ from: T0, to: T0 + 10 });
      expect(range.map((e) => [e.at, e.key])).toEqual([
        [T0 + 1, 'b.jpg'],
        [T0 + 5, 'a.jpg'],
        [T0 + 9, null],
      ]);
      expect((await store.auditLog({ from: T0, to: T0 + 100 }, 2)).length).toBe(2);
      expect((await store.auditFor('uploads', 'a.jpg')).map((e) => e.at)).toEqual([
        T0 + 5,
        T0 + 20,
      ]);
    });
  });

  describe('reports', () => {
    it('reads records by processing end in a range, and all versions of a key', async () => {
      await store.record(
        trackingEntry({ key: 'k', writeId: '02', etag: 'v2', processingEnd: T0 + 200 }),
      );
      await store.record(
        trackingEntry({ key: 'k', writeId: '01', etag: 'v1', processingEnd: T0 + 100 }),
      );
      await store.record(trackingEntry({ key: 'other', processingEnd: T0 + 300 }));
      await store.record(trackingEntry({ key: 'late', processingEnd: T0 + 5000 }));
      const range = await store.recordsBetween({ from: T0 + 100, to: T0 + 5000 });
      expect(range.map((r) => [r.key, r.etag])).toEqual([
        ['k', 'v1'],
        ['k', 'v2'],
        ['other', trackingEntry().etag],
      ]);
      expect((await store.recordsBetween({ from: T0, to: T0 + 10_000 }, 2)).length).toBe(2);
      expect((await store.recordsFor('uploads', 'k')).map((r) => r.etag)).toEqual(['v1', 'v2']);
      expect(await store.recordsFor('uploads', 'missing')).toEqual([]);
    });
  });

  describe('image memory', () => {
    const recall = (maxDistance = 10, hash = HASH) =>
      store.recallImages({ hash, algorithm: ALGORITHM, maxDistance });
    const keys = async (maxDistance = 10, hash = HASH) =>
      (await recall(maxDistance, hash)).map((r) => [r.record.key, r.distance]);

    it('recalls blocked images within the distance, nearest first, with their records', async () => {
      const near = trackingEntry({ key: 'near.jpg', image: image(flipped([0, 20, 40])) });
      await store.record(near);
      await store.record(trackingEntry({ key: 'same.jpg', image: image() }));
      await store.record(trackingEntry({ key: 'far.jpg', image: image(flipped([...range(11)])) }));
      expect(await keys()).toEqual([
        ['same.jpg', 0],
        ['near.jpg', 3],
      ]);
      expect(await keys(16)).toEqual([
        ['same.jpg', 0],
        ['near.jpg', 3],
        ['far.jpg', 11],
      ]);
      const [, second] = await recall();
      const { image: remembered, ...entry } = near;
      expect(second).toEqual({
        record: { ...entry, attempt: 1, review: null },
        image: remembered,
        distance: 3,
      });
      expect(await keys(0, flipped([0]))).toEqual([]);
    });

    it('finds every image within the distance, however its differing bits fall across the bands', async () => {
      // Bands are bits 0–15, 16–31, 32–47, 48–63.
      const spreads: [string, number[]][] = [
        ['3-3-2-2.jpg', [0, 1, 2, 16, 17, 18, 32, 33, 48, 49]],
        ['10-in-one-band.jpg', [...range(10)]],
        ['2-2-2-2.jpg', [14, 15, 30, 31, 46, 47, 62, 63]],
        ['3-3-3-2.jpg', [0, 1, 2, 16, 17, 18, 32, 33, 34, 48, 49]],
      ];
      for (const [key, bits] of spreads)
        await store.record(trackingEntry({ key, image: image(flipped(bits)) }));
      expect(await keys(10)).toEqual([
        ['2-2-2-2.jpg', 8],
        ['10-in-one-band.jpg', 10],
        ['3-3-2-2.jpg', 10],
      ]);
    });

    it('lists equally near images newest first, and no more than asked', async () => {
      for (const [i, key] of ['a.jpg', 'b.jpg', 'c.jpg'].entries())
        await store.record(trackingEntry({ key, image: image(), processingEnd: T0 + i }));
      expect(await keys()).toEqual([
        ['c.jpg', 0],
        ['b.jpg', 0],
        ['a.jpg', 0],
      ]);
      const two = await store.recallImages({
        hash: HASH,
        algorithm: ALGORITHM,
        maxDistance: 10,
        limit: 2,
      });
      expect(two.map((r) => r.record.key)).toEqual(['c.jpg', 'b.jpg']);
    });

    it('compares hashes of one algorithm only', async () => {
      await store.record(trackingEntry({ image: { ...image(), algorithm: 'other-hash/2' } }));
      expect(await recall()).toEqual([]);
    });

    it("recalls the moderator's blocks and reviewers' decisions, nothing else", async () => {
      const entries = Object.fromEntries(
        (['blocked', 'review', 'failed', 'clean', 'skipped'] as const).map((decision) => [
          decision,
          trackingEntry({ key: `${decision}.jpg`, decision, image: image() }),
        ]),
      );
      const items: Record<string, number> = {};
      for (const [decision, entry] of Object.entries(entries)) {
        const { reviewItem } = await store.record(entry);
        if (reviewItem) items[decision] = reviewItem.id;
      }
      expect(await keys()).toEqual([['blocked.jpg', 0]]);
      // A reviewer's decision is remembered at once, whatever the moderator had said.
      await store.decideReview(decision(items['review']!, 'approve', 'ann', T0 + 200));
      await store.decideReview(decision(items['failed']!, 'keep-blocked', 'bob', T0 + 300));
      await store.decideReview(decision(items['blocked']!, 'delete', 'cy', T0 + 400));
      const recalled = await recall();
      expect(recalled.map((r) => [r.record.key, r.record.review?.action])).toEqual(
        expect.arrayContaining([
          ['review.jpg', 'approve'],
          ['failed.jpg', 'keep-blocked'],
          ['blocked.jpg', 'delete'],
        ]),
      );
      expect(recalled).toHaveLength(3);
    });

    it('does not recall a verdict drawn from memory until a reviewer decides it', async () => {
      const original = trackingEntry({ key: 'original.jpg', image: image() });
      await store.record(original);
      const copy = await store.record(
        trackingEntry({
          key: 'copy.jpg',
          reason: 'remembered: looks like s3://uploads/original.jpg',
          image: image(flipped([5]), {
            bucket: 'uploads',
            key: 'original.jpg',
            writeId: original.writeId,
          }),
        }),
      );
      expect(await keys()).toEqual([['original.jpg', 0]]);
      expect(await store.findRememberedImage(copy.record)).toEqual(
        image(flipped([5]), { bucket: 'uploads', key: 'original.jpg', writeId: original.writeId }),
      );
      await store.decideReview(decision(copy.reviewItem!.id, 'approve'));
      expect(await keys()).toEqual([
        ['original.jpg', 0],
        ['copy.jpg', 1],
      ]);
    });

    it("keeps the first delivery's image, and none for a record without one", async () => {
      const first = trackingEntry({ image: image() });
      await store.record(first);
      await store.record({ ...first, image: image(flipped([1, 2])) });
      expect(await store.findRememberedImage(first)).toEqual(image());
      const plain = trackingEntry({ key: 'plain.jpg' });
      await store.record(plain);
      expect(await store.findRememberedImage(plain)).toBeUndefined();
    });

    it('makes no review item for a block when told not to ask a reviewer', async () => {
      const entry = trackingEntry({ askReviewer: false });
      const { record, reviewItem } = await store.record(entry);
      expect(record.decision).toBe('blocked');
      expect(reviewItem).toBeUndefined();
      expect(await store.unsentReviewItems()).toEqual([]);
      // A concurrent delivery that judged otherwise does not add one either.
      expect((await store.record(trackingEntry())).reviewItem).toBeUndefined();
    });

    it('refuses a distance past 16 bits', async () => {
      await expect(recall(17)).rejects.toThrow(RangeError);
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
        writeId: entry.writeId,
        etag: entry.etag,
        status: 'pending',
        createdAt: entry.processingEnd,
        messageSentAt: null,
        sendClaimedAt: entry.processingEnd,
        sendFailures: 0,
        lastSendError: null,
        claimedBy: null,
        claimExpiresAt: null,
        decidedBy: null,
        decidedAt: null,
        decisionAction: null,
        decisionNote: null,
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
        review: null,
      });
      expect((await store.unsentReviewItems(2)).map((p) => p.record.key)).toEqual([
        'b.jpg',
        'a.jpg',
      ]);
    });
  });
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
