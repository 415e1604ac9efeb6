/**
 * The APIs `vigil serve` answers besides S3 and the console: Lambda, SQS (JSON and query), the
 * admin API, Rekognition, EventBridge, the serving gate and metrics.
 */
import type { Logger } from 'pino';
import { createAdminRoute } from '../admin/api.js';
import type { VigilConfig } from '../config/index.js';
import type { DestinationDirectory } from '../destinations/directory.js';
import { createEventBridgeRoute } from '../eventbridge/index.js';
import type { NotificationConfiguration } from '../events/index.js';
import { createGateRoute, sendsUploadsTo } from '../gate/index.js';
import type { Route } from '../http/server.js';
import { createIamRoute } from '../iam/api.js';
import { authorizeMetrics, metricsBearerToken } from '../metrics/bearer-token.js';
import type { VigilMetrics } from '../metrics/delivery-metrics.js';
import { createRekognitionRoute } from '../moderation/rekognition-api.js';
import {
  createSqsQueryRoute,
  createSqsRoute,
  type QueueAttributes,
  type QueueService,
} from '../queue/index.js';
import { isCleared } from '../reporting/index.js';
import type { StorageEngine } from '../storage/index.js';
import type { ServeEvents } from './events.js';
import type { ServeLambda } from './lambda.js';
import { MODERATE_IMAGE, SEED_BUCKET, type ServePipeline } from './pipeline.js';
import type { ServeStorage } from './storage.js';

export function serviceRoutes(
  config: VigilConfig,
  { engine, scope, identity, proxies }: ServeStorage,
  { outbox, queues, directory, dispatcher, eventBus, metrics }: ServeEvents,
  { runtime, moderator, reports }: ServePipeline,
  log: Logger,
  lambda: ServeLambda,
): Route[] {
  // No mode set: closed while the bucket sends its uploads to moderate-image (the seed's
  // `uploads` does), so nothing is served before it is judged.
  const gateBuckets = {
    ...(config.seed ? { [SEED_BUCKET]: { blockedStatus: 451 as const } } : {}),
    ...config.gate.buckets,
  };
  return [
    // Chosen by the SigV4 scope (service `lambda`), before the S3 API sees the path.
    lambda.route,
    // Before SQS's query API, which also takes form-encoded POSTs to `/`.
    createIamRoute({
      identity,
      accountId: scope.accountId,
      proxies,
      logger: log.child({ component: 'iam' }),
    }),
    createSqsRoute({ queues, gate: identity.gate, proxies, ...scope, logger: log }),
    createSqsQueryRoute({ queues, gate: identity.gate, proxies, ...scope, logger: log }),
    createAdminRoute({
      outbox,
      directory,
      queues: adminQueues(queues, directory),
      wake: () => dispatcher.wake(),
      functions: runtime,
      ...scope,
      gate: identity.gate,
      proxies,
      logger: log,
    }),
    createRekognitionRoute({
      moderator,
      engine,
      gate: identity.gate,
      proxies,
      logger: log.child({ component: 'rekognition' }),
    }),
    createEventBridgeRoute({
      rules: eventBus,
      gate: identity.gate,
      proxies,
      ...scope,
      logger: log.child({ component: 'eventbridge' }),
    }),
    createGateRoute({
      engine,
      buckets: gateBuckets,
      cleared: (write) => isCleared(reports, write),
      moderated: (bucket) => sendsUploadsTo(notificationsOf(engine, bucket), MODERATE_IMAGE),
      logger: log.child({ component: 'gate' }),
    }),
    metricsRoute(metrics, metricsBearerToken(config.metrics)),
  ];
}

/** A bucket's notification configuration, or undefined when it has none (or is gone). */
function notificationsOf(
  engine: StorageEngine,
  bucket: string,
): NotificationConfiguration | undefined {
  if (!engine.getBucket(bucket)) return undefined;
  const json = engine.getNotificationConfiguration(bucket);
  return json === undefined ? undefined : (JSON.parse(json) as NotificationConfiguration);
}

function adminQueues(queues: QueueService, directory: DestinationDirectory) {
  return {
    list: () =>
      queues.listQueues().names.map((name) => ({
        name,
        arn: directory.queueArn(name),
        attributes: queues.getAttributes(name, ['All']),
      })),
    create: async (
      name: string,
      settings: {
        visibilityTimeoutSeconds?: number | undefined;
        messageRetentionSeconds?: number | undefined;
      },
    ) => {
      const attributes: QueueAttributes = {};
      if (settings.visibilityTimeoutSeconds !== undefined)
        attributes['VisibilityTimeout'] = String(settings.visibilityTimeoutSeconds);
      if (settings.messageRetentionSeconds !== undefined)
        attributes['MessageRetentionPeriod'] = String(settings.messageRetentionSeconds);
      if (queues.exists(name)) await queues.setAttributes(name, attributes);
      else await queues.createQueue(name, attributes);
    },
    remove: async (name: string) => {
      if (!queues.exists(name)) return false;
      await queues.deleteQueue(name);
      return true;
    },
  };
}

/**
 * `/_vigil/metrics` in Prometheus text format; with `metrics.bearerToken` (or its file), only
 * for requests that carry it.
 */
function metricsRoute(metrics: VigilMetrics, token: string | undefined): Route {
  return {
    name: 'metrics',
    matches: (req) =>
      req.url === '/_vigil/metrics' || (req.url?.startsWith('/_vigil/metrics?') ?? false),
    handle: async (req, res) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (!authorizeMetrics(req, res, token)) return;
      const text = await metrics.registry.metrics();
      res.writeHead(200, {
        'content-type': metrics.registry.contentType,
        'content-length': Buffer.byteLength(text),
      });
      res.end(req.method === 'HEAD' ? undefined : text);
    },
  };
}
