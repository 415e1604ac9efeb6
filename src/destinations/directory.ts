import { randomBytes } from 'node:crypto';
import type { OutboxStore } from '../delivery/outbox-store.js';
import type { DestinationAdapter } from '../delivery/types.js';
import {
  buildTestEvent,
  parseDestinationArn,
  serializeEventMessage,
  type DestinationArn,
  type DestinationConfiguration,
  type DestinationKind,
  type NotificationDestinations,
} from '../events/index.js';
import type { SqliteDatabase } from '../storage/index.js';
import { NO_EXTERNAL_DESTINATIONS, type ExternalDestinations } from './external.js';
import { functionAdapter, type FunctionInvoker } from './function.js';
import { queueAdapter, type QueueSink } from './queue.js';
import { topicAdapter, type TopicSettings } from './topic.js';
import { webhookAdapter, type WebhookSettings } from './webhook.js';

/** Parses a destination ARN of any kind (queue, webhook, NATS, topic or function). */
export function readDestinationArn(arn: string): DestinationArn | undefined {
  return (['queue', 'topic', 'lambda'] as const)
    .map((kind) => parseDestinationArn(kind, arn))
    .find((parsed) => parsed !== undefined);
}

export interface DestinationDirectoryOptions {
  db: SqliteDatabase;
  outbox: OutboxStore;
  queues: QueueSink;
  functions: FunctionInvoker;
  region: string;
  accountId: string;
  /** Base URL Vigil is reachable at (for SNS envelopes' UnsubscribeURL). */
  publicUrl: () => string;
  /** Called when rows were added outside an object change (test events). */
  onRowsAdded: () => void;
  /** NATS JetStream subjects and other accounts' SQS queues declared in the config file. */
  external?: ExternalDestinations;
}

/**
 * Every destination an event can go to: Vigil's queues, topics, webhooks and functions, and
 * the NATS JetStream subjects and other accounts' SQS queues of the config file. Resolves
 * ARNs for the dispatcher, answers S3's "does this destination exist" question, sends
 * `s3:TestEvent` to new destinations, and keeps topics and webhooks (declared in the config
 * file or created through the admin API) in the database.
 */
export class DestinationDirectory implements NotificationDestinations {
  private readonly topics = new Map<string, TopicSettings>();
  private readonly webhooks = new Map<string, WebhookSettings>();
  private readonly external: ExternalDestinations;

  constructor(private readonly options: DestinationDirectoryOptions) {
    this.external = options.external ?? NO_EXTERNAL_DESTINATIONS;
    const rows = options.db.prepare('SELECT kind, name, settings FROM destinations').all() as {
      kind: 'topic' | 'webhook';
      name: string;
      settings: string;
    }[];
    for (const row of rows) {
      if (row.kind === 'topic')
        this.topics.set(row.name, JSON.parse(row.settings) as TopicSettings);
      else this.webhooks.set(row.name, JSON.parse(row.settings) as WebhookSettings);
    }
  }

  // ---- topics and webhooks ---------------------------------------------------------------

  topicArn(name: string): string {
    return `arn:aws:sns:${this.options.region}:${this.options.accountId}:${name}`;
  }

  webhookArn(name: string): string {
    return `arn:vigil:webhook:${this.options.region}:${this.options.accountId}:${name}`;
  }

  natsArn(name: string): string {
    return `arn:vigil:nats:${this.options.region}:${this.options.accountId}:${name}`;
  }

  queueArn(name: string): string {
    return `arn:aws:sqs:${this.options.region}:${this.options.accountId}:${name}`;
  }

  listTopics(): { name: string; arn: string; settings: TopicSettings }[] {
    return [...this.topics].map(([name, settings]) => ({
      name,
      arn: this.topicArn(name),
      settings,
    }));
  }

  listWebhooks(): { name: string; arn: string; settings: WebhookSettings }[] {
    return [...this.webhooks].map(([name, settings]) => ({
      name,
      arn: this.webhookArn(name),
      settings,
    }));
  }

  putTopic(name: string, settings: TopicSettings): void {
    this.save('topic', name, settings);
    this.topics.set(name, settings);
  }

  /** Creates or replaces a webhook; without a secret, one is generated (and returned). */
  putWebhook(
    name: string,
    settings: Omit<WebhookSettings, 'secret'> & { secret?: string | undefined },
  ): WebhookSettings {
    const complete = {
      ...settings,
      secret: settings.secret ?? randomBytes(24).toString('base64url'),
    };
    this.save('webhook', name, complete);
    this.webhooks.set(name, complete);
    return complete;
  }

  deleteTopic(name: string): boolean {
    this.topics.delete(name);
    return this.remove('topic', name);
  }

  deleteWebhook(name: string): boolean {
    this.webhooks.delete(name);
    return this.remove('webhook', name);
  }

  private save(kind: 'topic' | 'webhook', name: string, settings: unknown): void {
    this.options.db
      .prepare(
        `INSERT INTO destinations (kind, name, settings, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (kind, name) DO UPDATE SET settings = excluded.settings`,
      )
      .run(kind, name, JSON.stringify(settings), Date.now());
  }

  private remove(kind: 'topic' | 'webhook', name: string): boolean {
    return (
      this.options.db
        .prepare('DELETE FROM destinations WHERE kind = ? AND name = ?')
        .run(kind, name).changes > 0
    );
  }

  // ---- what S3 asks ----------------------------------------------------------------------

  /**
   * Whether S3 may invoke a function for a bucket's events: its resource policy must allow
   * it (AddPermission), as S3 checks before it accepts a LambdaFunctionConfiguration. Set by
   * the Lambda API once it is wired; functions of the config file need no permission.
   */
  setInvokePermission(check: (name: string, bucket: string) => boolean): void {
    this.invokePermission = check;
  }

  private invokePermission: ((name: string, bucket: string) => boolean) | undefined;

  problemWith(kind: DestinationKind, arn: string, _bucket: string): string | undefined {
    const parsed = readDestinationArn(arn);
    const local = parsed !== undefined && this.isLocal(parsed);
    switch (kind) {
      case 'queue':
        if (parsed?.service === 'webhook')
          return local && this.webhooks.has(parsed.name)
            ? undefined
            : 'The destination webhook does not exist';
        if (parsed?.service === 'nats')
          return local && this.external.jetstream(parsed.name)
            ? undefined
            : 'The destination NATS JetStream subject does not exist';
        if (parsed?.service === 'sqs' && this.external.sqs(arn)) return undefined;
        return parsed?.service === 'sqs' && local && this.options.queues.exists(parsed.name)
          ? undefined
          : 'The destination queue does not exist';
      case 'topic':
        return parsed?.service === 'sns' && local && this.topics.has(parsed.name)
          ? undefined
          : 'The destination topic does not exist';
      case 'lambda':
        return parsed?.service === 'lambda' &&
          local &&
          this.options.functions.has(parsed.name) &&
          (this.invokePermission?.(parsed.name, _bucket) ?? true)
          ? undefined
          : `Not authorized to invoke function [${arn}]`;
    }
  }

  configurationStored(
    bucket: string,
    added: readonly DestinationConfiguration[],
    ids: { requestId: string; hostId: string },
  ): void {
    const now = Date.now();
    const body = serializeEventMessage(
      buildTestEvent({
        bucket,
        origin: { requestId: ids.requestId, hostId: ids.hostId, time: new Date(now) },
      }),
    );
    // S3 tests queues and topics this way; functions it checks by permission instead. A
    // destination stored unvalidated (x-amz-skip-destination-validation) that does not
    // exist gets no test event, which would only dead-letter.
    const arns = new Set(added.filter((d) => d.kind !== 'lambda').map((d) => d.arn));
    for (const arn of arns) {
      if (!this.resolve(arn)) continue;
      this.options.outbox.insert(
        { destination: arn, bucket, key: '', eventName: 'TestEvent', body },
        now,
      );
    }
    if (arns.size > 0) setImmediate(() => this.options.onRowsAdded());
  }

  // ---- what the dispatcher asks ----------------------------------------------------------

  resolve(arn: string): DestinationAdapter | undefined {
    const parsed = readDestinationArn(arn);
    if (parsed?.service === 'sqs') {
      const external = this.external.sqs(arn);
      if (external) return external;
    }
    if (!parsed || !this.isLocal(parsed)) return undefined;
    switch (parsed.service) {
      case 'sqs':
        return this.options.queues.exists(parsed.name)
          ? queueAdapter(this.options.queues, parsed.name)
          : undefined;
      case 'sns': {
        const settings = this.topics.get(parsed.name);
        return settings
          ? topicAdapter({
              topicArn: arn,
              settings,
              store: this.options.outbox,
              publicUrl: this.options.publicUrl(),
            })
          : undefined;
      }
      case 'webhook': {
        const settings = this.webhooks.get(parsed.name);
        return settings ? webhookAdapter(settings) : undefined;
      }
      case 'lambda':
        return this.options.functions.has(parsed.name)
          ? functionAdapter(this.options.functions, parsed.name)
          : undefined;
      case 'nats':
        return this.external.jetstream(parsed.name);
    }
  }

  /**
   * Destinations named by this Vigil: same region and account (empty allowed for webhooks
   * and NATS subjects).
   */
  private isLocal(arn: DestinationArn): boolean {
    if (arn.service === 'webhook' || arn.service === 'nats')
      return (
        (arn.region === '' || arn.region === this.options.region) &&
        (arn.account === '' || arn.account === this.options.accountId)
      );
    return arn.region === this.options.region && arn.account === this.options.accountId;
  }
}
