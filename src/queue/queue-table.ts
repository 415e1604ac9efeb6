/** The `queues` table: synchronous, in the caller's transaction. */
import type { SqliteDatabase } from '../storage/index.js';
import { queueArn, type QueueScope } from './names.js';
import { invalidParameter, type QueueInfo, type QueueSettings } from './types.js';

interface QueueRow {
  name: string;
  visibility_timeout: number;
  message_retention_period: number;
  maximum_message_size: number;
  delay_seconds: number;
  receive_wait_time_seconds: number;
  dead_letter_target_arn: string | null;
  max_receive_count: number | null;
  created_at: number;
  last_modified_at: number;
  last_purged_at: number | null;
}

export class QueueTable {
  private readonly statements;

  constructor(
    db: SqliteDatabase,
    private readonly scope: QueueScope,
  ) {
    this.statements = {
      get: db.prepare('SELECT * FROM queues WHERE name = ?'),
      insert: db.prepare(
        `INSERT INTO queues (name, visibility_timeout, message_retention_period,
           maximum_message_size, delay_seconds, receive_wait_time_seconds,
           dead_letter_target_arn, max_receive_count, created_at, last_modified_at)
         VALUES (@name, @visibilityTimeout, @messageRetentionPeriod, @maximumMessageSize,
           @delaySeconds, @receiveMessageWaitTimeSeconds, @deadLetterTargetArn,
           @maxReceiveCount, @now, @now)`,
      ),
      update: db.prepare(
        `UPDATE queues SET visibility_timeout = @visibilityTimeout,
           message_retention_period = @messageRetentionPeriod,
           maximum_message_size = @maximumMessageSize, delay_seconds = @delaySeconds,
           receive_wait_time_seconds = @receiveMessageWaitTimeSeconds,
           dead_letter_target_arn = @deadLetterTargetArn, max_receive_count = @maxReceiveCount,
           last_modified_at = @now
         WHERE name = @name`,
      ),
      delete: db.prepare('DELETE FROM queues WHERE name = ?'),
      list: db
        .prepare(
          `SELECT name FROM queues
         WHERE substr(name, 1, length(@prefix)) = @prefix AND name > @after
         ORDER BY name LIMIT @limit`,
        )
        .pluck(),
      lastPurgedAt: db.prepare('SELECT last_purged_at FROM queues WHERE name = ?').pluck(),
      setPurgedAt: db.prepare('UPDATE queues SET last_purged_at = ? WHERE name = ?'),
    };
  }

  get(name: string): QueueInfo | undefined {
    const row = this.statements.get.get(name) as QueueRow | undefined;
    return row && this.fromRow(row);
  }

  insert(name: string, settings: QueueSettings, now: number): void {
    this.statements.insert.run({ name, now, ...columnsOf(settings) });
  }

  update(name: string, settings: QueueSettings, now: number): void {
    this.statements.update.run({ name, now, ...columnsOf(settings) });
  }

  delete(name: string): boolean {
    return this.statements.delete.run(name).changes === 1;
  }

  /**
   * Names starting with `prefix`, in binary order: up to 1000, or a page of `maxResults`
   * (1–1000) with a `nextToken` when more follow.
   */
  page(
    prefix: string,
    { maxResults, nextToken }: { maxResults?: number; nextToken?: string },
  ): { names: string[]; nextToken?: string } {
    if (
      maxResults !== undefined &&
      !(Number.isInteger(maxResults) && maxResults >= 1 && maxResults <= 1000)
    ) {
      throw invalidParameter('MaxResults', maxResults, 'Must be between 1 and 1000, if provided.');
    }
    const after = nextToken === undefined ? '' : decodeNextToken(nextToken);
    const limit = maxResults ?? 1000;
    const names = this.statements.list.all({ prefix, after, limit: limit + 1 }) as string[];
    const page = names.slice(0, limit);
    return names.length > limit && maxResults !== undefined
      ? { names: page, nextToken: Buffer.from(page.at(-1)!).toString('base64url') }
      : { names: page };
  }

  lastPurgedAt(name: string): number | undefined {
    return (this.statements.lastPurgedAt.get(name) as number | null) ?? undefined;
  }

  setPurgedAt(name: string, now: number): void {
    this.statements.setPurgedAt.run(now, name);
  }

  private fromRow(row: QueueRow): QueueInfo {
    const info: QueueInfo = {
      name: row.name,
      arn: queueArn(this.scope, row.name),
      visibilityTimeout: row.visibility_timeout,
      messageRetentionPeriod: row.message_retention_period,
      maximumMessageSize: row.maximum_message_size,
      delaySeconds: row.delay_seconds,
      receiveMessageWaitTimeSeconds: row.receive_wait_time_seconds,
      createdAt: row.created_at,
      lastModifiedAt: row.last_modified_at,
    };
    if (row.dead_letter_target_arn !== null && row.max_receive_count !== null) {
      info.redrivePolicy = {
        deadLetterTargetArn: row.dead_letter_target_arn,
        maxReceiveCount: row.max_receive_count,
      };
    }
    return info;
  }
}

function columnsOf(settings: QueueSettings) {
  return {
    visibilityTimeout: settings.visibilityTimeout,
    messageRetentionPeriod: settings.messageRetentionPeriod,
    maximumMessageSize: settings.maximumMessageSize,
    delaySeconds: settings.delaySeconds,
    receiveMessageWaitTimeSeconds: settings.receiveMessageWaitTimeSeconds,
    deadLetterTargetArn: settings.redrivePolicy?.deadLetterTargetArn ?? null,
    maxReceiveCount: settings.redrivePolicy?.maxReceiveCount ?? null,
  };
}

/** A NextToken is the last name of the previous page, base64url-encoded. */
function decodeNextToken(token: string): string {
  const after = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, 'base64url').toString() : '';
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(after)) {
    throw invalidParameter('NextToken', token, 'Invalid NextToken value.');
  }
  return after;
}
