/**
 * `vigil serve`'s events: the outbox and its dispatcher, the destinations (queues, topics,
 * webhooks, functions, NATS and other accounts' SQS), the default event bus, the object
 * history, and the metrics of all of it.
 */
import type { Logger } from 'pino';
import { ConfigError, type VigilConfig } from '../config/index.js';
import { Dispatcher } from '../delivery/dispatcher.js';
import { OutboxStore } from '../delivery/outbox-store.js';
import { installOutboxWriter } from '../delivery/outbox-writer.js';
import type { DeliverySettings } from '../delivery/types.js';
import { DestinationDirectory } from '../destinations/directory.js';
import { createExternalDestinations } from '../destinations/external.js';
import type { FunctionInvoker } from '../destinations/function.js';
import {
  ConfigRuleError,
  declareConfigRules,
  RuleStore,
  vigilTargetCheck,
} from '../eventbridge/index.js';
import { createDeliveryLogWriter, HistoryStore, installActivityWriter } from '../history/index.js';
import { VigilMetrics } from '../metrics/delivery-metrics.js';
import { QueueService, type QueueAttributes } from '../queue/index.js';
import type { ServeStorage } from './storage.js';

export interface ServeEvents {
  outbox: OutboxStore;
  queues: QueueService;
  directory: DestinationDirectory;
  dispatcher: Dispatcher;
  eventBus: RuleStore;
  history: HistoryStore;
  metrics: VigilMetrics;
  /** NATS connections and SQS clients of the external destinations. */
  closeExternal(): Promise<void>;
}

export async function wireEvents(
  config: VigilConfig,
  { engine, scope }: ServeStorage,
  links: {
    /** The functions destinations invoke (the runtime is built after the events). */
    functions: FunctionInvoker;
    publicUrl: () => string;
  },
  log: Logger,
): Promise<ServeEvents> {
  const outbox = new OutboxStore(engine.db);
  // Embedded mode has one dispatcher per database: claims left by a crashed process are void.
  outbox.releaseAllLeases();
  const queues = new QueueService({
    db: engine.db,
    grouped: (work, options) => engine.grouped(work, options),
    ...scope,
  });
  const metrics = new VigilMetrics(outbox);
  // NATS JetStream subjects and other accounts' SQS queues; NATS connects on first delivery.
  const external = createExternalDestinations(config, log.child({ component: 'destinations' }));
  const directory = new DestinationDirectory({
    db: engine.db,
    outbox,
    queues,
    functions: links.functions,
    ...scope,
    publicUrl: links.publicUrl,
    onRowsAdded: () => dispatcher.wake(),
    external,
  });
  const dispatcher = new Dispatcher({
    store: outbox,
    grouped: (work, options) => engine.grouped(work, options),
    durability: engine,
    resolve: (arn) => directory.resolve(arn),
    settings: deliverySettings(config),
    logger: log.child({ component: 'delivery' }),
    observer: metrics,
    onSettled: createDeliveryLogWriter(engine.db),
  });
  installActivityWriter(engine);
  const history = new HistoryStore(engine.db);
  // The default event bus: its rules in vigil.db, their targets Vigil's own destinations.
  const eventBus = new RuleStore({
    db: engine.db,
    ...scope,
    checkTarget: vigilTargetCheck(directory),
  });
  installOutboxWriter({
    engine,
    store: outbox,
    bucketOwnerId: config.accountId,
    region: config.region,
    onRowsAdded: () => dispatcher.wake(),
    onEmitted: (destination) => metrics.emitted(destination),
    eventBus,
  });
  await declareDestinations(config, queues, directory);
  try {
    declareConfigRules(config.eventBridge, eventBus);
  } catch (error) {
    if (error instanceof ConfigRuleError) throw new ConfigError(`Invalid ${error.message}`);
    throw error;
  }
  return {
    outbox,
    queues,
    directory,
    dispatcher,
    eventBus,
    history,
    metrics,
    closeExternal: () => external.close(),
  };
}

function deliverySettings(config: VigilConfig): DeliverySettings {
  const d = config.delivery;
  return {
    concurrency: d.concurrency,
    leaseMs: d.leaseSeconds * 1000,
    maxAttempts: d.maxAttempts,
    maxAgeMs: d.maxAgeSeconds * 1000,
    backoffBaseMs: d.backoffBaseMs,
    backoffMaxMs: d.backoffMaxMs,
    pollIntervalMs: d.pollIntervalMs,
  };
}

/** Creates (or brings up to date) the queues, webhooks and topics the config file declares. */
async function declareDestinations(
  config: VigilConfig,
  queues: QueueService,
  directory: DestinationDirectory,
): Promise<void> {
  // Queues first, without redrive policies, so every dead-letter target exists when they are set.
  for (const queue of config.queues) {
    const attributes: QueueAttributes = {};
    if (queue.visibilityTimeoutSeconds !== undefined)
      attributes['VisibilityTimeout'] = String(queue.visibilityTimeoutSeconds);
    if (queue.messageRetentionSeconds !== undefined)
      attributes['MessageRetentionPeriod'] = String(queue.messageRetentionSeconds);
    if (queues.exists(queue.name)) await queues.setAttributes(queue.name, attributes);
    else await queues.createQueue(queue.name, attributes);
  }
  for (const queue of config.queues) {
    if (!queue.deadLetter) continue;
    await queues.setAttributes(queue.name, {
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: directory.queueArn(queue.deadLetter.queue),
        maxReceiveCount: queue.deadLetter.maxReceiveCount,
      }),
    });
  }
  for (const webhook of config.webhooks) directory.putWebhook(webhook.name, webhook);
  for (const topic of config.topics) directory.putTopic(topic.name, topic);
}
