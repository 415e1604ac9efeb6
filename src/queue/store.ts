import { performance } from 'node:perf_hooks';
import type { SqliteDatabase } from '../storage/index.js';
import {
  DEFAULT_SETTINGS,
  attributeValue,
  firstDifference,
  parseQueueAttributes,
  requestedAttributes,
  type SettingChanges,
} from './attributes.js';
import { assertLimit } from './limits.js';
import { MessageTable, type MessageRow, type ReceiveDecision } from './message-table.js';
import { assertQueueName, queueNameFromArn, type QueueScope } from './names.js';
import { prepareMessage } from './outgoing-message.js';
import { QueueTable } from './queue-table.js';
import { toMessage } from './received-message.js';
import {
  QueueError,
  invalidParameter,
  type BatchOutcome,
  type Message,
  type MessageToSend,
  type QueueAttributes,
  type QueueInfo,
  type QueueSettings,
  type ReceiveOptions,
  type SendOptions,
  type SentMessage,
  type VisibilityChange,
} from './types.js';
import { Waiters } from './waiters.js';

export interface QueueServiceOptions {
  db: SqliteDatabase;
  /**
   * Runs a write in a transaction and resolves once it is durably committed: the storage
   * engine's group commit (`engine.grouped`), so an acknowledged send is on disk.
   */
  grouped: <T>(work: () => T, options?: { durable?: boolean }) => Promise<T>;
  region: string;
  accountId: string;
  /** Clock in epoch milliseconds, for visibility, delays and retention. Default `Date.now`. */
  now?: () => number;
}

const PURGE_INTERVAL_MS = 60_000;

/**
 * Vigil's built-in queues with SQS standard-queue semantics, kept in SQLite. Messages are
 * handed out in send order; a receive hides them for the visibility timeout and counts the
 * receive; a message received more than `maxReceiveCount` times moves to its dead-letter
 * queue on the next receive; messages older than the retention period are removed.
 *
 * @example
 * const queues = new QueueService({ db: engine.db, grouped: (w) => engine.grouped(w),
 *   region: 'us-east-1', accountId: '000000000000' });
 * await queues.createQueue('jobs', { VisibilityTimeout: '60' });
 * await queues.send('jobs', 'hello');
 * const [message] = await queues.receive('jobs', { waitTimeSeconds: 20 });
 * await queues.delete('jobs', message!.receiptHandle);
 */
export class QueueService {
  readonly scope: QueueScope;
  private readonly now: () => number;
  private readonly grouped: QueueServiceOptions['grouped'];
  private readonly queues: QueueTable;
  private readonly messages: MessageTable;
  private readonly waiters = new Waiters();

  constructor(options: QueueServiceOptions) {
    this.scope = { region: options.region, accountId: options.accountId };
    this.now = options.now ?? Date.now;
    this.grouped = options.grouped;
    this.queues = new QueueTable(options.db, this.scope);
    this.messages = new MessageTable(options.db);
  }

  // ---- queues ------------------------------------------------------------------------

  /**
   * Creates a queue, or returns the existing one when every attribute given matches it
   * (attributes not given are not compared, as SQS does).
   *
   * @throws QueueError `QueueNameExists` naming the first attribute that differs; the
   *   attribute and name errors of `parseQueueAttributes` and `assertQueueName`.
   */
  async createQueue(
    name: string,
    attributes: QueueAttributes = {},
  ): Promise<{ queue: QueueInfo; created: boolean }> {
    assertQueueName(name);
    const changes = parseQueueAttributes(attributes, this.scope);
    return this.grouped(() => {
      const existing = this.queues.get(name);
      if (existing) {
        const differs = firstDifference(existing, changes);
        if (differs) {
          throw new QueueError(
            'QueueNameExists',
            `A queue already exists with the same name and a different value for attribute ${differs}`,
          );
        }
        return { queue: existing, created: false };
      }
      const settings = this.applyChanges(DEFAULT_SETTINGS, changes);
      this.queues.insert(name, settings, this.now());
      return { queue: this.queues.get(name)!, created: true };
    });
  }

  /** Deletes a queue and its messages; parked receives on it return. */
  async deleteQueue(name: string): Promise<void> {
    await this.grouped(() => {
      if (!this.queues.delete(name)) throw new QueueError('QueueDoesNotExist');
    });
    this.waiters.wake(name);
  }

  /**
   * Queue names starting with `prefix`, in binary order. With `maxResults` (1–1000) the
   * answer is paginated: pass `nextToken` back to continue.
   */
  listQueues(
    prefix = '',
    page: { maxResults?: number; nextToken?: string } = {},
  ): { names: string[]; nextToken?: string } {
    return this.queues.page(prefix, page);
  }

  getQueue(name: string): QueueInfo | undefined {
    return this.queues.get(name);
  }

  exists(name: string): boolean {
    return this.queues.get(name) !== undefined;
  }

  /** The queue an `arn:aws:sqs:<region>:<account>:<name>` ARN of this scope designates. */
  findQueueByArn(arn: string): QueueInfo | undefined {
    const name = queueNameFromArn(this.scope, arn);
    return name === undefined ? undefined : this.queues.get(name);
  }

  /** The requested attributes (`All` for every one) as GetQueueAttributes returns them. */
  getAttributes(name: string, names: readonly string[]): QueueAttributes {
    const wanted = requestedAttributes(names);
    const queue = this.requireQueue(name);
    const now = this.now();
    const counts = this.messages.counts(name, now, now - queue.messageRetentionPeriod * 1000);
    const result: QueueAttributes = {};
    for (const attribute of wanted) {
      const value = attributeValue(queue, counts, attribute);
      if (value !== undefined) result[attribute] = value;
    }
    return result;
  }

  /** Changes settings; `RedrivePolicy: ''` removes the dead-letter queue. */
  async setAttributes(name: string, attributes: QueueAttributes): Promise<void> {
    const changes = parseQueueAttributes(attributes, this.scope);
    await this.grouped(() => {
      const queue = this.requireQueue(name);
      this.queues.update(name, this.applyChanges(queue, changes), this.now());
    });
  }

  /** Deletes every message of the queue; SQS allows one purge per queue every 60 seconds. */
  async purge(name: string): Promise<void> {
    await this.grouped(() => {
      this.requireQueue(name);
      const now = this.now();
      const last = this.queues.lastPurgedAt(name);
      if (last !== undefined && now - last < PURGE_INTERVAL_MS) {
        throw new QueueError(
          'PurgeQueueInProgress',
          `Only one PurgeQueue operation on ${name} is allowed every 60 seconds.`,
        );
      }
      this.messages.purge(name);
      this.queues.setPurgedAt(name, now);
    });
  }

  // ---- messages ----------------------------------------------------------------------

  /** Sends a message; resolves once it is durably stored. */
  send(queue: string, body: string, options: SendOptions = {}): Promise<SentMessage> {
    return this.grouped(() => this.sendInTransaction(queue, body, options));
  }

  /** Sends several messages in one transaction; each entry succeeds or fails on its own. */
  sendBatch(
    queue: string,
    messages: readonly MessageToSend[],
  ): Promise<BatchOutcome<SentMessage>[]> {
    return this.grouped(() => {
      this.requireQueue(queue);
      return messages.map((message) =>
        outcomeOf(() => this.sendInTransaction(queue, message.body, message.options)),
      );
    });
  }

  /**
   * Sends a message inside the caller's transaction, for callers that already hold one (the
   * event dispatcher removes an outbox row and inserts the message atomically). Only inserts;
   * long-poll receivers are woken after the current synchronous transaction has ended.
   *
   * @throws QueueError `QueueDoesNotExist`, or the validation errors SendMessage returns.
   */
  sendInTransaction(queue: string, body: string, options: SendOptions = {}): SentMessage {
    const { row, sent } = prepareMessage(this.requireQueue(queue), body, options, {
      now: this.now(),
      defaultSenderId: this.scope.accountId,
    });
    this.messages.insert(row);
    // Runs after this synchronous transaction (ours or the caller's) has committed.
    setImmediate(() => this.waiters.wake(queue));
    return sent;
  }

  /**
   * Receives up to `maxNumberOfMessages` messages in send order. With a wait time (the
   * option, else the queue's ReceiveMessageWaitTimeSeconds) it long-polls: it returns as
   * soon as a message can be received, or empty when the time is up.
   */
  async receive(queue: string, options: ReceiveOptions = {}): Promise<Message[]> {
    const max = options.maxNumberOfMessages ?? 1;
    assertLimit('MaxNumberOfMessages', max);
    if (options.visibilityTimeout !== undefined) {
      assertLimit('VisibilityTimeout', options.visibilityTimeout);
    }
    if (options.waitTimeSeconds !== undefined)
      assertLimit('WaitTimeSeconds', options.waitTimeSeconds);
    const waitMs =
      (options.waitTimeSeconds ?? this.requireQueue(queue).receiveMessageWaitTimeSeconds) * 1000;
    const started = performance.now();
    for (;;) {
      if (options.signal?.aborted || this.waiters.isClosed) return [];
      // A receive only hides messages and counts the receive: if a power cut forgets that,
      // the messages are simply received again, which SQS semantics allow. Not waiting for
      // fsync keeps long-poll wake-ups quick.
      const attempt = await this.grouped(() => this.receiveNow(queue, max, options), {
        durable: false,
      });
      if (attempt.rows.length > 0) {
        return attempt.rows.map((row) =>
          toMessage(row, options.attributeNames ?? [], options.messageAttributeNames ?? []),
        );
      }
      const remaining = waitMs - (performance.now() - started);
      if (remaining <= 0) return [];
      const untilVisible =
        attempt.nextVisibleAt === undefined ? Infinity : attempt.nextVisibleAt - this.now();
      await this.waiters.wait(
        queue,
        Math.min(remaining, Math.max(untilVisible, 1)),
        options.signal,
      );
    }
  }

  private receiveNow(
    queue: string,
    max: number,
    options: ReceiveOptions,
  ): { rows: MessageRow[]; nextVisibleAt: number | undefined } {
    const info = this.requireQueue(queue);
    const now = this.now();
    this.messages.expire(queue, now - info.messageRetentionPeriod * 1000);
    const visibilityMs = (options.visibilityTimeout ?? info.visibilityTimeout) * 1000;
    const { received, movedTo } = this.messages.receive(
      queue,
      max,
      now,
      visibilityMs,
      this.redriveDecision(info),
    );
    for (const target of movedTo) setImmediate(() => this.waiters.wake(target));
    return {
      rows: received,
      nextVisibleAt: received.length > 0 ? undefined : this.messages.nextVisibleAt(queue, now),
    };
  }

  private redriveDecision(queue: QueueInfo): (row: MessageRow) => ReceiveDecision {
    const policy = queue.redrivePolicy;
    const target = policy && this.findQueueByArn(policy.deadLetterTargetArn);
    // A dead-letter queue deleted since the policy was set: messages stay and are delivered.
    if (!policy || !target || target.name === queue.name) return () => ({ kind: 'receive' });
    return (row) =>
      row.receive_count >= policy.maxReceiveCount
        ? { kind: 'move', to: target.name, sourceArn: queue.arn }
        : { kind: 'receive' };
  }

  /**
   * Deletes a received message. Deleting one already deleted succeeds.
   *
   * @throws QueueError `ReceiptHandleIsInvalid` for a handle Vigil did not issue for this
   *   queue; `InvalidParameterValue` when a later receive superseded the handle.
   */
  async delete(queue: string, receiptHandle: string): Promise<void> {
    await this.grouped(() => {
      this.requireQueue(queue);
      this.messages.deleteByReceipt(queue, receiptHandle);
    });
  }

  /**
   * Deletes every message of the queue, received or not, whose JSON body has `value` at
   * `field` (a top-level member): how the console withdraws a review message once the item
   * is decided, without holding its receipt handle.
   *
   * @returns how many messages it deleted.
   */
  deleteByBodyField(queue: string, field: string, value: string | number): Promise<number> {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(field))
      throw new Error(`not a plain member name: ${field}`);
    return this.grouped(() => {
      this.requireQueue(queue);
      return this.messages.deleteByBodyField(queue, field, value);
    });
  }

  /** Deletes several messages in one transaction; each entry succeeds or fails on its own. */
  deleteBatch(queue: string, receiptHandles: readonly string[]): Promise<BatchOutcome[]> {
    return this.grouped(() => {
      this.requireQueue(queue);
      return receiptHandles.map((handle) =>
        outcomeOf(() => this.messages.deleteByReceipt(queue, handle)),
      );
    });
  }

  /**
   * Hides an in-flight message for `visibilityTimeout` seconds from now; 0 makes it
   * receivable at once.
   *
   * @throws QueueError `MessageNotInflight`, `ReceiptHandleIsInvalid`, `InvalidParameterValue`.
   */
  async changeVisibility(
    queue: string,
    receiptHandle: string,
    visibilityTimeout: number,
  ): Promise<void> {
    const [outcome] = await this.changeVisibilityBatch(queue, [
      { receiptHandle, visibilityTimeout },
    ]);
    if (outcome && !outcome.ok) throw outcome.error;
  }

  changeVisibilityBatch(
    queue: string,
    changes: readonly VisibilityChange[],
  ): Promise<BatchOutcome[]> {
    return this.grouped(() => {
      this.requireQueue(queue);
      const now = this.now();
      const outcomes = changes.map((change) =>
        outcomeOf(() => {
          assertLimit('VisibilityTimeout', change.visibilityTimeout);
          this.messages.changeVisibility(
            queue,
            change.receiptHandle,
            change.visibilityTimeout,
            now,
          );
        }),
      );
      if (changes.some((change, i) => change.visibilityTimeout === 0 && outcomes[i]!.ok)) {
        setImmediate(() => this.waiters.wake(queue));
      }
      return outcomes;
    });
  }

  /** Removes every queue's expired messages (receives also do it for their own queue). */
  removeExpired(): Promise<number> {
    return this.grouped(() => this.messages.expireAll(this.now()));
  }

  /** Ends parked long polls now and makes later receives return at once (shutdown). */
  close(): void {
    this.waiters.close();
  }

  private requireQueue(name: string): QueueInfo {
    const queue = this.queues.get(name);
    if (!queue) throw new QueueError('QueueDoesNotExist');
    return queue;
  }

  private applyChanges(base: QueueSettings, changes: SettingChanges): QueueSettings {
    const { redrivePolicy, ...integers } = changes;
    const settings: QueueSettings = { ...base, ...integers };
    if (redrivePolicy === null) delete settings.redrivePolicy;
    if (redrivePolicy) {
      if (!this.findQueueByArn(redrivePolicy.deadLetterTargetArn)) {
        throw invalidParameter(
          'RedrivePolicy',
          JSON.stringify(redrivePolicy),
          'Dead letter target does not exist.',
        );
      }
      settings.redrivePolicy = redrivePolicy;
    }
    return settings;
  }
}

function outcomeOf<T>(work: () => T): BatchOutcome<T> {
  try {
    return { ok: true, value: work() };
  } catch (error) {
    if (error instanceof QueueError) return { ok: false, error };
    throw error;
  }
}
