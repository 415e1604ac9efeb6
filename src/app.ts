/**
 * `vigil serve`: one process on one data directory (ADR 24) — the S3 store, its events, the
 * moderation pipeline, the console and the other APIs. Each part is wired in src/serve/;
 * `vigil worker` (src/worker/start.ts) builds from the same moderation parts.
 */
import { pino, type Logger } from 'pino';
import type { RootCredentials, VigilConfig } from './config/index.js';
import type { GeneratedPassword } from './console/users.js';
import type { Dispatcher } from './delivery/dispatcher.js';
import type { OutboxStore } from './delivery/outbox-store.js';
import type { DestinationDirectory } from './destinations/directory.js';
import { InProcessFunctions, type FunctionInvoker } from './destinations/function.js';
import type { FunctionRuntime } from './functions/index.js';
import type { LambdaControlPlane } from './lambda/index.js';
import { createHttpServer } from './http/server.js';
import type { VigilMetrics } from './metrics/delivery-metrics.js';
import { moderationHealth, warmModeration } from './moderation/parts.js';
import type { Moderator } from './moderation/types.js';
import type { QueueService } from './queue/index.js';
import { createS3Api } from './s3/api.js';
import { startBackground } from './serve/background.js';
import { wireConsole } from './serve/console.js';
import { wireEvents } from './serve/events.js';
import { wirePipeline, type ServePipeline } from './serve/pipeline.js';
import { wireLambda, type LambdaAccess } from './serve/lambda.js';
import { serviceRoutes } from './serve/routes.js';
import { openStorage } from './serve/storage.js';
import { lockDataDir, SpaceReserve, type StorageEngine } from './storage/index.js';

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
  /** The Lambda-style runtime of the functions declared in the config and deployed. */
  runtime: FunctionRuntime;
  /** Functions deployed through the Lambda API, and function policies (`policyOf`). */
  lambda: LambdaControlPlane;
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
export async function startVigil(
  config: VigilConfig,
  logger?: Logger,
  /** Replacements for the Lambda API's access gate and role directory (tests, embedders). */
  options: { lambda?: LambdaAccess } = {},
): Promise<RunningVigil> {
  // One data directory, one Vigil (ADR 24): a second one stops here, naming the first.
  const lock = await lockDataDir(config.dataDir).catch((error: unknown) => {
    // On a full disk, say so as the storage engine would (how much space Vigil needs).
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') SpaceReserve.check(config.dataDir);
    throw error;
  });
  try {
    const vigil = await startOnDataDir(
      config,
      logger ?? pino({ level: config.logLevel }),
      options.lambda,
    );
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

/**
 * Vigil on its data directory, mode by mode: storage, events, the pipeline, the console and
 * the other APIs, the HTTP server, then the work on a clock.
 */
async function startOnDataDir(
  config: VigilConfig,
  log: Logger,
  lambdaAccess?: LambdaAccess,
): Promise<RunningVigil> {
  const storage = await openStorage(config, log);
  const { engine } = storage;
  let pipeline: ServePipeline | undefined;
  try {
    let publicUrl = '';
    // Functions registered in-process (tests, embedders) and the config's, in the runtime the
    // pipeline builds after the events: only the dispatcher calls them, once started.
    const inProcess = new InProcessFunctions();
    const late: { runtime?: FunctionRuntime } = {};
    const events = await wireEvents(
      config,
      storage,
      { functions: functionInvoker(() => late.runtime!, inProcess), publicUrl: () => publicUrl },
      log,
    );
    pipeline = await wirePipeline(config, storage, events, { publicUrl: () => publicUrl }, log);
    late.runtime = pipeline.runtime;
    const { moderator } = pipeline;
    const consoleUi = await wireConsole(config, storage, events, pipeline, log);
    const s3 = createS3Api(
      {
        engine,
        multipart: storage.multipart,
        ...storage.scope,
        logger: log,
        notifications: events.directory,
        principals: storage.identity,
      },
      { gate: storage.identity.gate, proxies: storage.proxies, domains: config.domains },
    );
    // Functions deployed through the Lambda API join the runtime before it starts.
    const lambda = await wireLambda(
      config,
      storage,
      events,
      pipeline,
      { publicUrl: () => publicUrl },
      log,
      lambdaAccess,
    );
    const routes = [
      consoleUi.route,
      ...serviceRoutes(config, storage, events, pipeline, log, lambda),
    ];
    const http = createHttpServer({
      s3,
      routes,
      logger: log,
      health: () => moderationHealth(moderator),
    });
    const address = await http.listen(config.port, config.host);
    publicUrl = localUrl(address);
    events.dispatcher.start();
    const started = pipeline;
    started.start();
    const background = startBackground(config, engine, events.queues, log);
    if (config.moderation.warm) warmModeration(moderator, log);
    return {
      url: publicUrl,
      port: address.port,
      credentials: storage.credentials,
      consolePasswords: consoleUi.generated,
      engine,
      queues: events.queues,
      outbox: events.outbox,
      dispatcher: events.dispatcher,
      destinations: events.directory,
      functions: inProcess,
      runtime: pipeline.runtime,
      lambda: lambda.plane,
      metrics: events.metrics,
      moderator,
      logger: log,
      stop: async () => {
        events.queues.close(); // parked long polls answer now instead of holding the drain
        await http.shutdown();
        await background.stop();
        await events.dispatcher.stop();
        await events.closeExternal();
        await started.stop();
        await consoleUi.close();
        engine.close();
      },
    };
  } catch (error) {
    await pipeline?.stop().catch(() => {});
    engine.close();
    throw error;
  }
}

/**
 * What destinations invoke: config-declared functions through the runtime (durable, retried,
 * logged), functions registered in-process directly. Only the outbox calls this, and its row
 * in vigil.db outlives the acceptance: no fsync of its own needed (ADR 17).
 */
function functionInvoker(
  runtime: () => FunctionRuntime,
  inProcess: InProcessFunctions,
): FunctionInvoker {
  return {
    has: (name) => runtime().has(name) || inProcess.has(name),
    invoke: (name, event, options) =>
      runtime().has(name)
        ? runtime().invoke(name, event, { ...options, durable: false })
        : inProcess.invoke(name, event),
  };
}

/** The server's URL for this machine's clients: a wildcard address is reached on loopback. */
function localUrl(address: { address: string; family: string; port: number }): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const urlHost = host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host;
  return `http://${urlHost}:${address.port}`;
}
