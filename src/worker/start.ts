/**
 * `vigil worker`: a stateless process that takes S3 event notifications from a broker (NATS
 * JetStream or SQS) and runs moderate-image on them — objects read and tagged through any S3
 * endpoint, the review queue on SQS, tracking records, review items and image memory in
 * PostgreSQL, shared by every worker and by the console. Any number can run, on any number of
 * hosts; each one's health and metrics are on its own port.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ConfigError, type VigilConfig } from '../config/index.js';
import { authorizeMetrics, metricsBearerToken } from '../metrics/bearer-token.js';
import { moderationHealth, moderationParts, warmModeration } from '../moderation/parts.js';
import { S3ObjectStore } from '../pipeline/adapters/s3.js';
import { SqsReviewQueue } from '../pipeline/adapters/sqs.js';
import { moderateEvent, outcomeLogLine } from '../pipeline/moderate-image.js';
import type { S3EventRecordInput } from '../pipeline/index.js';
import type { PipelinePorts } from '../pipeline/ports.js';
import { readBrokerMessage } from './event-shapes.js';
import { JetStreamSource } from './jetstream-source.js';
import { AmqpSource } from './amqp-source.js';
import { WorkerFunctions } from './functions.js';
import { joinLogs, PostgresInvocationLog, workerName } from './invocation-log.js';
import { SqsSource } from './sqs-source.js';
import type { EventSource } from './types.js';
import { Worker, type Settlement } from './worker.js';

export interface RunningWorker {
  /** Where health and metrics answer. */
  url: string;
  /** Drains (finishes or releases work in hand) and closes everything. */
  stop(): Promise<void>;
}

/**
 * Starts a worker from the configuration.
 *
 * @throws ConfigError when `reporting.url` is not a PostgreSQL URL (workers share their state
 *   there), the metrics token file cannot be read, or the source cannot be reached.
 */
export async function startWorker(config: VigilConfig, log: Logger): Promise<RunningWorker> {
  const settings = config.worker;
  const metricsToken = metricsBearerToken(config.metrics);
  if (!config.reporting.url)
    throw new ConfigError(
      'reporting.url: vigil worker keeps tracking records and review items in PostgreSQL, shared by every worker: set it to a postgres:// URL.',
    );
  const { PostgresReportStore } = await import('../reporting/postgres.js');
  const reports = await PostgresReportStore.open(
    config.reporting.url,
    config.reporting.schema ? { schema: config.reporting.schema } : {},
  );
  const s3 = new S3Client({
    region: settings.region,
    ...(settings.s3.endpoint
      ? { endpoint: settings.s3.endpoint, forcePathStyle: settings.s3.forcePathStyle }
      : {}),
  });
  const sqs = new SQSClient({
    region: settings.region,
    ...(settings.sqs.endpoint ? { endpoint: settings.sqs.endpoint } : {}),
  });
  const moderation = moderationParts(config, log);
  const ports: PipelinePorts = {
    objects: new S3ObjectStore(s3),
    moderator: moderation.moderator,
    reviewQueue: new SqsReviewQueue(sqs, config.pipeline.reviewQueue),
    reports,
    clock: { now: () => Date.now() },
    ...(moderation.hasher ? { hasher: moderation.hasher } : {}),
  };
  const functions = await workerFunctions(config, s3, log);
  // Their invocations, for the console of the fleet.
  const invocations = functions
    ? await PostgresInvocationLog.open(config.reporting.url, config.reporting.schema)
    : undefined;
  const closeClients = async () => {
    s3.destroy();
    sqs.destroy();
    await functions?.close();
    await invocations?.close();
    await moderation.close();
    await reports.close();
  };

  let source: EventSource;
  try {
    source = await openSource(config, sqs);
  } catch (error) {
    await closeClients();
    throw new ConfigError(
      `worker.source: cannot reach the event source (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
  const metrics = new WorkerMetrics();
  const worker = new Worker({
    source,
    concurrency: settings.concurrency,
    backoff: { baseMs: settings.retryBaseSeconds * 1000, maxMs: settings.retryMaxSeconds * 1000 },
    drainMs: settings.drainSeconds * 1000,
    process: (body, delivery) =>
      processMessage(body, delivery, ports, functions, invocations, config, log),
    observer: {
      settled: (outcome, ms) => metrics.settled(outcome, ms),
      error: (error, delivery) =>
        log.warn({ err: error, message: delivery.id, attempt: delivery.attempt }, 'message failed'),
    },
  });
  let draining = false;
  const health = createServer((req, res) => {
    if (req.url === '/_vigil/metrics') {
      if (!authorizeMetrics(req, res, metricsToken)) return;
      metrics.busy.set(worker.busy);
      void metrics.registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      });
      return;
    }
    if (req.url === '/_vigil/health') {
      // Ready once the models are (when moderating), and not while draining.
      const models = settings.moderate ? moderationHealth(moderation.moderator) : undefined;
      const ready = !draining && (models?.ready ?? true);
      const body = {
        ...models?.body,
        status: draining ? 'draining' : (models?.body['status'] ?? 'ok'),
        source: source.name,
        busy: worker.busy,
      };
      res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
      return;
    }
    res.writeHead(404).end();
  });
  const address = await listen(health, settings.healthPort, settings.healthHost);
  if (settings.moderate && config.moderation.warm) warmModeration(moderation.moderator, log);
  worker.start();
  const url = `http://${settings.healthHost}:${address.port}`;
  log.info(
    {
      health: `${url}/_vigil/health`,
      source: source.name,
      concurrency: settings.concurrency,
      moderate: settings.moderate,
      functions: functions?.names ?? [],
    },
    'worker started',
  );
  return {
    url,
    stop: async () => {
      draining = true;
      await worker.stop();
      await new Promise<void>((resolve) => health.close(() => resolve()));
      await closeClients();
    },
  };
}

async function openSource(config: VigilConfig, sqs: SQSClient): Promise<EventSource> {
  const source = config.worker.source;
  if (source.type === 'amqp')
    return AmqpSource.open({
      url: source.url,
      ...(source.exchange !== undefined ? { exchange: source.exchange } : {}),
      exchangeType: source.exchangeType,
      bindingKeys: source.bindingKeys,
      queue: source.queue,
      deadLetterQueue: source.deadLetterQueue,
      maxDeliveries: source.maxDeliveries,
      // A message is held from delivery to settlement: as many as are judged at once.
      prefetch: config.worker.concurrency,
      consumerTimeoutMs: source.consumerTimeoutSeconds * 1000,
    });
  if (source.type === 'sqs')
    return new SqsSource(sqs, {
      queueUrl: source.queueUrl,
      visibilitySeconds: source.visibilitySeconds,
      maxReceives: source.maxReceives,
      deadLetterQueueUrl: source.deadLetterQueueUrl,
    });
  return JetStreamSource.open({
    servers: source.servers,
    stream: source.stream,
    subjects: source.subjects,
    durable: source.durable,
    ackWaitMs: source.ackWaitSeconds * 1000,
    maxDeliver: source.maxDeliver,
    deadLetterSubject: source.deadLetterSubject,
  });
}

/**
 * The pools of the functions `worker.functions` names, with the worker's region and its
 * credentials for the store (resolved once: the handlers' AWS SDK reads them from the
 * environment, as on Lambda). None when no function is named.
 */
async function workerFunctions(
  config: VigilConfig,
  s3: S3Client,
  log: Logger,
): Promise<WorkerFunctions | undefined> {
  const settings = config.worker;
  if (settings.functions.length === 0) return undefined;
  const credentials = await s3.config.credentials();
  return WorkerFunctions.create(
    settings.functions,
    config.functions,
    {
      region: settings.region,
      accountId: config.accountId,
      endpointUrl: settings.s3.endpoint ?? '',
      credentials,
    },
    log.child({ component: 'functions' }),
  );
}

/**
 * One broker message: read its shape, moderate its records, then invoke the functions with
 * them; test events are done at once.
 */
async function processMessage(
  body: Uint8Array,
  delivery: { id: string; attempt: number },
  ports: PipelinePorts,
  functions: WorkerFunctions | undefined,
  invocations: PostgresInvocationLog | undefined,
  config: VigilConfig,
  log: Logger,
): Promise<Settlement> {
  const message = readBrokerMessage(body);
  if (message.kind === 'unrecognized') return { deadLetter: message.reason };
  if (message.kind === 'test-event') return { done: true };
  if (config.worker.moderate)
    await moderateEvent(message.event, ports, config.pipeline, (outcome) =>
      log.info({ message: delivery.id, attempt: delivery.attempt }, outcomeLogLine(outcome)),
    );
  if (functions)
    await functions.invokeAll(
      lambdaEvent(message.event, config.worker.region),
      (invocation) =>
        // The log is for people: a row it cannot take does not fail the message.
        void invocations
          ?.record({
            ...invocation,
            messageId: delivery.id,
            messageAttempt: delivery.attempt,
            worker: workerName(),
            logs: joinLogs(invocation.logs),
          })
          .catch((error: unknown) =>
            log.warn(
              { err: error, requestId: invocation.requestId },
              'could not log an invocation',
            ),
          ),
    );
  return { done: true };
}

/**
 * The event a function receives: the message's records in AWS's shape (MinIO's and Ceph's
 * read into it), with the fields every S3 record carries on AWS.
 */
function lambdaEvent(event: { Records: S3EventRecordInput[] }, region: string): unknown {
  return {
    Records: event.Records.map((record) => ({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: region,
      ...record,
    })),
  };
}

class WorkerMetrics {
  readonly registry = new Registry();
  readonly busy = new Gauge({
    name: 'vigil_worker_busy',
    help: 'Messages this worker holds right now.',
    registers: [this.registry],
  });
  private readonly messages = new Counter({
    name: 'vigil_worker_messages_total',
    help: 'Messages settled, by outcome (acked, retried, dead-lettered, released).',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly seconds = new Histogram({
    name: 'vigil_worker_message_seconds',
    help: 'Time from taking a message to settling it.',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  settled(outcome: string, ms: number): void {
    this.messages.inc({ outcome });
    this.seconds.observe(ms / 1000);
  }
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });
}
