import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { pino, type Logger } from 'pino';
import { createAdminRoute } from './admin/api.js';
import { LoginLimiter } from './console/login-limiter.js';
import { ReviewDesk } from './console/review-desk.js';
import { createConsoleRoute } from './console/route.js';
import { SessionStore } from './console/sessions.js';
import { Thumbnails } from './console/thumbnails.js';
import { ConsoleUsers, type GeneratedPassword } from './console/users.js';
import {
  ConfigError,
  resolveRootCredentials,
  type RootCredentials,
  type VigilConfig,
} from './config/index.js';
import type { ReportStore } from './reporting/index.js';
import { Dispatcher } from './delivery/dispatcher.js';
import { OutboxStore } from './delivery/outbox-store.js';
import { installOutboxWriter } from './delivery/outbox-writer.js';
import type { DeliverySettings } from './delivery/types.js';
import { DestinationDirectory } from './destinations/directory.js';
import { createExternalDestinations } from './destinations/external.js';
import { InProcessFunctions, type FunctionInvoker } from './destinations/function.js';
import {
  ConfigRuleError,
  createEventBridgeRoute,
  declareConfigRules,
  RuleStore,
  vigilTargetCheck,
} from './eventbridge/index.js';
import { createFunctionRuntime, type FunctionRuntime } from './functions/index.js';
import type { FunctionDefinition } from './functions/types.js';
import { createGateRoute, sendsUploadsTo } from './gate/index.js';
import {
  buildTimeline,
  createDeliveryLogWriter,
  HistoryStore,
  installActivityWriter,
  pruneHistory,
} from './history/index.js';
import type { ImageHasher } from './memory/index.js';
import { ThreadedHasher } from './memory/threaded-hasher.js';
import { configuredModerator, type ConfiguredModerator } from './moderation/configured.js';
import { createRekognitionRoute } from './moderation/rekognition-api.js';
import type { Moderator } from './moderation/types.js';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsReviewQueue } from './pipeline/adapters/sqs.js';
import { EngineOutcomeJournal } from './pipeline/adapters/outcome-journal.js';
import { EngineObjectStore, VigilReviewQueue } from './pipeline/adapters/vigil.js';
import { moderateEvent, outcomeLogLine } from './pipeline/moderate-image.js';
import type { PipelinePorts, ReviewQueue } from './pipeline/ports.js';
import { ReviewSweeper } from './pipeline/review-sweeper.js';
import { isCleared, SqliteReportStore } from './reporting/index.js';
import { openReportStore } from './reporting/open.js';
import { createHttpServer, type HealthReport, type Route } from './http/server.js';
import { VigilMetrics } from './metrics/delivery-metrics.js';
import {
  createSqsQueryRoute,
  createSqsRoute,
  QueueService,
  type QueueAttributes,
} from './queue/index.js';
import { createS3Api } from './s3/api.js';
import type { NotificationConfiguration } from './events/index.js';
import {
  MultipartUploads,
  StorageEngine,
  archiveSettings,
  lockDataDir,
  SpaceReserve,
  startBackgroundChanges,
} from './storage/index.js';

export interface RunningVigil {
  /** Base URL, e.g. `http://127.0.0.1:9000`. */
  url: string;
  port: number;
  credentials: RootCredentials;
  /** Console passwords generated at this start (to print once). */
  consolePasswords: GeneratedPassword[];
  engine: StorageEngine;
  queues: QueueService;
  outbox: OutboxStore;
  dispatcher: Dispatcher;
  destinations: DestinationDirectory;
  /** Functions registered in this process (tests, embedders); config-declared ones run in `runtime`. */
  functions: InProcessFunctions;
  /** The Lambda-style runtime of the functions declared in the config. */
  runtime: FunctionRuntime;
  metrics: VigilMetrics;
  /** Answers DetectModerationLabels (the local model unless the config says otherwise). */
  moderator: Moderator;
  logger: Logger;
  /** Graceful stop: refuse new requests, finish in-flight ones and deliveries, close storage. */
  stop(): Promise<void>;
}

/**
 * Starts Vigil in this process: storage, the outbox and its dispatcher, queues, topics and
 * webhooks, the S3, SQS and admin APIs, metrics, and the HTTP server.
 */
export async function startVigil(config: VigilConfig, logger?: Logger): Promise<RunningVigil> {
  // One data directory, one Vigil (ADR 24): a second one stops here, naming the first.
  const lock = await lockDataDir(config.dataDir).catch((error: unknown) => {
    // On a full disk, say so as the storage engine would (how much space Vigil needs).
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') SpaceReserve.check(config.dataDir);
    throw error;
  });
  try {
    const vigil = await startOnDataDir(config, logger ?? pino({ level: config.logLevel }));
    return {
      ...vigil,
      stop: async () => {
        try {
          await vigil.stop();
        } finally {
          lock.release();
        }
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function startOnDataDir(config: VigilConfig, log: Logger): Promise<RunningVigil> {
  // Storage first: it refuses to start, saying how much space it needs, on a full disk.
  const engine = await StorageEngine.open({
    dataDir: config.dataDir,
    fsync: config.fsync,
    log: log.child({ component: 'storage' }),
    archive: archiveSettings(config.scheduler),
  });
  const credentials = await resolveRootCredentials(config.dataDir, config).catch(
    (error: unknown) => {
      engine.close();
      throw error;
    },
  );
  const multipart = new MultipartUploads(engine);
  const secrets = new Map([[credentials.accessKeyId, credentials.secretAccessKey]]);
  const lookupSecret = (id: string) => secrets.get(id);
  const scope = { region: config.region, accountId: config.accountId };

  const outbox = new OutboxStore(engine.db);
  // Embedded mode has one dispatcher per database: claims left by a crashed process are void.
  outbox.releaseAllLeases();
  const queues = new QueueService({
    db: engine.db,
    grouped: (work, options) => engine.grouped(work, options),
    ...scope,
  });
  const inProcess = new InProcessFunctions();
  const metrics = new VigilMetrics(outbox);
  let publicUrl = '';
  // The review queue: a Vigil queue by name, or an SQS queue by URL (reached through the AWS
  // SDK with the credentials of Vigil's environment, as on Lambda).
  const reviewSqs = /^https?:\/\//.test(config.pipeline.reviewQueue)
    ? new SQSClient({ region: config.region })
    : undefined;
  const reviewQueue: ReviewQueue = reviewSqs
    ? new SqsReviewQueue(reviewSqs, config.pipeline.reviewQueue)
    : new VigilReviewQueue(queues, config.pipeline.reviewQueue);
  const runtime = createFunctionRuntime({
    engine,
    definitions: [
      moderateImageFunction(config, () => ({
        engine,
        moderator,
        reviewQueue,
        reports: reportStore,
        journal,
        ...(hasher ? { hasher } : {}),
      })),
      ...config.functions,
    ],
    onFailure: queues,
    ...scope,
    endpointUrl: () => publicUrl,
    credentials,
    logger: log.child({ component: 'functions' }),
    observer: metrics,
  });
  // Destinations reach config-declared functions through the runtime (durable, retried,
  // logged), and functions registered in-process directly. Only the outbox calls this, and
  // its row in vigil.db outlives the acceptance: no fsync of its own needed (ADR 17).
  const functions: FunctionInvoker = {
    has: (name) => runtime.has(name) || inProcess.has(name),
    invoke: (name, event, options) =>
      runtime.has(name)
        ? runtime.invoke(name, event, { ...options, durable: false })
        : inProcess.invoke(name, event),
  };
  // NATS JetStream subjects and other accounts' SQS queues; NATS connects on first delivery.
  const external = createExternalDestinations(config, log.child({ component: 'destinations' }));
  const directory = new DestinationDirectory({
    db: engine.db,
    outbox,
    queues,
    functions,
    ...scope,
    publicUrl: () => publicUrl,
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
    engine.close();
    if (error instanceof ConfigRuleError) throw new ConfigError(`Invalid ${error.message}`);
    throw error;
  }
  if (!queues.exists(config.pipeline.reviewQueue))
    await queues.createQueue(config.pipeline.reviewQueue);
  if (config.seed) seedScenario(engine, config);
  const moderator = configuredModerator(config, (line) =>
    log.debug({ component: 'moderation' }, line),
  );
  // Image memory's hasher (ADR 14), in a thread of its own started by the first image; with
  // the local backend it hashes the frame the models then classify (one decode for both).
  const hasher = config.pipeline.memory.enabled
    ? new ThreadedHasher(moderator.frameSource())
    : undefined;
  // The tracking records moderate-image writes, review decisions and the audit log: read by
  // the gate's closed mode, the console and the review sweeper.
  let reportStore: ReportStore;
  try {
    reportStore = await openReportStore({
      dataDir: config.dataDir,
      ...(config.reporting.url ? { url: config.reporting.url } : {}),
      ...(config.reporting.schema ? { schema: config.reporting.schema } : {}),
    });
  } catch (error) {
    engine.close();
    if (engine.space.isOutOfSpace(error)) throw engine.space.startFailure(error);
    throw new ConfigError(
      `reporting.url: cannot open the reporting database (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
  // moderate-image's tags and outcomes, one commit each, relayed to the reporting store and
  // the review queue (ADR 19). Rows a crash left behind are relayed before any delivery.
  const journal = new EngineOutcomeJournal({
    engine,
    reports: reportStore,
    reviewQueue,
    logger: log.child({ component: 'outcome-journal' }),
  });
  await journal.replay();
  journal.start();
  const reportsFile = reportStore instanceof SqliteReportStore ? reportStore : undefined;
  metrics.countWalSyncs({
    'vigil.db': () => engine.walSyncs,
    ...(reportsFile ? { 'reports.db': () => reportsFile.walSyncs } : {}),
  });
  // No mode set: closed while the bucket sends its uploads to moderate-image (the seed's
  // `uploads` does), so nothing is served before it is judged.
  const gateBuckets = {
    ...(config.seed ? { [SEED_BUCKET]: { blockedStatus: 451 as const } } : {}),
    ...config.gate.buckets,
  };

  const s3 = createS3Api(
    { engine, multipart, ...scope, logger: log, notifications: directory },
    { lookupSecret, domains: config.domains },
  );
  const consoleUsers = await ConsoleUsers.load(config.dataDir, credentials, config.console.users);
  const desk = new ReviewDesk({
    reports: reportStore,
    engine,
    withdrawMessages: (id) =>
      queues.exists(config.pipeline.reviewQueue)
        ? queues.deleteByBodyField(config.pipeline.reviewQueue, 'reviewItemId', id)
        : Promise.resolve(0),
    leaseMs: config.console.claimLeaseSeconds * 1000,
    logger: log.child({ component: 'console' }),
  });
  const routes: Route[] = [
    createConsoleRoute({
      users: consoleUsers.users,
      sessions: new SessionStore(config.console.sessionHours * 3_600_000),
      loginLimiter: new LoginLimiter(config.console.loginAttempts),
      desk,
      reports: reportStore,
      thumbnails: new Thumbnails(join(config.dataDir, 'thumbnails'), engine),
      engine,
      outbox,
      wake: () => dispatcher.wake(),
      functions: runtime,
      timeline: (bucket, key) => objectTimeline(history, reportStore, bucket, key),
      deliveryStats: (since) => history.deliveryStats(since),
      vcpuHourUsd: config.reporting.vcpuHourUsd,
      logger: log.child({ component: 'console' }),
    }),
    createSqsRoute({ queues, lookupSecret, ...scope, logger: log }),
    createSqsQueryRoute({ queues, lookupSecret, ...scope, logger: log }),
    createAdminRoute({
      outbox,
      directory,
      queues: adminQueues(queues, directory),
      wake: () => dispatcher.wake(),
      functions: runtime,
      ...scope,
      lookupSecret,
      logger: log,
    }),
    createRekognitionRoute({
      moderator,
      engine,
      lookupSecret,
      logger: log.child({ component: 'rekognition' }),
    }),
    createEventBridgeRoute({
      rules: eventBus,
      lookupSecret,
      ...scope,
      logger: log.child({ component: 'eventbridge' }),
    }),
    createGateRoute({
      engine,
      buckets: gateBuckets,
      cleared: (write) => isCleared(reportStore, write),
      moderated: (bucket) => sendsUploadsTo(notificationsOf(engine, bucket), MODERATE_IMAGE),
      logger: log.child({ component: 'gate' }),
    }),
    metricsRoute(metrics),
  ];
  const http = createHttpServer({ s3, routes, logger: log, health: () => health(moderator) });
  const address = await http.listen(config.port, config.host);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const urlHost = host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host;
  publicUrl = `http://${urlHost}:${address.port}`;
  dispatcher.start();
  runtime.start();
  // Restores that complete and expire, lifecycle rules that come due (state in vigil.db).
  const background = startBackgroundChanges(engine, {
    ownerId: config.accountId,
    settings: config.scheduler,
    logger: log.child({ component: 'scheduler' }),
  });
  if (config.moderation.warm) warmModeration(moderator, log);
  // Sends review messages a delivery left owed (see ReviewSweeper).
  const sweeper = new ReviewSweeper({
    ports: { reviewQueue, reports: reportStore, clock: { now: () => Date.now() } },
    logger: log.child({ component: 'review-sweeper' }),
  });
  sweeper.start();
  // Receives expire their own queue's old messages; this covers queues nobody reads.
  const expiry = setInterval(() => {
    queues
      .removeExpired()
      .catch((error: unknown) =>
        log.error({ err: error }, 'could not remove expired queue messages'),
      );
  }, 60_000);
  expiry.unref();
  // The object history behind the console's timelines: kept `history.retentionDays`.
  const retentionMs = config.history.retentionDays * 86_400_000;
  const pruning = setInterval(() => {
    pruneHistory(engine.db, Date.now() - retentionMs).catch((error: unknown) =>
      log.error({ err: error }, 'could not prune the object history'),
    );
  }, 3_600_000);
  pruning.unref();
  return {
    url: publicUrl,
    port: address.port,
    credentials,
    consolePasswords: consoleUsers.generated,
    engine,
    queues,
    outbox,
    dispatcher,
    destinations: directory,
    functions: inProcess,
    runtime,
    metrics,
    moderator,
    logger: log,
    stop: async () => {
      clearInterval(expiry);
      clearInterval(pruning);
      queues.close(); // parked long polls answer now instead of holding the drain
      await http.shutdown();
      await background.stop();
      await dispatcher.stop();
      await external.close();
      await runtime.stop();
      await sweeper.stop();
      await journal.stop();
      reviewSqs?.destroy();
      await moderator.close();
      await hasher?.close();
      await reportStore.close();
      engine.close();
    },
  };
}

/** One object key's story: Vigil's own history, with verdicts and decisions from the reports. */
async function objectTimeline(
  history: HistoryStore,
  reports: ReportStore,
  bucket: string,
  key: string,
) {
  const [records, audit] = await Promise.all([
    reports.recordsFor(bucket, key),
    reports.auditFor(bucket, key),
  ]);
  const decisions = new Set(['review.approve', 'review.keep-blocked', 'review.delete']);
  return buildTimeline({
    ...history.objectHistory(bucket, key),
    verdicts: records,
    reviews: audit
      .filter((a) => decisions.has(a.action))
      .map((a) => ({
        etag: a.etag,
        at: a.at,
        actor: a.actor,
        action: a.action.slice('review.'.length),
        note: a.note,
        tagsBefore: a.tagsBefore,
        tagsAfter: a.tagsAfter,
      })),
  });
}

const SEED_BUCKET = 'uploads';

/** What the built-in moderate-image function works with inside Vigil. */
interface BuiltInParts {
  engine: StorageEngine;
  moderator: Moderator;
  reviewQueue: ReviewQueue;
  reports: ReportStore;
  journal: EngineOutcomeJournal;
  /** Present when image memory is on. */
  hasher?: ImageHasher;
}

/**
 * Ready once the moderator is (when warming at start): until then 503 `"moderation":
 * "warming"`, so a client that waits for health sees its first image judged at full speed.
 * A moderator that failed to load keeps health at 503 with its error: images would be
 * failed and sent to review, never judged.
 */
function health(moderator: ConfiguredModerator): HealthReport {
  const status = moderator.status();
  switch (status.state) {
    case 'warming':
      return { ready: false, body: { status: 'starting', moderation: 'warming' } };
    case 'failed':
      return {
        ready: false,
        body: { status: 'degraded', moderation: 'failed', error: status.error },
      };
    default:
      return { ready: true, body: { status: 'ok', moderation: status.state } };
  }
}

/** Loads the moderation models in the background, saying how long it took. */
function warmModeration(moderator: ConfiguredModerator, log: Logger): void {
  const started = performance.now();
  moderator.warm().then(
    () =>
      log.info(
        { component: 'moderation', ms: Math.round(performance.now() - started) },
        'moderation models loaded and warm',
      ),
    (error: unknown) =>
      log.error({ component: 'moderation', err: error }, 'moderation models failed to load'),
  );
}

/** The built-in moderation function's name (its ARN ends in `:function:moderate-image`). */
const MODERATE_IMAGE = 'moderate-image';

/** A bucket's notification configuration, or undefined when it has none (or is gone). */
function notificationsOf(
  engine: StorageEngine,
  bucket: string,
): NotificationConfiguration | undefined {
  if (!engine.getBucket(bucket)) return undefined;
  const json = engine.getNotificationConfiguration(bucket);
  return json === undefined ? undefined : (JSON.parse(json) as NotificationConfiguration);
}

/**
 * The built-in moderate-image function: the pipeline's core (src/pipeline/moderate-image)
 * over Vigil's own parts (adapters/vigil), run inline by the function runtime — queued,
 * retried and logged like any function, without a worker thread of its own or HTTP calls
 * back to this process (ADR 11). `src/pipeline/lambda.ts` runs the same core on AWS Lambda.
 */
function moderateImageFunction(config: VigilConfig, parts: () => BuiltInParts): FunctionDefinition {
  const workers = config.moderation.workers ?? availableParallelism();
  return {
    name: MODERATE_IMAGE,
    module: '(built in)',
    inline: async (event, _context, invocation) => {
      const { engine, moderator, reviewQueue, reports, journal, hasher } = parts();
      const writer = { principalId: MODERATE_IMAGE, traceHeader: invocation.traceHeader };
      const ports: PipelinePorts = {
        objects: new EngineObjectStore(engine, writer),
        moderator,
        reviewQueue,
        reports,
        journal: journal.as(writer),
        clock: { now: () => Date.now() },
        ...(hasher ? { hasher } : {}),
      };
      const outcomes = await moderateEvent(event, ports, config.pipeline, (outcome) =>
        invocation.log(outcomeLogLine(outcome)),
      );
      return { outcomes };
    },
    timeoutSeconds: 30,
    memoryMb: 512,
    // Enough invocations in flight to keep every moderation worker busy while others wait
    // on storage or the queue.
    reservedConcurrency: Math.min(16, Math.max(2, 2 * workers)),
    maximumRetryAttempts: 2,
    maximumEventAgeSeconds: 21_600,
    retryDelaysSeconds: [1, 5],
    recursiveLoop: 'Terminate',
  };
}

/**
 * The seed scenario (README quick start): bucket `uploads`, whose `content/images/*.jpg`
 * uploads go to moderate-image. Created only when the bucket does not exist yet, so a user's
 * own configuration of it is never overwritten.
 */
function seedScenario(engine: StorageEngine, config: VigilConfig): void {
  if (engine.getBucket(SEED_BUCKET)) return;
  engine.createBucket(SEED_BUCKET, config.region);
  const seed: NotificationConfiguration = {
    eventBridge: false,
    destinations: [
      {
        kind: 'lambda',
        id: 'moderate-uploaded-images',
        arn: `arn:aws:lambda:${config.region}:${config.accountId}:function:moderate-image`,
        events: ['s3:ObjectCreated:*'],
        filterRules: [
          { name: 'Prefix', value: 'content/images/' },
          { name: 'Suffix', value: '.jpg' },
        ],
      },
    ],
  };
  engine.putNotificationConfiguration(SEED_BUCKET, JSON.stringify(seed));
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

/** `/_vigil/metrics` in Prometheus text format; no authentication, like most exporters. */
function metricsRoute(metrics: VigilMetrics): Route {
  return {
    name: 'metrics',
    matches: (req) =>
      req.url === '/_vigil/metrics' || (req.url?.startsWith('/_vigil/metrics?') ?? false),
    handle: async (req, res) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      const text = await metrics.registry.metrics();
      res.writeHead(200, {
        'content-type': metrics.registry.contentType,
        'content-length': Buffer.byteLength(text),
      });
      res.end(req.method === 'HEAD' ? undefined : text);
    },
  };
}
