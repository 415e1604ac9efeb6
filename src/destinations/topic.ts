import { randomUUID } from 'node:crypto';
import type { OutboxStore } from '../delivery/outbox-store.js';
import type { DestinationAdapter, OutboxEntry } from '../delivery/types.js';
import { buildSnsNotification } from '../events/index.js';

export interface TopicSubscription {
  /** ARN of a Vigil queue, webhook or function. */
  endpoint: string;
  /** SNS's RawMessageDelivery: the S3 message itself instead of the SNS envelope. */
  raw: boolean;
}

export interface TopicSettings {
  subscriptions: TopicSubscription[];
}

/**
 * SNS-style fan-out. Delivering to a topic means, in one transaction, replacing its outbox
 * row with one row per subscription carrying SNS's notification envelope — so each
 * subscriber then gets its own retries, ordering and dead letters, and a crash in between
 * loses nothing.
 */
export function topicAdapter(options: {
  topicArn: string;
  settings: TopicSettings;
  store: OutboxStore;
  publicUrl: string;
  now?: () => number;
}): DestinationAdapter {
  const now = options.now ?? Date.now;
  return {
    kind: 'transactional',
    deliverInTransaction(entry: OutboxEntry): void {
      const timestamp = now();
      const messageId = randomUUID();
      const envelope = JSON.stringify(
        buildSnsNotification({
          topicArn: options.topicArn,
          message: entry.body,
          // S3 notifications carry S3's subject; EventBridge events reach topics without one.
          ...(entry.body.startsWith('{"Records":') ? { subject: 'Amazon S3 Notification' } : {}),
          messageId,
          timestamp: new Date(timestamp),
          unsubscribeUrl: `${options.publicUrl}/_vigil/admin/topics`,
          signingCertUrl: '',
          signature: '',
        }),
      );
      for (const subscription of options.settings.subscriptions) {
        options.store.insert(
          {
            destination: subscription.endpoint,
            bucket: entry.bucket,
            key: entry.key,
            eventName: entry.eventName,
            body: subscription.raw ? entry.body : envelope,
            traceHeader: entry.traceHeader ?? undefined,
          },
          timestamp,
          entry.createdAt,
        );
      }
    },
  };
}
