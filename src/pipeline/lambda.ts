/**
 * The moderate-image function as a Lambda handler: `handler(event, context)` builds its
 * ports once per execution environment (a Vigil worker thread, or a Lambda sandbox) from
 * the environment, then moderates every record of each S3 event it is given.
 *
 * Environment: `AWS_REGION`; credentials as AWS SDKs read them; `AWS_ENDPOINT_URL` (or
 * `AWS_ENDPOINT_URL_S3` / `_SQS` / `_REKOGNITION`) to reach Vigil instead of AWS;
 * `MODERATION_REPORTS_DB` (the reporting database file); the settings' `MODERATION_*`
 * variables (see settings.ts).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadImageHasher } from '../memory/index.js';
import { createRekognitionModerator } from '../moderation/backends/index.js';
import { S3ObjectStore } from './adapters/s3.js';
import { SqsReviewQueue } from './adapters/sqs.js';
import { moderateEvent, outcomeLogLine, type Outcome } from './moderate-image.js';
import type { PipelinePorts } from './ports.js';
import {
  PipelineConfigError,
  REPORTS_DB_ENV,
  REPORTS_URL_ENV,
  settingsFromEnvironment,
  type PipelineSettings,
} from './settings.js';

export interface Pipeline {
  ports: PipelinePorts;
  settings: PipelineSettings;
  /** Releases the clients and the reporting database. */
  close(): Promise<void>;
}

type Environment = Record<string, string | undefined>;

/**
 * Builds the pipeline's ports from environment variables: S3 and SQS through the AWS SDK,
 * `DetectModerationLabels` through Rekognition's wire protocol, tracking records in SQLite.
 *
 * @throws PipelineConfigError naming the variable that is missing or wrong.
 */
export async function pipelineFromEnvironment(env: Environment): Promise<Pipeline> {
  const settings = settingsFromEnvironment(env);
  const region = env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
  if (!region) throw new PipelineConfigError('AWS_REGION: expected the region, e.g. us-east-1');
  const reportsUrl = env[REPORTS_URL_ENV];
  const reportsFile = env[REPORTS_DB_ENV];
  if (!reportsUrl && !reportsFile)
    throw new PipelineConfigError(
      `${REPORTS_DB_ENV}: expected the reporting database's file (Vigil: <data-dir>/reports.db), or ${REPORTS_URL_ENV}: a postgres:// URL`,
    );
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  const sessionToken = env['AWS_SESSION_TOKEN'];
  // Given keys are used as given; otherwise the SDK's default provider chain finds them.
  const keys =
    accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
      : {};
  const endpoint = (service: string) =>
    env[`AWS_ENDPOINT_URL_${service}`] ?? env['AWS_ENDPOINT_URL'];
  const s3Endpoint = endpoint('S3');
  const sqsEndpoint = endpoint('SQS');
  const s3 = new S3Client({
    region,
    ...keys,
    // Path-style on a custom endpoint: `bucket.127.0.0.1` does not resolve.
    ...(s3Endpoint ? { endpoint: s3Endpoint, forcePathStyle: true } : {}),
  });
  const sqs = new SQSClient({ region, ...keys, ...(sqsEndpoint ? { endpoint: sqsEndpoint } : {}) });
  const rekognitionEndpoint = endpoint('REKOGNITION');
  const moderator = createRekognitionModerator({
    region,
    ...(rekognitionEndpoint ? { endpoint: rekognitionEndpoint } : {}),
    // The S3 client's provider: the same credential chain (env, Lambda role) for both.
    credentials: () => s3.config.credentials(),
  });
  // Loaded here, not at the top: a deployment with one ReportStore needs not load the other.
  const reports = reportsUrl
    ? // A small pool: every worker thread of the function has its own.
      await (
        await import('../reporting/postgres.js')
      ).PostgresReportStore.open(reportsUrl, {
        poolSize: 2,
      })
    : (await import('../reporting/sqlite.js')).SqliteReportStore.open(reportsFile!);
  return {
    settings,
    ports: {
      objects: new S3ObjectStore(s3),
      moderator,
      reviewQueue: new SqsReviewQueue(sqs, settings.reviewQueue),
      reports,
      clock: { now: () => Date.now() },
      // sharp is loaded only when image memory is on.
      ...(settings.memory.enabled ? { hasher: await loadImageHasher() } : {}),
    },
    close: async () => {
      s3.destroy();
      sqs.destroy();
      await reports.close();
    },
  };
}

/** Lambda's `(event, context)`; the context is not needed. */
export type ModerateImageHandler = (
  event: unknown,
  context?: unknown,
) => Promise<{ outcomes: Outcome[] }>;

/**
 * A handler over the pipeline `setup` builds, built on the first invocation and kept for the
 * next ones (a setup that fails is tried again on the next invocation). Each outcome is
 * logged as one JSON line.
 *
 * @example
 * export const handler = createHandler(() => pipelineFromEnvironment(process.env));
 */
export function createHandler(
  setup: () => Promise<Pipeline>,
  log: (line: string) => void = (line) => console.log(line),
): ModerateImageHandler {
  let ready: Promise<Pipeline> | undefined;
  return async (event) => {
    ready ??= setup();
    let pipeline: Pipeline;
    try {
      pipeline = await ready;
    } catch (error) {
      ready = undefined;
      throw error;
    }
    const outcomes = await moderateEvent(event, pipeline.ports, pipeline.settings, (outcome) =>
      log(outcomeLogLine(outcome)),
    );
    return { outcomes };
  };
}

/** The Lambda entry point: `lambda.handler`. */
export const handler: ModerateImageHandler = createHandler(() =>
  pipelineFromEnvironment(process.env),
);
