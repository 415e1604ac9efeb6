/**
 * The `queue_messages` table. Every method is synchronous and runs in the caller's
 * transaction; `QueueService` decides which transaction (group commit, or the caller's own).
 */
import type { SqliteDatabase } from '../storage/index.js';
import type { QueueCounts } from './attributes.js';
import { decodeReceipt, newReceiptToken } from './receipt.js';
import { QueueError, invalidParameter, type MessageAttributes } from './types.js';

export interface MessageRow {
  seq: number;
  queue: string;
  message_id: string;
  body: string;
  message_attributes: string | null;
  trace_header: string | null;
  message_group_id: string | null;
  sender_id: string;
  sent_at: number;
  visible_at: number;
  receive_count: number;
  first_received_at: number | null;
  received_at: number | null;
  receipt_token: string | null;
  dead_letter_source_arn: string | null;
}

export interface NewMessage {
  queue: string;
  messageId: string;
  body: string;
  messageAttributes: MessageAttributes | undefined;
  traceHeader: string | undefined;
  messageGroupId: string | undefined;
  senderId: string;
  sentAt: number;
  visibleAt: number;
}

/** What a receive does with a visible message: hand it out, or move it to a dead-letter queue. */
export type ReceiveDecision = { kind: 'receive' } | { kind: 'move'; to: string; sourceArn: string };

const MAX_VISIBILITY_MS = 43_200_000;

export class MessageTable {
  private readonly statements;

  constructor(private readonly db: SqliteDatabase) {
    this.statements = {
      insert: db.prepare(
        `INSERT INTO queue_messages (queue, message_id, body, message_attributes, trace_header,
           message_group_id, sender_id, sent_at, visible_at)
         VALUES (@queue, @messageId, @body, @messageAttributes, @traceHeader, @messageGroupId,
           @senderId, @sentAt, @visibleAt)`,
      ),
      visible: db.prepare(
        `SELECT * FROM queue_messages INDEXED BY queue_messages_in_order
         WHERE queue = ? AND visible_at <= ? ORDER BY seq LIMIT ?`,
      ),
      markReceived: db.prepare(
        `UPDATE queue_messages SET receive_count = receive_count + 1, receipt_token = @token,
           first_received_at = coalesce(first_received_at, @now), received_at = @now,
           visible_at = @visibleAt
         WHERE seq = @seq RETURNING *`,
      ),
      move: db.prepare(
        `UPDATE queue_messages SET queue = @to, visible_at = @now, receipt_token = NULL,
           dead_letter_source_arn = @sourceArn WHERE seq = @seq`,
      ),
      bySeq: db.prepare('SELECT * FROM queue_messages WHERE seq = ?'),
      delete: db.prepare('DELETE FROM queue_messages WHERE seq = ?'),
      setVisibleAt: db.prepare('UPDATE queue_messages SET visible_at = ? WHERE seq = ?'),
      purge: db.prepare('DELETE FROM queue_messages WHERE queue = ?'),
      expire: db.prepare('DELETE FROM queue_messages WHERE queue = ? AND sent_at <= ?'),
      expireAll: db.prepare(
        `DELETE FROM queue_messages WHERE seq IN (
           SELECT m.seq FROM queue_messages m JOIN queues q ON q.name = m.queue
           WHERE m.sent_at <= @now - q.message_retention_period * 1000)`,
      ),
      counts: db.prepare(
        `SELECT coalesce(sum(visible_at <= @now), 0) AS ApproximateNumberOfMessages,
           coalesce(sum(visible_at > @now AND receipt_token IS NOT NULL), 0)
             AS ApproximateNumberOfMessagesNotVisible,
           coalesce(sum(visible_at > @now AND receipt_token IS NULL), 0)
             AS ApproximateNumberOfMessagesDelayed
         FROM queue_messages WHERE queue = @queue AND sent_at > @expiredBefore`,
      ),
      nextVisibleAt: db
        .prepare('SELECT min(visible_at) FROM queue_messages WHERE queue = ? AND visible_at > ?')
        .pluck(),
    };
  }

  insert(message: NewMessage): void {
    this.statements.insert.run({
      ...message,
      messageAttributes: message.messageAttributes && encodeAttributes(message.messageAttributes),
      traceHeader: message.traceHeader ?? null,
      messageGroupId: message.messageGroupId ?? null,
    });
  }

  /**
   * Receives up to `max` visible messages in send order, counting the receive at claim time
   * (a crash after it still counts). `decide` may send a message to a dead-letter queue
   * instead; moved messages do not count towards `max`.
   */
  receive(
    queue: string,
    max: number,
    now: number,
    visibilityTimeoutMs: number,
    decide: (row: MessageRow) => ReceiveDecision,
  ): { received: MessageRow[]; movedTo: Set<string> } {
    const received: MessageRow[] = [];
    const movedTo = new Set<string>();
    for (;;) {
      const rows = this.statements.visible.all(queue, now, max - received.length) as MessageRow[];
      if (rows.length === 0) return { received, movedTo };
      for (const row of rows) {
        const decision = decide(row);
        if (decision.kind === 'move' && decision.to !== queue) {
          this.statements.move.run({
            to: decision.to,
            now,
            sourceArn: decision.sourceArn,
            seq: row.seq,
          });
          movedTo.add(decision.to);
          continue;
        }
        const token = newReceiptToken();
        const updated = this.statements.markReceived.get({
          token,
          now,
          visibleAt: now + visibilityTimeoutMs,
          seq: row.seq,
        }) as MessageRow;
        received.push(updated);
      }
      if (received.length >= max) return { received, movedTo };
    }
  }

  /**
   * Deletes the message a receipt handle designates. A handle of a message already deleted
   * succeeds (SQS deletes are idempotent); one superseded by a later receive is refused as
   * expired, so a slow consumer cannot delete a message another consumer now holds.
   */
  /** Deletes the queue's messages whose JSON body has `value` at top-level `field`. */
  deleteByBodyField(queue: string, field: string, value: string | number): number {
    return this.db
      .prepare(
        `DELETE FROM queue_messages WHERE queue = ? AND json_valid(body)
           AND json_extract(body, '$.' || ?) = ?`,
      )
      .run(queue, field, value).changes;
  }

  deleteByReceipt(queue: string, handle: string): void {
    const row = this.rowForReceipt(queue, handle);
    if (row) this.statements.delete.run(row.seq);
  }

  /** Sets when the in-flight message of `handle` becomes visible again: now + timeout. */
  changeVisibility(queue: string, handle: string, timeoutSeconds: number, now: number): void {
    const row = this.rowForReceipt(queue, handle);
    if (!row) {
      throw invalidParameter(
        'ReceiptHandle',
        handle,
        'Message does not exist or is not available for visibility timeout change.',
      );
    }
    if (row.visible_at <= now) {
      throw new QueueError('MessageNotInflight', 'The message referred to is not in flight.');
    }
    const visibleAt = now + timeoutSeconds * 1000;
    if (visibleAt - (row.received_at ?? now) > MAX_VISIBILITY_MS) {
      throw invalidParameter(
        'VisibilityTimeout',
        timeoutSeconds,
        'Total VisibilityTimeout for the message is beyond the limit [43200 seconds]',
      );
    }
    this.statements.setVisibleAt.run(visibleAt, row.seq);
  }

  private rowForReceipt(queue: string, handle: string): MessageRow | undefined {
    const receipt = decodeReceipt(handle);
    if (!receipt || receipt.queue !== queue) {
      throw new QueueError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${handle}" is not a valid receipt handle.`,
      );
    }
    const row = this.statements.bySeq.get(receipt.seq) as MessageRow | undefined;
    if (!row) return undefined;
    if (row.queue !== queue || row.receipt_token !== receipt.token) {
      throw invalidParameter('ReceiptHandle', handle, 'The receipt handle has expired.');
    }
    return row;
  }

  purge(queue: string): number {
    return this.statements.purge.run(queue).changes;
  }

  /** Removes the queue's messages sent at or before `sentBefore` (retention). */
  expire(queue: string, sentBefore: number): number {
    return this.statements.expire.run(queue, sentBefore).changes;
  }

  /** Removes every queue's messages older than that queue's retention period. */
  expireAll(now: number): number {
    return this.statements.expireAll.run({ now }).changes;
  }

  /** Visible, in-flight and delayed messages, not counting those past retention. */
  counts(queue: string, now: number, expiredBefore: number): QueueCounts {
    return this.statements.counts.get({ queue, now, expiredBefore }) as QueueCounts;
  }

  /** When the next delayed or in-flight message of the queue becomes visible, if any. */
  nextVisibleAt(queue: string, now: number): number | undefined {
    const at = this.statements.nextVisibleAt.get(queue, now) as number | null;
    return at ?? undefined;
  }
}

type StoredAttribute = { DataType: string; StringValue?: string; BinaryValue?: string };

function encodeAttributes(attributes: MessageAttributes): string | null {
  const stored: Record<string, StoredAttribute> = {};
  for (const [name, value] of Object.entries(attributes)) {
    stored[name] =
      value.StringValue !== undefined
        ? { DataType: value.DataType, StringValue: value.StringValue }
        : {
            DataType: value.DataType,
            BinaryValue: Buffer.from(value.BinaryValue ?? []).toString('base64'),
          };
  }
  return Object.keys(stored).length > 0 ? JSON.stringify(stored) : null;
}

export function decodeAttributes(json: string | null): MessageAttributes {
  if (json === null) return {};
  const stored = JSON.parse(json) as Record<string, StoredAttribute>;
  const attributes: MessageAttributes = {};
  for (const [name, value] of Object.entries(stored)) {
    attributes[name] =
      value.BinaryValue !== undefined
        ? { DataType: value.DataType, BinaryValue: Buffer.from(value.BinaryValue, 'base64') }
        : { DataType: value.DataType, StringValue: value.StringValue ?? '' };
  }
  return attributes;
}
