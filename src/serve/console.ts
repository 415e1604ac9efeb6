/**
 * The moderator console of `vigil serve`: users and sessions, the review desk acting on the
 * objects where they are (this Vigil's store, or the store a fleet of workers reads), the
 * thumbnails, timelines, delivery and the worker source's dead letters, and the identities
 * (IAM users, keys, policies) an admin manages.
 */
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/index.js';
import { IdentitiesDesk } from '../console/identities-desk.js';
import { LoginLimiter } from '../console/login-limiter.js';
import { ReviewDesk } from '../console/review-desk.js';
import { localReviewObjects, s3ReviewObjects } from '../console/review-objects.js';
import { createConsoleRoute } from '../console/route.js';
import { SessionStore } from '../console/sessions.js';
import { Thumbnails } from '../console/thumbnails.js';
import { ConsoleUsers, type GeneratedPassword } from '../console/users.js';
import { buildTimeline, type HistoryStore } from '../history/index.js';
import type { Route } from '../http/server.js';
import type { ReportStore } from '../reporting/index.js';
import { openWorkerDeadLetters } from '../worker/dead-letters.js';
import { PostgresInvocationLog } from '../worker/invocation-log.js';
import type { ServeEvents } from './events.js';
import type { ServePipeline } from './pipeline.js';
import type { ServeStorage } from './storage.js';

export interface ServeConsole {
  route: Route;
  /** Console passwords generated at this start (to print once). */
  generated: GeneratedPassword[];
  close(): Promise<void>;
}

export async function wireConsole(
  config: VigilConfig,
  { engine, credentials, identity }: ServeStorage,
  { queues, outbox, dispatcher, history }: ServeEvents,
  { reports, runtime }: ServePipeline,
  log: Logger,
): Promise<ServeConsole> {
  const users = await ConsoleUsers.load(config.dataDir, credentials, config.console.users);
  // Decisions tag objects where the pipeline judged them: here, or on the workers' store
  // (reached as the workers reach it, with the credentials of Vigil's environment).
  const workerStore =
    config.console.objects === 'worker'
      ? new S3Client({
          region: config.worker.region,
          ...(config.worker.s3.endpoint
            ? {
                endpoint: config.worker.s3.endpoint,
                forcePathStyle: config.worker.s3.forcePathStyle,
              }
            : {}),
        })
      : undefined;
  const objects = workerStore
    ? s3ReviewObjects(workerStore, config.worker.s3.endpoint ?? `AWS S3 (${config.worker.region})`)
    : localReviewObjects(engine);
  // What the functions of a fleet's workers did, in the shared PostgreSQL.
  const workerInvocations = config.reporting.url
    ? await PostgresInvocationLog.open(config.reporting.url, config.reporting.schema)
    : undefined;
  const review = config.pipeline.reviewQueue;
  const desk = new ReviewDesk({
    reports,
    objects,
    // Only a Vigil queue can give a message back by its content; an SQS consumer sees the
    // decided item's message and finds the item decided.
    withdrawMessages: (id) =>
      queues.exists(review)
        ? queues.deleteByBodyField(review, 'reviewItemId', id)
        : Promise.resolve(0),
    leaseMs: config.console.claimLeaseSeconds * 1000,
    logger: log.child({ component: 'console' }),
  });
  const route = createConsoleRoute({
    users: users.users,
    sessions: new SessionStore(config.console.sessionHours * 3_600_000),
    loginLimiter: new LoginLimiter(config.console.loginAttempts),
    desk,
    reports,
    thumbnails: new Thumbnails(join(config.dataDir, 'thumbnails'), objects),
    engine,
    outbox,
    wake: () => dispatcher.wake(),
    ...(config.console.workerDeadLetters
      ? { workerDeadLetters: () => openWorkerDeadLetters(config.worker) }
      : {}),
    identities: new IdentitiesDesk({
      identities: identity.identities,
      policies: identity.policies,
      reports,
    }),
    functions: runtime,
    ...(workerInvocations ? { workerInvocations } : {}),
    timeline: (bucket, key) => objectTimeline(history, reports, bucket, key),
    deliveryStats: (since) => history.deliveryStats(since),
    vcpuHourUsd: config.reporting.vcpuHourUsd,
    logger: log.child({ component: 'console' }),
  });
  return {
    route,
    generated: users.generated,
    close: async () => {
      workerStore?.destroy();
      await workerInvocations?.close();
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
