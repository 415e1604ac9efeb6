/**
 * The moderation pipeline's outcome journal in vigil.db (ADR 19): an image's tags and its
 * tracking record are one commit — one fsync — and the record then travels to the reporting
 * store (reports.db or PostgreSQL) and the review queue from here, as S3 events travel from
 * the outbox. A journal row stays until the reporting store holds its record durably, so a
 * crash or a power cut at any point is repaired by relaying the rows left (`replay`).
 */
import type { Logger } from 'pino';
import type Database from 'better-sqlite3';
import type { NewTrackingRecord, Recorded, RecordKey, ReportStore } from '../../reporting/index.js';
import { sequencerOf } from '../../events/index.js';
import type { StorageEngine } from '../../storage/index.js';
import { staleness } from '../judge.js';
import {
  ObjectChangedError,
  type JournalEntry,
  type JournaledOutcome,
  type OutcomeJournal,
  type ReviewQueue,
} from '../ports.js';
import { reviewMessage, type ReviewMessage } from '../review-message.js';
import { findIn, type WriteContext } from './vigil.js';

/** A review queue that can send inside the journal's own transaction (a Vigil queue). */
export interface TransactionalReviewQueue extends ReviewQueue {
  sendWithin(message: ReviewMessage): void;
}

export interface OutcomeJournalOptions {
  engine: Pick<StorageEngine, 'db' | 'grouped' | 'findObject' | 'findVersion' | 'putTagsNow'>;
  reports: ReportStore;
  reviewQueue: ReviewQueue | TransactionalReviewQueue;
  logger?: Pick<Logger, 'warn' | 'error'>;
  now?: () => number;
  timing?: Partial<JournalTiming>;
}

export interface JournalTiming {
  /** How often the sweep runs: relays stuck rows, settles relayed ones. */
  sweepMs: number;
  /** A row not relayed this long after its commit is relayed by the sweep. */
  stuckMs: number;
  /**
   * How long a relayed row is kept. While it is, a second delivery of the same write that
   * was judging when the first committed finds it and writes nothing (so it cannot re-block
   * an image a reviewer approved meanwhile): longer than a moderate-image invocation lasts.
   */
  retainMs: number;
  /** Rows settled per reporting-store flush, at least: the fsync is shared by this many. */
  settleBatch: number;
  /** Rows older than this are settled however few there are. */
  settleAfterMs: number;
}

const DEFAULT_TIMING: JournalTiming = {
  sweepMs: 2_000,
  stuckMs: 10_000,
  retainMs: 120_000,
  settleBatch: 500,
  settleAfterMs: 600_000,
};

interface JournalRow {
  id: number;
  entry: string;
  relayed_at: number | null;
  message_sent_at: number | null;
}

type RelayMode = 'first' | 'redelivery' | 'replay';

/**
 * The journal of one Vigil: `as(context)` gives the pipeline its port for one invocation;
 * `replay`, `start` and `stop` are for the process that owns vigil.db.
 *
 * @example
 * const journal = new EngineOutcomeJournal({ engine, reports, reviewQueue });
 * await journal.replay();
 * journal.start();
 * const ports = { ...others, journal: journal.as({ principalId: 'moderate-image' }) };
 */
export class EngineOutcomeJournal {
  private readonly db: Database.Database;
  private readonly statements;
  private readonly now: () => number;
  private readonly timing: JournalTiming;
  /** Relays under way, by row: a second relay of a row waits for the first (one send). */
  private readonly relaying = new Map<number, Promise<unknown>>();
  /** When the sweep last tried to relay a stuck row: it tries each once per `stuckMs`. */
  private readonly triedAt = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(private readonly options: OutcomeJournalOptions) {
    this.db = options.engine.db;
    this.now = options.now ?? Date.now;
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    const db = this.db;
    this.statements = {
      byKey: db.prepare(
        `SELECT id FROM pipeline_outcomes WHERE bucket = ? AND key = ? AND write_id = ?`,
      ),
      byId: db.prepare(`SELECT * FROM pipeline_outcomes WHERE id = ?`),
      insert: db.prepare(
        `INSERT INTO pipeline_outcomes (bucket, key, write_id, entry, created_at)
         VALUES (?, ?, ?, ?, ?)`,
      ),
      relayed: db.prepare(
        `UPDATE pipeline_outcomes SET relayed_at = ? WHERE id = ? AND relayed_at IS NULL`,
      ),
      messageSent: db.prepare(
        `UPDATE pipeline_outcomes SET message_sent_at = @at, review_item_id = @item,
           relayed_at = coalesce(relayed_at, @at)
         WHERE id = @id`,
      ),
      stuck: db.prepare(
        `SELECT id FROM pipeline_outcomes WHERE relayed_at IS NULL AND created_at <= ?
         ORDER BY id LIMIT 100`,
      ),
      settleable: db.prepare(
        `SELECT count(*) AS n, max(id) AS last, min(relayed_at) AS oldest
         FROM pipeline_outcomes WHERE relayed_at IS NOT NULL AND relayed_at <= ?`,
      ),
      settle: db.prepare(
        `DELETE FROM pipeline_outcomes
         WHERE relayed_at IS NOT NULL AND relayed_at <= ? AND id <= ?`,
      ),
      all: db.prepare(`SELECT id FROM pipeline_outcomes ORDER BY id`),
    };
  }

  /** The port for writes made as `context` (the tags' principal and causal chain). */
  as(context: WriteContext): OutcomeJournal {
    return {
      redelivered: (key) => this.redelivered(key),
      commit: (outcome) => this.commit(outcome, context),
    };
  }

  async redelivered(key: RecordKey): Promise<JournaledOutcome | undefined> {
    const found = this.statements.byKey.get(key.bucket, key.key, key.writeId) as
      { id: number } | undefined;
    if (!found) return undefined;
    const relayed = await this.relay(found.id, 'redelivery');
    return relayed && { ...relayed, recorded: { ...relayed.recorded, created: false } };
  }

  async commit(
    { ref, expected, tags, entry }: JournalEntry,
    context: WriteContext,
  ): Promise<JournaledOutcome> {
    const { engine } = this.options;
    const { id, journaledNow } = await engine.grouped(() => {
      const earlier = this.statements.byKey.get(entry.bucket, entry.key, entry.writeId) as
        { id: number } | undefined;
      // Another delivery got here first: its tags and outcome stand, whatever came since.
      if (earlier) return { id: earlier.id, journaledNow: false };
      if (tags) {
        const object = findIn(engine, ref);
        const head = object && { etag: object.etag, sequencer: sequencerOf(object.sequence) };
        if (staleness(head, expected) !== undefined)
          throw new ObjectChangedError(ref, object ? 'replaced' : 'deleted');
        engine.putTagsNow(
          ref.bucket,
          ref.key,
          tags,
          {
            principalId: context.principalId,
            ...(context.traceHeader ? { traceHeader: context.traceHeader } : {}),
          },
          ref.versionId,
        );
      }
      const { lastInsertRowid } = this.statements.insert.run(
        entry.bucket,
        entry.key,
        entry.writeId,
        JSON.stringify(entry),
        this.now(),
      );
      return { id: Number(lastInsertRowid), journaledNow: true };
    });
    const relayed = await this.relay(id, journaledNow ? 'first' : 'redelivery');
    if (!relayed) throw new Error(`journal row ${id} of s3://${ref.bucket}/${ref.key} vanished`);
    return { ...relayed, recorded: { ...relayed.recorded, created: journaledNow } };
  }

  /**
   * Relays every row left in the journal (after a restart: a crash or power cut may have
   * kept a row whose record or review message did not survive). Not a delivery: counts none.
   */
  async replay(): Promise<number> {
    const ids = (this.statements.all.all() as { id: number }[]).map((row) => row.id);
    for (const id of ids) await this.relay(id, 'replay');
    return ids.length;
  }

  /** Starts the sweep: relays rows left behind, settles relayed ones. */
  start(): void {
    this.timer ??= setInterval(() => {
      this.sweeping ??= this.sweep().finally(() => (this.sweeping = undefined));
    }, this.timing.sweepMs);
    this.timer.unref();
  }

  /** Stops the sweep and settles every relayed row (no delivery runs any more). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
    await Promise.allSettled(this.relaying.values());
    await this.settle(this.now(), 1);
  }

  /** One pass of the sweep (exposed for tests). */
  async sweep(): Promise<void> {
    const now = this.now();
    const stuck = this.statements.stuck.all(now - this.timing.stuckMs) as { id: number }[];
    for (const { id } of stuck) {
      if (this.relaying.has(id) || (this.triedAt.get(id) ?? -Infinity) > now - this.timing.stuckMs)
        continue;
      this.triedAt.set(id, now);
      try {
        await this.relay(id, 'replay');
        this.triedAt.delete(id);
      } catch (error) {
        this.options.logger?.warn({ err: error, journalRow: id }, 'outcome not relayed yet');
      }
    }
    try {
      await this.settle(now - this.timing.retainMs, this.timing.settleBatch);
    } catch (error) {
      this.options.logger?.error({ err: error }, 'could not settle the outcome journal');
    }
  }

  /**
   * Deletes rows relayed by `relayedBy` once the reporting store has made their records
   * durable: one flush (one fsync of reports.db) for the lot, when there are `batch` of them
   * or the oldest is past `settleAfterMs`.
   */
  private async settle(relayedBy: number, batch: number): Promise<void> {
    const { n, last, oldest } = this.statements.settleable.get(relayedBy) as {
      n: number;
      last: number | null;
      oldest: number | null;
    };
    if (n === 0 || last === null) return;
    if (n < batch && (oldest ?? Infinity) > this.now() - this.timing.settleAfterMs) return;
    await this.options.reports.flush();
    // Bookkeeping: lost in a power cut, the rows are relayed again, which changes nothing.
    await this.options.engine.grouped(() => this.statements.settle.run(relayedBy, last), {
      durable: false,
    });
  }

  /** Relays row `id`, one relay of a row at a time; undefined when the row is gone. */
  private relay(id: number, mode: RelayMode): Promise<JournaledOutcome | undefined> {
    const before = this.relaying.get(id) ?? Promise.resolve();
    const run = before
      .catch(() => {})
      .then(() => this.relayNow(id, mode))
      .finally(() => {
        if (this.relaying.get(id) === run) this.relaying.delete(id);
      });
    this.relaying.set(id, run);
    return run;
  }

  private async relayNow(id: number, mode: RelayMode): Promise<JournaledOutcome | undefined> {
    const row = this.statements.byId.get(id) as JournalRow | undefined;
    if (!row) return undefined;
    const { reports } = this.options;
    const entry = JSON.parse(row.entry) as NewTrackingRecord;
    // Not durable: this row keeps the outcome durably until settle() has flushed the store.
    const record = () => reports.record(entry, { durable: false });
    let recorded: Recorded;
    if (mode === 'first') recorded = await record();
    else if (mode === 'redelivery')
      recorded = (await reports.redelivered(entry)) ?? (await record());
    else recorded = (await this.stored(entry)) ?? (await record());
    const item = recorded.reviewItem;
    let sent = false;
    if (item && row.message_sent_at === null) {
      await this.sendReview(id, reviewMessage(recorded.record, item), item.id);
      sent = true;
    } else {
      if (item && item.messageSentAt === null && row.message_sent_at !== null)
        // Sent before a power cut that took the store's note of it: note it again.
        await reports.markReviewSent(item.id, row.message_sent_at);
      if (row.relayed_at === null)
        await this.options.engine.grouped(() => this.statements.relayed.run(this.now(), id), {
          durable: false,
        });
    }
    return { recorded, reviewMessageSent: sent };
  }

  /** What the store holds of the entry's write, without counting a delivery. */
  private async stored(key: RecordKey): Promise<Recorded | undefined> {
    const record = await this.options.reports.findRecord(key);
    if (!record) return undefined;
    return { record, created: false, reviewItem: await this.options.reports.findReviewItem(key) };
  }

  /**
   * Sends the review message and notes it on the row: in one commit for a Vigil queue, so
   * the row says "sent" exactly when the message exists; after the send for SQS. Not durable:
   * the row is settled only after a later commit, whose fsync covers this one (WAL order).
   */
  private async sendReview(id: number, message: ReviewMessage, itemId: number): Promise<void> {
    const { reviewQueue, engine, reports } = this.options;
    const note = () => this.statements.messageSent.run({ at: this.now(), item: itemId, id });
    try {
      if ('sendWithin' in reviewQueue)
        await engine.grouped(
          () => {
            reviewQueue.sendWithin(message);
            note();
          },
          { durable: false },
        );
      else {
        await reviewQueue.send(message);
        await engine.grouped(note, { durable: false });
      }
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      try {
        await reports.markReviewSendFailed(itemId, detail);
      } catch (bookkeeping) {
        throw new AggregateError([error, bookkeeping], `review message not sent: ${detail}`);
      }
      throw error;
    }
    await reports.markReviewSent(itemId, this.now());
  }
}
