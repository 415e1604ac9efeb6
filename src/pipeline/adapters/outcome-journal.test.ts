/**
 * The outcome journal (ADR 19) on real parts: a storage engine with fsync on, the SQLite
 * reporting store, a Vigil review queue, driven by the pipeline's core as Vigil runs it.
 */
import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sequencerOf } from '../../events/index.js';
import { QueueService } from '../../queue/index.js';
import { SqliteReportStore, reportsDatabasePath } from '../../reporting/index.js';
import { StorageEngine, type ObjectChange } from '../../storage/index.js';
import { EXPLICIT, MODEL } from '../testbed.test-helper.js';
import { FakeReviewQueue, ScriptedModerator, s3Record } from '../fakes.test-helper.js';
import { moderateRecord } from '../moderate-image.js';
import { ObjectChangedError, type PipelinePorts, type Tag } from '../ports.js';
import { DEFAULT_SETTINGS } from '../settings.js';
import { EngineOutcomeJournal, type OutcomeJournalOptions } from './outcome-journal.js';
import { EngineObjectStore, VigilReviewQueue } from './vigil.js';

const BUCKET = 'uploads';
const REVIEW = 'moderation-review';
const WRITER = { principalId: 'moderate-image', traceHeader: 'Root=1-journal' };
const BLOCKED: Tag[] = [{ Key: 'BlockedContent', Value: 'true' }];

let dir: string;
let engine: StorageEngine;
let reports: SqliteReportStore;
let queues: QueueService;
let changes: ObjectChange[];
let clock: number;
let journals: EngineOutcomeJournal[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-journal-'));
  engine = await StorageEngine.open({ dataDir: dir, fsync: true });
  engine.createBucket(BUCKET, 'us-east-1');
  changes = [];
  engine.onChange((change) => changes.push(change));
  reports = SqliteReportStore.open(reportsDatabasePath(dir));
  queues = new QueueService({
    db: engine.db,
    grouped: (work, options) => engine.grouped(work, options),
    region: 'us-east-1',
    accountId: '000000000000',
  });
  await queues.createQueue(REVIEW);
  clock = Date.UTC(2026, 11, 3, 12);
  journals = [];
});

afterEach(async () => {
  for (const journal of journals) await journal.stop();
  queues.close();
  await reports.close();
  engine.close();
  await rm(dir, { recursive: true, force: true });
});

function journalOf(overrides: Partial<OutcomeJournalOptions> = {}): EngineOutcomeJournal {
  const journal = new EngineOutcomeJournal({
    engine,
    reports,
    reviewQueue: new VigilReviewQueue(queues, REVIEW),
    now: () => clock,
    ...overrides,
  });
  journals.push(journal);
  return journal;
}

/** Uploads `body` (its text says what the scripted moderator sees) and returns its event. */
async function upload(key: string, body: string) {
  const blob = await engine.writeBlob(BUCKET, Readable.from([Buffer.from(body)]));
  const object = await engine.commitObject(
    BUCKET,
    key,
    blob,
    { system: { contentType: 'image/jpeg' }, user: {}, tags: [] },
    'put',
    {},
  );
  return {
    object,
    record: s3Record(BUCKET, key, object.etag, {
      size: object.size,
      sequencer: sequencerOf(object.sequence),
    }),
  };
}

const moderator = new ScriptedModerator((image) => ({
  ModerationLabels: image.toString().startsWith('explicit') ? EXPLICIT : [],
  ModerationModelVersion: MODEL,
  ContentTypes: [],
}));

function portsWith(journal: EngineOutcomeJournal): PipelinePorts {
  return {
    objects: new EngineObjectStore(engine, WRITER),
    moderator,
    reviewQueue: new VigilReviewQueue(queues, REVIEW),
    reports,
    clock: { now: () => clock },
    journal: journal.as(WRITER),
  };
}

async function reviewMessages(): Promise<{ reviewItemId: number; key: string }[]> {
  const received = await queues.receive(REVIEW, { maxNumberOfMessages: 10, waitTimeSeconds: 0 });
  return received.map((m) => JSON.parse(m.body) as { reviewItemId: number; key: string });
}

function journalRows(): { relayed_at: number | null; message_sent_at: number | null }[] {
  return engine.db.prepare('SELECT * FROM pipeline_outcomes ORDER BY id').all() as never;
}

describe('one image, one fsync', () => {
  it('tags a flagged image, records it and sends its review message with one fsync of vigil.db and none of reports.db', async () => {
    const { object, record } = await upload('content/images/a.jpg', 'explicit photo');
    const journal = journalOf();
    const vigilBefore = engine.walSyncs;
    const reportsBefore = reports.walSyncs;

    const outcome = await moderateRecord(record, portsWith(journal), DEFAULT_SETTINGS);

    expect(outcome).toMatchObject({
      decision: 'blocked',
      redelivered: false,
      reviewMessageSent: true,
    });
    expect(engine.walSyncs - vigilBefore).toBe(1);
    expect(reports.walSyncs - reportsBefore).toBe(0);
    expect(engine.findObject(BUCKET, 'content/images/a.jpg')?.tags).toEqual(BLOCKED);
    expect(changes.at(-1)).toMatchObject({ kind: 'tagging-put' });
    const key = {
      bucket: BUCKET,
      key: 'content/images/a.jpg',
      writeId: expect.any(String) as string,
    };
    const [stored] = await reports.recordsFor(BUCKET, 'content/images/a.jpg');
    expect(stored).toMatchObject({ ...key, etag: object.etag, decision: 'blocked', attempt: 1 });
    const item = await reports.findReviewItem(stored!);
    expect(item?.messageSentAt).not.toBeNull();
    expect(await reviewMessages()).toEqual([
      expect.objectContaining({ reviewItemId: item!.id, key: 'content/images/a.jpg' }),
    ]);
    expect(journalRows()).toEqual([
      expect.objectContaining({ relayed_at: clock, message_sent_at: clock }),
    ]);
  });

  it('records a clean image with one fsync and sends nothing', async () => {
    const { record } = await upload('content/images/clean.jpg', 'a cat');
    const journal = journalOf();
    const vigilBefore = engine.walSyncs;

    const outcome = await moderateRecord(record, portsWith(journal), DEFAULT_SETTINGS);

    expect(outcome).toMatchObject({ decision: 'clean', reviewMessageSent: false });
    expect(engine.walSyncs - vigilBefore).toBe(1);
    expect(engine.findObject(BUCKET, 'content/images/clean.jpg')?.tags).toEqual([]);
    expect(await reports.recordsFor(BUCKET, 'content/images/clean.jpg')).toHaveLength(1);
    expect(await reviewMessages()).toEqual([]);
  });
});

describe('a versioned bucket', () => {
  it('judges and tags the version the event named, even once a newer one is current', async () => {
    engine.putBucketVersioning(BUCKET, 'Enabled');
    const flagged = await upload('content/images/v.jpg', 'explicit, version one');
    const record = flagged.record as { s3: { object: { versionId?: string } } };
    record.s3.object.versionId = flagged.object.versionId;
    const newer = await upload('content/images/v.jpg', 'a cat, version two');

    const outcome = await moderateRecord(flagged.record, portsWith(journalOf()), DEFAULT_SETTINGS);

    expect(outcome).toMatchObject({ decision: 'blocked' });
    const tagsOf = (versionId: string | undefined) => {
      const version = engine.findVersion(BUCKET, 'content/images/v.jpg', versionId!);
      return version?.kind === 'object' ? version.object.tags : undefined;
    };
    expect(tagsOf(flagged.object.versionId)).toEqual(BLOCKED);
    expect(tagsOf(newer.object.versionId)).toEqual([]);
  });
});

describe('redeliveries', () => {
  it('count the delivery and send nothing twice', async () => {
    const { record } = await upload('content/images/b.jpg', 'explicit');
    const ports = portsWith(journalOf());
    await moderateRecord(record, ports, DEFAULT_SETTINGS);
    const again = await moderateRecord(record, ports, DEFAULT_SETTINGS);

    expect(again).toMatchObject({
      decision: 'blocked',
      redelivered: true,
      reviewMessageSent: false,
    });
    expect((await reports.recordsFor(BUCKET, 'content/images/b.jpg'))[0]?.attempt).toBe(2);
    expect(await reviewMessages()).toHaveLength(1);
  });

  it('leave the tags of the delivery that committed first, so a reviewer’s approval stands', async () => {
    const { object, record } = await upload('content/images/c.jpg', 'explicit');
    const journal = journalOf();
    await moderateRecord(record, portsWith(journal), DEFAULT_SETTINGS);
    // A reviewer approves; a second delivery that was judging meanwhile commits after.
    await engine.putTags(BUCKET, 'content/images/c.jpg', [], { principalId: 'reviewer' });
    const [stored] = await reports.recordsFor(BUCKET, 'content/images/c.jpg');
    const late = await journal.as(WRITER).commit({
      ref: { bucket: BUCKET, key: 'content/images/c.jpg' },
      expected: { etag: object.etag, sequencer: sequencerOf(object.sequence) },
      tags: BLOCKED,
      entry: { ...stored!, image: undefined, askReviewer: true },
    });

    expect(late.recorded.created).toBe(false);
    expect(late.reviewMessageSent).toBe(false);
    expect(engine.findObject(BUCKET, 'content/images/c.jpg')?.tags).toEqual([]);
    expect(await reviewMessages()).toHaveLength(1);
  });
});

describe('a changed object', () => {
  it('is not tagged and nothing is journaled when it was replaced before the commit', async () => {
    const { object } = await upload('content/images/d.jpg', 'explicit');
    await upload('content/images/d.jpg', 'explicit, again');
    const commit = journalOf()
      .as(WRITER)
      .commit({
        ref: { bucket: BUCKET, key: 'content/images/d.jpg' },
        expected: { etag: object.etag, sequencer: sequencerOf(object.sequence) },
        tags: BLOCKED,
        entry: {
          bucket: BUCKET,
          key: 'content/images/d.jpg',
          writeId: sequencerOf(object.sequence),
          etag: object.etag,
          size: object.size,
          contentType: 'image/jpeg',
          labels: [],
          decision: 'blocked',
          reason: 'explicit',
          modelVersion: MODEL,
          eventTime: new Date(clock).toISOString(),
          processingStart: clock,
          processingEnd: clock,
        },
      });

    await expect(commit).rejects.toBeInstanceOf(ObjectChangedError);
    expect(engine.findObject(BUCKET, 'content/images/d.jpg')?.tags).toEqual([]);
    expect(journalRows()).toEqual([]);
  });

  it('is recorded as skipped by the pipeline', async () => {
    const { record } = await upload('content/images/e.jpg', 'explicit');
    await upload('content/images/e.jpg', 'something else');

    const outcome = await moderateRecord(record, portsWith(journalOf()), DEFAULT_SETTINGS);

    expect(outcome).toMatchObject({ decision: 'skipped' });
    expect(engine.findObject(BUCKET, 'content/images/e.jpg')?.tags).toEqual([]);
  });
});

describe('after a crash or a power cut', () => {
  it('relays a row whose record never reached the reporting store, on replay and on redelivery', async () => {
    const { record } = await upload('content/images/f.jpg', 'explicit');
    let failures = 1;
    const flaky = new Proxy(reports, {
      get(target, property, receiver) {
        if (property === 'record' && failures > 0) {
          failures--;
          return () => Promise.reject(new Error('SQLITE_BUSY: database is locked'));
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
    const crashed = journalOf({ reports: flaky });
    await expect(moderateRecord(record, portsWith(crashed), DEFAULT_SETTINGS)).rejects.toThrow(
      'SQLITE_BUSY',
    );
    expect(engine.findObject(BUCKET, 'content/images/f.jpg')?.tags).toEqual(BLOCKED);
    expect(await reports.recordsFor(BUCKET, 'content/images/f.jpg')).toEqual([]);

    expect(await journalOf().replay()).toBe(1);

    const [stored] = await reports.recordsFor(BUCKET, 'content/images/f.jpg');
    expect(stored).toMatchObject({ decision: 'blocked', attempt: 1 });
    expect(await reviewMessages()).toHaveLength(1);
    // The event's retry finds the outcome journaled: nothing judged or sent again.
    const requests = moderator.requests.length;
    const retry = await moderateRecord(record, portsWith(journalOf()), DEFAULT_SETTINGS);
    expect(retry).toMatchObject({
      decision: 'blocked',
      redelivered: true,
      reviewMessageSent: false,
    });
    expect(moderator.requests).toHaveLength(requests);
  });

  it('notes a message sent before the cut once more, without sending it again', async () => {
    const { record } = await upload('content/images/g.jpg', 'explicit');
    await moderateRecord(record, portsWith(journalOf()), DEFAULT_SETTINGS);
    // reports.db lost the note of the send (it was not fsynced); vigil.db kept the message.
    const raw = new Database(reportsDatabasePath(dir));
    raw.prepare('UPDATE review_items SET message_sent_at = NULL').run();
    raw.close();

    await journalOf().replay();

    const [stored] = await reports.recordsFor(BUCKET, 'content/images/g.jpg');
    expect((await reports.findReviewItem(stored!))?.messageSentAt).not.toBeNull();
    expect(await reviewMessages()).toHaveLength(1);
  });

  it('sends a message the cut took, however the reporting store remembers it', async () => {
    const { record } = await upload('content/images/h.jpg', 'explicit');
    await moderateRecord(record, portsWith(journalOf()), DEFAULT_SETTINGS);
    expect(await reviewMessages()).toHaveLength(1);
    // vigil.db lost the send (message and note); reports.db kept its note of it.
    engine.db.prepare('UPDATE pipeline_outcomes SET message_sent_at = NULL').run();

    await journalOf().replay();

    // The first message is still out with its receiver (visibility timeout): this is the new one.
    expect(await reviewMessages()).toEqual([
      expect.objectContaining({ key: 'content/images/h.jpg' }),
    ]);
    expect(journalRows()[0]?.message_sent_at).not.toBeNull();
  });
});

describe('an SQS review queue', () => {
  it('is sent to after the commit, and a failed send is retried by the redelivery', async () => {
    const sqs = new FakeReviewQueue();
    sqs.failures = 1;
    const journal = journalOf({ reviewQueue: sqs });
    const { record } = await upload('content/images/i.jpg', 'explicit');
    const ports = { ...portsWith(journal), reviewQueue: sqs };

    await expect(moderateRecord(record, ports, DEFAULT_SETTINGS)).rejects.toThrow('ECONNREFUSED');
    const [stored] = await reports.recordsFor(BUCKET, 'content/images/i.jpg');
    expect(await reports.findReviewItem(stored!)).toMatchObject({
      messageSentAt: null,
      sendFailures: 1,
    });

    const retry = await moderateRecord(record, ports, DEFAULT_SETTINGS);
    expect(retry).toMatchObject({ redelivered: true, reviewMessageSent: true });
    expect(sqs.messages).toHaveLength(1);
    expect(journalRows()[0]?.message_sent_at).not.toBeNull();
  });
});

describe('settling', () => {
  it('deletes relayed rows past retention with one flush of the reporting store per batch', async () => {
    const journal = journalOf({ timing: { retainMs: 1_000, settleBatch: 3, stuckMs: 500 } });
    let flushes = 0;
    const flush = reports.flush.bind(reports);
    reports.flush = () => {
      flushes++;
      return flush();
    };
    for (const name of ['j1', 'j2']) {
      const { record } = await upload(`content/images/${name}.jpg`, 'explicit');
      await moderateRecord(record, portsWith(journal), DEFAULT_SETTINGS);
    }
    clock += 5_000;
    await journal.sweep();
    expect(flushes).toBe(0); // two rows: fewer than a batch, and young
    const { record } = await upload('content/images/j3.jpg', 'a dog');
    await moderateRecord(record, portsWith(journal), DEFAULT_SETTINGS);
    await journal.sweep();
    expect(flushes).toBe(0); // the third is within retention
    clock += 5_000;
    await journal.sweep();
    expect(flushes).toBe(1);
    expect(journalRows()).toEqual([]);
    expect(await reports.recordsBetween({ from: 0, to: clock + 1 })).toHaveLength(3);
  });

  it('relays rows left behind, and settles everything when stopped', async () => {
    const { record } = await upload('content/images/k.jpg', 'explicit');
    let failures = 1;
    const reportsOnce = new Proxy(reports, {
      get(target, property, receiver) {
        if (property === 'record' && failures-- > 0)
          return () => Promise.reject(new Error('connection terminated'));
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
    const journal = journalOf({ reports: reportsOnce, timing: { stuckMs: 1_000 } });
    await expect(moderateRecord(record, portsWith(journal), DEFAULT_SETTINGS)).rejects.toThrow();
    await journal.sweep();
    expect(journalRows()[0]?.relayed_at).toBeNull(); // not stuck long enough yet
    clock += 2_000;
    await journal.sweep();
    expect(journalRows()[0]?.relayed_at).not.toBeNull();
    expect(await reviewMessages()).toHaveLength(1);

    await journal.stop();
    expect(journalRows()).toEqual([]);
  });
});
