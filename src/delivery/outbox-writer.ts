import {
  buildEventMessage,
  buildEventRecord,
  matchingDestinations,
  serializeEventMessage,
  type EventOrigin,
  type NotificationConfiguration,
  type S3EventName,
} from '../events/index.js';
import { randomUUID } from 'node:crypto';
import {
  buildS3EventBridgeEvent,
  isS3EventBridgeEventName,
  type EventBus,
} from '../eventbridge/index.js';
import type { ChangeContext, ObjectChange, ObjectRecord, StorageEngine } from '../storage/index.js';
import type { OutboxStore } from './outbox-store.js';

export interface OutboxWriterOptions {
  engine: StorageEngine;
  store: OutboxStore;
  /** The bucket owner's principal id in event records. */
  bucketOwnerId: string;
  region: string;
  /** Called after a change added rows (outside the transaction, once it has committed). */
  onRowsAdded: () => void;
  /** Counts events written per destination. */
  onEmitted?: (destination: string) => void;
  /**
   * The default event bus: a bucket with an EventBridgeConfiguration sends it every event,
   * and each matching rule's targets get a row of their own (same transaction, same
   * delivery guarantees).
   */
  eventBus?: EventBus;
  now?: () => Date;
}

/**
 * The producing half of the transactional outbox: a storage change hook that, inside the
 * object change's own transaction, turns the change into S3's event message and inserts one
 * row per matching destination of the bucket's notification configuration. If the
 * transaction rolls back, so do the rows; if it commits, the rows are there.
 */
export function installOutboxWriter(options: OutboxWriterOptions): void {
  const { engine, store } = options;
  const now = options.now ?? (() => new Date());
  const configs = new NotificationConfigCache(engine);
  let wakeScheduled = false;

  engine.onChange((change, context) => {
    const event = describe(change);
    const config = configs.get(event.bucket);
    if (!config) return;
    const destinations = matchingDestinations(config, `s3:${event.eventName}`, event.key);
    const toBus = config.eventBridge && options.eventBus !== undefined;
    if (destinations.length === 0 && !toBus) return;
    const origin = originOf(context, options.region, now());
    const traceHeader =
      typeof context['traceHeader'] === 'string' ? context['traceHeader'] : undefined;
    const insert = (destination: string, body: string) => {
      store.insert(
        {
          destination,
          bucket: event.bucket,
          key: event.key,
          eventName: event.eventName,
          body,
          traceHeader,
        },
        origin.time.getTime(),
      );
      options.onEmitted?.(destination);
    };
    if (toBus && isS3EventBridgeEventName(event.eventName)) {
      const busEvent = buildS3EventBridgeEvent({
        eventName: event.eventName,
        bucket: event.bucket,
        object: event.object,
        origin,
        account: options.bucketOwnerId,
        id: randomUUID,
        ...(event.restore || event.restoreSource
          ? {
              restore: {
                sourceStorageClass: event.restore?.storageClass ?? event.restoreSource!,
                ...(event.restore ? { expiryTime: event.restore.expiryTime } : {}),
              },
            }
          : {}),
        ...(event.destinationStorageClass
          ? { destinationStorageClass: event.destinationStorageClass }
          : {}),
      });
      for (const delivery of options.eventBus!.deliveriesFor(busEvent))
        insert(delivery.targetArn, delivery.body);
    }
    for (const destination of destinations) {
      const record = buildEventRecord({
        eventName: event.eventName,
        configurationId: destination.id,
        bucket: event.bucket,
        bucketOwnerId: options.bucketOwnerId,
        origin,
        object: event.object,
        ...(event.restore ? { restore: event.restore } : {}),
        ...(event.destinationStorageClass
          ? { destinationStorageClass: event.destinationStorageClass }
          : {}),
      });
      insert(destination.arn, serializeEventMessage(buildEventMessage([record])));
    }
    if (!wakeScheduled) {
      wakeScheduled = true;
      // The hook runs inside the transaction; setImmediate fires after it has committed.
      setImmediate(() => {
        wakeScheduled = false;
        options.onRowsAdded();
      });
    }
  });
}

interface DescribedChange {
  eventName: S3EventName;
  bucket: string;
  key: string;
  object: { key: string; size?: number; etag?: string; versionId?: string; sequence?: number };
  restore?: { expiryTime: Date; storageClass: string };
  /** ObjectRestore:Post: the archived class the restore reads from. */
  restoreSource?: string;
  destinationStorageClass?: string;
}

const CREATED_EVENT: Record<'put' | 'copy' | 'post' | 'complete-multipart', S3EventName> = {
  put: 'ObjectCreated:Put',
  post: 'ObjectCreated:Post',
  copy: 'ObjectCreated:Copy',
  'complete-multipart': 'ObjectCreated:CompleteMultipartUpload',
};

/** Which S3 event a storage change is, and the object fields its record carries. */
function describe(change: ObjectChange): DescribedChange {
  switch (change.kind) {
    case 'created': {
      const { object } = change;
      return {
        eventName: CREATED_EVENT[change.via],
        bucket: object.bucket,
        key: object.key,
        object: fieldsOf(object),
      };
    }
    case 'removed': {
      // A delete in a versioned bucket that named no version made a delete marker.
      const versionId = change.deleteMarker?.versionId ?? change.versionId;
      const family = change.byLifecycle ? 'LifecycleExpiration' : 'ObjectRemoved';
      return {
        eventName: change.deleteMarker ? `${family}:DeleteMarkerCreated` : `${family}:Delete`,
        bucket: change.bucket,
        key: change.key,
        object: {
          key: change.key,
          ...(versionId !== undefined ? { versionId } : {}),
          sequence: change.sequence,
        },
      };
    }
    case 'tagging-put':
    case 'tagging-deleted': {
      const { object } = change;
      return {
        eventName: change.kind === 'tagging-put' ? 'ObjectTagging:Put' : 'ObjectTagging:Delete',
        bucket: object.bucket,
        key: object.key,
        object: { key: object.key, etag: unquote(object.etag), sequence: object.sequence },
      };
    }
    case 'restore-initiated':
    case 'restore-completed':
    case 'restore-expired':
    case 'transitioned': {
      const { object } = change;
      const described: DescribedChange = {
        eventName: ARCHIVE_EVENT[change.kind],
        bucket: object.bucket,
        key: object.key,
        object: fieldsOf(object),
      };
      if (change.kind === 'restore-completed' && object.restore && !object.restore.ongoing)
        described.restore = {
          expiryTime: new Date(object.restore.expiresAt),
          storageClass: change.restoredFrom,
        };
      if (change.kind === 'restore-initiated')
        described.restoreSource = object.storageClass ?? 'STANDARD';
      if (change.kind === 'transitioned')
        described.destinationStorageClass = object.storageClass ?? 'STANDARD';
      return described;
    }
  }
}

const ARCHIVE_EVENT = {
  'restore-initiated': 'ObjectRestore:Post',
  'restore-completed': 'ObjectRestore:Completed',
  'restore-expired': 'ObjectRestore:Delete',
  transitioned: 'LifecycleTransition',
} as const satisfies Record<string, S3EventName>;

/** The record fields of a version that exists: key, size, ETag, version id, sequence. */
function fieldsOf(object: ObjectRecord): DescribedChange['object'] {
  return {
    key: object.key,
    size: object.size,
    etag: unquote(object.etag),
    ...(object.versionId !== undefined ? { versionId: object.versionId } : {}),
    sequence: object.sequence,
  };
}

function unquote(etag: string): string {
  return etag.replace(/^"|"$/g, '');
}

function originOf(context: ChangeContext, region: string, time: Date): EventOrigin {
  const text = (name: string) => (typeof context[name] === 'string' ? context[name] : '');
  return {
    requestId: text('requestId'),
    hostId: text('hostId'),
    principalId: text('principalId'),
    // Node reports IPv4 clients on a dual-stack socket as ::ffff:a.b.c.d; S3 prints a.b.c.d.
    sourceIp: text('sourceIp').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1'),
    region: text('region') || region,
    time,
  };
}

/**
 * Parsed notification configurations by bucket, re-read when the stored JSON changes (the
 * check is one indexed read of a small row, cheaper than parsing on every change).
 */
class NotificationConfigCache {
  private readonly parsed = new Map<string, { json: string; config: NotificationConfiguration }>();

  constructor(private readonly engine: StorageEngine) {}

  get(bucket: string): NotificationConfiguration | undefined {
    const json = this.engine.getNotificationConfiguration(bucket);
    if (json === undefined) {
      this.parsed.delete(bucket);
      return undefined;
    }
    const cached = this.parsed.get(bucket);
    if (cached?.json === json) return cached.config;
    const config = JSON.parse(json) as NotificationConfiguration;
    this.parsed.set(bucket, { json, config });
    return config;
  }
}
