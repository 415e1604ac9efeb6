/**
 * `vigil serve`'s moderation pipeline: the built-in moderate-image function and the config's
 * own functions in the function runtime, the moderation parts (shared with `vigil worker`),
 * the review queue, the reporting store, the outcome journal and the review sweeper.
 */
import { availableParallelism } from 'node:os';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import { ConfigError, type VigilConfig } from '../config/index.js';
import { createFunctionRuntime, type FunctionRuntime } from '../functions/index.js';
import type { FunctionDefinition } from '../functions/types.js';
import type { NotificationConfiguration } from '../events/index.js';
import { moderationParts, type ModerationParts } from '../moderation/parts.js';
import {
  AuthorizedObjectStore,
  moderateImagePolicy,
  type RoleCheck,
  type TriggerScope,
} from '../pipeline/adapters/authorized.js';
import { EngineOutcomeJournal } from '../pipeline/adapters/outcome-journal.js';
import { SqsReviewQueue } from '../pipeline/adapters/sqs.js';
import { EngineObjectStore, VigilReviewQueue } from '../pipeline/adapters/vigil.js';
import { moderateEvent, outcomeLogLine } from '../pipeline/moderate-image.js';
import type { PipelinePorts, ReviewQueue } from '../pipeline/ports.js';
import { ReviewSweeper } from '../pipeline/review-sweeper.js';
import { SqliteReportStore, type ReportStore } from '../reporting/index.js';
import { openReportStore } from '../reporting/open.js';
import { executionSession } from '../iam/index.js';
import { bucketPolicy } from '../s3/access.js';
import type { StorageEngine } from '../storage/index.js';
import type { ServeEvents } from './events.js';
import type { ServeStorage } from './storage.js';

/** The built-in moderation function's name (its ARN ends in `:function:moderate-image`). */
export const MODERATE_IMAGE = 'moderate-image';
/** The execution role of moderate-image, as the seed's template names it. */
export const MODERATE_IMAGE_ROLE = 'moderate-image-role';

/** The bucket of the seed scenario (README quick start). */
export const SEED_BUCKET = 'uploads';

export interface ServePipeline extends ModerationParts {
  runtime: FunctionRuntime;
  reports: ReportStore;
  reviewQueue: ReviewQueue;
  /** Starts the runtime and the review sweeper. */
  start(): void;
  /** Stops the runtime, the sweeper and the journal, and closes what they use. */
  stop(): Promise<void>;
}

export async function wirePipeline(
  config: VigilConfig,
  { engine, scope, credentials, identity }: ServeStorage,
  { queues, metrics }: ServeEvents,
  links: { publicUrl: () => string },
  log: Logger,
): Promise<ServePipeline> {
  // The review queue: a Vigil queue by name, or an SQS queue by URL (reached through the AWS
  // SDK with the credentials of Vigil's environment, as on Lambda).
  const reviewSqs = /^https?:\/\//.test(config.pipeline.reviewQueue)
    ? new SQSClient({ region: config.region })
    : undefined;
  const reviewQueue: ReviewQueue = reviewSqs
    ? new SqsReviewQueue(reviewSqs, config.pipeline.reviewQueue)
    : new VigilReviewQueue(queues, config.pipeline.reviewQueue);
  if (!queues.exists(config.pipeline.reviewQueue))
    await queues.createQueue(config.pipeline.reviewQueue);
  if (config.seed) seedScenario(engine, config);
  // The tracking records moderate-image writes, review decisions and the audit log: read by
  // the gate's closed mode, the console and the review sweeper.
  let reports: ReportStore;
  try {
    reports = await openReportStore({
      dataDir: config.dataDir,
      ...(config.reporting.url ? { url: config.reporting.url } : {}),
      ...(config.reporting.schema ? { schema: config.reporting.schema } : {}),
    });
  } catch (error) {
    if (engine.space.isOutOfSpace(error)) throw engine.space.startFailure(error);
    throw new ConfigError(
      `reporting.url: cannot open the reporting database (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
  const moderation = moderationParts(config, log);
  // moderate-image's tags and outcomes, one commit each, relayed to the reporting store and
  // the review queue (ADR 19). Rows a crash left behind are relayed before any delivery.
  const journal = new EngineOutcomeJournal({
    engine,
    reports,
    reviewQueue,
    logger: log.child({ component: 'outcome-journal' }),
  });
  await journal.replay();
  journal.start();
  const reportsFile = reports instanceof SqliteReportStore ? reports : undefined;
  metrics.countWalSyncs({
    'vigil.db': () => engine.walSyncs,
    ...(reportsFile ? { 'reports.db': () => reportsFile.walSyncs } : {}),
  });
  const runtime = createFunctionRuntime({
    engine,
    definitions: [
      moderateImageFunction(config, {
        engine,
        reviewQueue,
        reports,
        journal,
        role: moderateImageRole(config, engine),
        ...moderation,
      }),
      ...configFunctions(config, log),
    ],
    onFailure: queues,
    ...scope,
    roleCredentials: (fn) => executionSession(identity, scope.accountId, fn.name, fn.role!),
    endpointUrl: links.publicUrl,
    credentials,
    logger: log.child({ component: 'functions' }),
    observer: metrics,
  });
  // Sends review messages a delivery left owed (see ReviewSweeper).
  const sweeper = new ReviewSweeper({
    ports: { reviewQueue, reports, clock: { now: () => Date.now() } },
    logger: log.child({ component: 'review-sweeper' }),
  });
  return {
    ...moderation,
    runtime,
    reports,
    reviewQueue,
    start: () => {
      runtime.start();
      sweeper.start();
    },
    stop: async () => {
      await runtime.stop();
      await sweeper.stop();
      await journal.stop();
      reviewSqs?.destroy();
      await moderation.close();
      await reports.close();
    },
  };
}

/** What the built-in moderate-image function works with inside Vigil. */
interface BuiltInParts extends Pick<ModerationParts, 'moderator' | 'hasher'> {
  engine: StorageEngine;
  reviewQueue: ReviewQueue;
  reports: ReportStore;
  journal: EngineOutcomeJournal;
  role: RoleCheck;
}

/**
 * The built-in moderate-image function: the pipeline's core (src/pipeline/moderate-image)
 * over Vigil's own parts (adapters/vigil), run inline by the function runtime — queued,
 * retried and logged like any function, without a worker thread of its own or HTTP calls
 * back to this process (ADR 11). `src/pipeline/lambda.ts` runs the same core on AWS Lambda,
 * and `vigil worker` on a broker's messages.
 */
function moderateImageFunction(config: VigilConfig, parts: BuiltInParts): FunctionDefinition {
  const workers = config.moderation.workers ?? availableParallelism();
  const { engine, moderator, reviewQueue, reports, journal, hasher, role } = parts;
  return {
    name: MODERATE_IMAGE,
    module: '(built in)',
    inline: async (event, _context, invocation) => {
      const writer = { principalId: MODERATE_IMAGE, traceHeader: invocation.traceHeader };
      const ports: PipelinePorts = {
        objects: new AuthorizedObjectStore(new EngineObjectStore(engine, writer), role),
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
 * The config file's functions, their roles named by ARN. A function without a role runs
 * with the root key, as before roles existed: said once at start, since it is full access.
 */
function configFunctions(config: VigilConfig, log: Logger): FunctionDefinition[] {
  const roles = new Map(config.iam.roles.map((role) => [role.name.toLowerCase(), role]));
  return config.functions.map((fn) => {
    if (fn.role === undefined) {
      log.warn(
        { function: fn.name },
        'function has no role: it runs with the root key, full access (set functions[].role)',
      );
      return fn;
    }
    const role = roles.get(fn.role.toLowerCase());
    return role
      ? { ...fn, role: `arn:aws:iam::${config.accountId}:role${role.path}${role.name}` }
      : fn;
  });
}

/** The role moderate-image runs with: its triggers' objects only (adapters/authorized.ts). */
function moderateImageRole(config: VigilConfig, engine: StorageEngine): RoleCheck {
  const account = config.accountId;
  const reviewQueueArn = /^https?:\/\//.test(config.pipeline.reviewQueue)
    ? undefined
    : `arn:aws:sqs:${config.region}:${account}:${config.pipeline.reviewQueue}`;
  return {
    principal: {
      kind: 'assumed-role',
      arn: `arn:aws:sts::${account}:assumed-role/${MODERATE_IMAGE_ROLE}/${MODERATE_IMAGE}`,
      accountId: account,
      name: MODERATE_IMAGE_ROLE,
      userId: `AROAVIGILMODERATEIMAGE:${MODERATE_IMAGE}`,
      roleArn: `arn:aws:iam::${account}:role/service-role/${MODERATE_IMAGE_ROLE}`,
    },
    policy: (bucket) => moderateImagePolicy(triggersOf(engine, bucket), reviewQueueArn),
    bucketPolicy: (bucket) => bucketPolicy(engine, bucket),
  };
}

/**
 * The keys of a bucket whose events reach moderate-image: its Lambda destinations' filters;
 * through a topic or EventBridge, the topic's filters or the whole bucket.
 */
function triggersOf(engine: StorageEngine, bucket: string): TriggerScope[] {
  const json = engine.getBucket(bucket) ? engine.getNotificationConfiguration(bucket) : undefined;
  if (json === undefined) return [];
  const configuration = JSON.parse(json) as NotificationConfiguration;
  const scope = (rules: { name: string; value: string }[]): TriggerScope => ({
    bucket,
    prefix: rules.find((r) => r.name.toLowerCase() === 'prefix')?.value ?? '',
    suffix: rules.find((r) => r.name.toLowerCase() === 'suffix')?.value ?? '',
  });
  const triggers = configuration.destinations
    .filter(
      (d) =>
        d.kind === 'topic' ||
        (d.kind === 'lambda' && d.arn.endsWith(`:function:${MODERATE_IMAGE}`)),
    )
    .map((d) => scope(d.filterRules));
  if (configuration.eventBridge) triggers.push(scope([]));
  return triggers;
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
        arn: `arn:aws:lambda:${config.region}:${config.accountId}:function:${MODERATE_IMAGE}`,
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
