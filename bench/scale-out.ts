/**
 * Scale-out (docs/scale-out.md): `vigil worker` processes taking S3 events from NATS
 * JetStream, against the broker alone and against the embedded pipeline, on this machine.
 * Needs the machine's NATS with JetStream (`VIGIL_TEST_NATS_URL`, default 127.0.0.1:4222) and
 * PostgreSQL (`VIGIL_TEST_POSTGRES_URL`, default postgres://postgres@127.0.0.1:5432/test);
 * everything it makes there (streams, a schema) is throwaway and removed at the end.
 *
 * 1. No-op throughput. BENCH_EVENTS AWS-shaped S3 event messages (one record, distinct keys,
 *    a `sequencer`, ~1 KB) published by this process straight to a JetStream stream of the
 *    cell's own (R=1, file storage), up to PUBLISH_WINDOW PubAcks outstanding, while the
 *    consumers drain it. Events/s = events ÷ (first publish → the durable's ack floor at the
 *    last sequence with nothing pending or unacknowledged, polled every 10 ms); also to 90%
 *    (first publish → ack floor past 90% of them), because a worker holds the messages of a
 *    pull batch that did not fill until the fetch expires (5 s), which adds a tail. After the
 *    1-worker run, LONE_EVENTS single events are timed publish → acknowledged.
 *    - broker: a plain nats.js pull consumer (`consume`, 256 buffered) in this process,
 *      acking each message (`ack`, no reply) as fast as it can;
 *    - 1, 2, 3 `vigil worker` child processes on one fresh durable, `worker.moderate: false`
 *      and `worker.functions: ["noop"]` (bench/fixtures/noop.mjs, reserved concurrency =
 *      worker concurrency), each warmed with WARM_EVENTS events first.
 * 2. Moderation. One Vigil child (`vigil serve`) as the S3 store whose outbox publishes the
 *    bucket's ObjectCreated events to JetStream; BENCH_IMAGES uploads of the 12 photographs
 *    in test/fixtures/photos (cycled, distinct keys) by UPLOAD_CONCURRENCY clients; 1, 2, 3
 *    worker processes, each warmed (models loaded) by uploads until it has judged a few
 *    images. Images/s = images ÷ (first PUT sent → the last tracking record's
 *    `processing_end` in PostgreSQL), and to the 90th percentile record. Worker CPU per image: utime+stime (all threads) of
 *    every worker process from /proc/<pid>/stat, first PUT → every message acknowledged.
 *    Image memory is off everywhere (`pipeline.memory.enabled: false`): the photographs
 *    repeat, and memory would answer a repeated flagged one without the models.
 *    Then the embedded pipeline: a fresh Vigil child with the seed's moderate-image on
 *    `uploads/content/images/` (memory off, reports in its SQLite reports.db), the same
 *    uploads; its CPU per image minus its CPU per plain upload (a bucket without
 *    notifications, same photographs) is the judging cost the worker's CPU is compared with.
 * 3. PostgreSQL's side: the backends of the workers' connections (application_name) are
 *    read from /proc in each moderation cell, and the worker's statement mix per image
 *    (PostgresReportStore's redelivered + record + markReviewSent) is replayed for
 *    MIX_SECONDS from this process, for the statements/s this PostgreSQL takes.
 *
 *   npm run build && npm run bench:scale-out
 *   BENCH_EVENTS=4000 BENCH_IMAGES=200 BENCH_WORKER_COUNTS=1,2,3
 */
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import {
  AckPolicy,
  connect,
  DeliverPolicy,
  nanos,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
} from 'nats';
import pg from 'pg';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { PostgresReportStore } from '../src/reporting/postgres.js';
import type { NewTrackingRecord } from '../src/reporting/types.js';
import { spawnVigil, VIGIL_BIN, type ChildVigil } from '../test/support/child.js';
import { natsUrl, probeNats } from '../test/support/nats.js';
import { postgresUrl, probePostgres } from '../test/support/postgres.js';

const EVENTS = positive('BENCH_EVENTS', 4000);
const IMAGES = positive('BENCH_IMAGES', 200);
const WORKER_COUNTS = (process.env['BENCH_WORKER_COUNTS'] ?? '1,2,3').split(',').map(Number);
const WARM_EVENTS = 300;
/** Single events timed publish → ack after the 1-worker run (the fetch's wait shows here). */
const LONE_EVENTS = 2;
const PUBLISH_WINDOW = 128;
const UPLOAD_CONCURRENCY = 8;
/** `worker.concurrency`'s default, and the no-op function's reserved concurrency. */
const CONCURRENCY = 4;
const MIX_SECONDS = 4;
const MIX_CONCURRENCY = 8;
const NATS = natsUrl();
const POSTGRES = postgresUrl();
const RUN = randomBytes(4).toString('hex');
const SCHEMA = `vigil_bench_${RUN}`;
const MIX_SCHEMA = `vigil_bench_${RUN}_mix`;
const WORKER_APP = `vigil-bench-worker-${RUN}`;
const MIX_APP = `vigil-bench-mix-${RUN}`;
const CREDENTIALS = { accessKeyId: 'VIGILBENCHSCALEOUT1', secretAccessKey: 'bench-scale-out-01' };
const NOOP_MODULE = fileURLToPath(new URL('./fixtures/noop.mjs', import.meta.url));
const PHOTO_DIR = new URL('../test/fixtures/photos/', import.meta.url);
const PHOTOS = readdirSync(PHOTO_DIR)
  .filter((name) => name.endsWith('.jpg'))
  .sort()
  .map((name) => ({ name, bytes: readFileSync(new URL(name, PHOTO_DIR)) }));

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? String(fallback));
  if (!(value > 0)) throw new Error(`${name} must be positive, got ${process.env[name]}`);
  return Math.round(value);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const log = (line: string) => process.stderr.write(`${line}\n`);

// ---- processes, seen from /proc --------------------------------------------------------

/** utime + stime of every thread of a process, in seconds (USER_HZ = 100); NaN once gone. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** The whole machine's busy and total time, from /proc/stat (every process, others' too). */
function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busy: total - idle - iowait, total };
}

/** Cores the whole machine kept busy since `before`. */
function machineCores(before: { busy: number; total: number }): number {
  const now = machineTicks();
  return ((now.busy - before.busy) / (now.total - before.total)) * os.cpus().length;
}

const totalCpu = (pids: number[]) => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);

/** The nats-server serving NATS's port here, if it runs on this machine (shared: noisy). */
function natsServerPid(): number | undefined {
  const port = new URL(NATS).port || '4222';
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args[0]?.endsWith('nats-server') && args.includes(port)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/**
 * CPU of a changing set of processes (PostgreSQL backends) across a cell: those there at
 * the start count from then, those that appear count whole; those gone before the end are
 * lost (an underestimate).
 */
class CpuOfSet {
  private readonly start = new Map<number, number>();
  constructor(
    pids: number[],
    private readonly list: () => Promise<number[]>,
  ) {
    for (const pid of pids) this.start.set(pid, cpuSeconds(pid));
  }

  static async begin(list: () => Promise<number[]>): Promise<CpuOfSet> {
    return new CpuOfSet(await list(), list);
  }

  async end(): Promise<number> {
    let sum = 0;
    for (const pid of await this.list()) {
      const now = cpuSeconds(pid);
      if (Number.isFinite(now)) sum += now - (this.start.get(pid) ?? 0);
    }
    return sum;
  }
}

// ---- PostgreSQL -------------------------------------------------------------------------

function withApp(url: string, app: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('application_name', app);
  return parsed.toString();
}

class Postgres {
  private constructor(private readonly client: pg.Client) {}

  static async open(): Promise<Postgres> {
    const client = new pg.Client({ connectionString: POSTGRES });
    await client.connect();
    return new Postgres(client);
  }

  async backends(app: string): Promise<number[]> {
    const { rows } = await this.client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
      [app],
    );
    return rows.map((r) => r.pid);
  }

  /** Records under `prefix` in the workers' schema, the last `processing_end`, keys seen twice. */
  async progress(
    bucket: string,
    prefix: string,
  ): Promise<{ done: number; keys: number; lastEnd: number }> {
    const { rows } = await this.client.query<{ done: string; keys: string; last: string | null }>(
      `SELECT count(*) AS done, count(DISTINCT key) AS keys, max(processing_end) AS last
       FROM "${SCHEMA}".tracking_records WHERE bucket = $1 AND key LIKE $2 || '%'`,
      [bucket, prefix],
    );
    const row = rows[0]!;
    return { done: Number(row.done), keys: Number(row.keys), lastEnd: Number(row.last ?? NaN) };
  }

  /** Every record's `processing_end` under `prefix`, in order. */
  async ends(bucket: string, prefix: string): Promise<number[]> {
    const { rows } = await this.client.query<{ end: string }>(
      `SELECT processing_end AS end FROM "${SCHEMA}".tracking_records
       WHERE bucket = $1 AND key LIKE $2 || '%' ORDER BY processing_end`,
      [bucket, prefix],
    );
    return rows.map((r) => Number(r.end));
  }

  async decisions(bucket: string, prefix: string): Promise<Record<string, number>> {
    const { rows } = await this.client.query<{ decision: string; n: string }>(
      `SELECT decision, count(*) AS n FROM "${SCHEMA}".tracking_records
       WHERE bucket = $1 AND key LIKE $2 || '%' GROUP BY decision ORDER BY decision`,
      [bucket, prefix],
    );
    return Object.fromEntries(rows.map((r) => [r.decision, Number(r.n)]));
  }

  async dropSchemas(): Promise<void> {
    await this.client.query(`DROP SCHEMA IF EXISTS "${SCHEMA}", "${MIX_SCHEMA}" CASCADE`);
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

// ---- worker processes -------------------------------------------------------------------

interface WorkerChild {
  child: ChildProcess;
  pid: number;
  metricsUrl: string;
}

/** `vigil worker --config <file>` with the store's keys; resolves once it says where it is. */
function startWorker(configFile: string): Promise<WorkerChild> {
  const child = spawn(process.execPath, [VIGIL_BIN, 'worker', '--config', configFile], {
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_'))),
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The log is read and dropped (one line per message at info); the tail explains a failure.
  let tail = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${tail}`)), 60_000);
    let started = false;
    const seen = (d: Buffer) => {
      tail = (tail + d.toString()).slice(-8000);
      const health = started ? null : /"health":"(http:[^"]+)\/_vigil\/health"/.exec(tail);
      if (health) {
        started = true;
        clearTimeout(timer);
        resolve({ child, pid: child.pid!, metricsUrl: `${health[1]}/_vigil/metrics` });
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!started) reject(new Error(`worker exited with ${code}:\n${tail}`));
      else if (code !== 0) log(`  worker ${child.pid} exited with ${code}:\n${tail.slice(-2000)}`);
    });
  });
}

async function stopWorkers(workers: WorkerChild[]): Promise<void> {
  await Promise.all(
    workers.map(async ({ child }) => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

async function ackedBy(worker: WorkerChild): Promise<number> {
  const text = await (await fetch(worker.metricsUrl)).text();
  return Number(/^vigil_worker_messages_total\{outcome="acked"\} (\d+)/m.exec(text)?.[1] ?? 0);
}

interface WorkerConfig {
  stream: string;
  subjects: string[];
  durable: string;
  deadLetterSubject: string;
  storeUrl: string;
  noop: boolean;
}

async function writeWorkerConfig(dir: string, c: WorkerConfig): Promise<string> {
  const file = join(dir, `${c.durable}.json`);
  await writeFile(
    file,
    JSON.stringify({
      logLevel: 'info',
      reporting: { url: withApp(POSTGRES, WORKER_APP), schema: SCHEMA },
      pipeline: {
        reviewQueue: `${c.storeUrl}/000000000000/bench-review`,
        memory: { enabled: false },
      },
      functions: c.noop
        ? [
            {
              name: 'noop',
              module: NOOP_MODULE,
              timeoutSeconds: 30,
              reservedConcurrency: CONCURRENCY,
            },
          ]
        : [],
      worker: {
        source: {
          type: 'jetstream',
          servers: [NATS],
          stream: c.stream,
          subjects: c.subjects,
          durable: c.durable,
          deadLetterSubject: c.deadLetterSubject,
        },
        s3: { endpoint: c.storeUrl },
        sqs: { endpoint: c.storeUrl },
        moderate: !c.noop,
        functions: c.noop ? ['noop'] : [],
        concurrency: CONCURRENCY,
        healthPort: 0,
      },
    }),
  );
  return file;
}

// ---- JetStream --------------------------------------------------------------------------

/** An S3 ObjectCreated:Put message as AWS sends it to a queue: one record, ~1 KB. */
function s3Event(bucket: string, key: string, n: number): Uint8Array {
  const etag = createHash('md5').update(key).digest('hex');
  const record = {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: new Date().toISOString(),
    eventName: 'ObjectCreated:Put',
    userIdentity: { principalId: 'AWS:AIDAJDPLRKLG7UEXAMPLE' },
    requestParameters: { sourceIPAddress: '203.0.113.17' },
    responseElements: {
      'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(),
      'x-amz-id-2': randomBytes(60).toString('base64'),
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'vigil-bench-scale-out-uploads',
      bucket: {
        name: bucket,
        ownerIdentity: { principalId: 'A3NL1KOZZKExample' },
        arn: `arn:aws:s3:::${bucket}`,
      },
      object: {
        key,
        size: 31_337 + n,
        eTag: etag,
        versionId: randomBytes(24).toString('base64url'),
        sequencer: (BigInt(Date.now()) * 1_000_000n + BigInt(n))
          .toString(16)
          .toUpperCase()
          .padStart(18, '0'),
      },
    },
  };
  return new TextEncoder().encode(JSON.stringify({ Records: [record] }));
}

function eventBodies(bucket: string, prefix: string, count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) =>
    s3Event(
      bucket,
      `${prefix}${String(i).padStart(6, '0')}/upload-${randomBytes(6).toString('hex')}.jpg`,
      i,
    ),
  );
}

/** Publishes every body, PUBLISH_WINDOW PubAcks outstanding; the last sequence and seconds. */
async function publishAll(
  js: JetStreamClient,
  subject: string,
  bodies: Uint8Array[],
): Promise<{ lastSeq: number; seconds: number }> {
  const start = performance.now();
  let lastSeq = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: PUBLISH_WINDOW }, async () => {
      for (let i = next++; i < bodies.length; i = next++)
        lastSeq = Math.max(lastSeq, (await js.publish(subject, bodies[i])).seq);
    }),
  );
  return { lastSeq, seconds: (performance.now() - start) / 1000 };
}

/**
 * Resolves (performance.now()) once the durable acknowledged everything up to `lastSeq`, and
 * when its ack floor first reached `steadySeq` (polled every 10 ms).
 */
async function drained(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  lastSeq: number,
  steadySeq = lastSeq,
  timeoutMs = 300_000,
): Promise<{ end: number; steady: number }> {
  const deadline = performance.now() + timeoutMs;
  let steady = NaN;
  for (;;) {
    const info = await jsm.consumers.info(stream, durable);
    const now = performance.now();
    if (Number.isNaN(steady) && info.ack_floor.stream_seq >= steadySeq) steady = now;
    if (
      info.ack_floor.stream_seq >= lastSeq &&
      info.num_pending === 0 &&
      info.num_ack_pending === 0
    )
      return { end: now, steady };
    if (performance.now() > deadline)
      throw new Error(
        `${stream}/${durable}: ack floor ${info.ack_floor.stream_seq} of ${lastSeq} after ${timeoutMs} ms`,
      );
    await sleep(10);
  }
}

async function deleteStreams(jsm: JetStreamManager, ...names: string[]): Promise<void> {
  for (const name of names) await jsm.streams.delete(name).catch(() => false);
}

// ---- no-op throughput -------------------------------------------------------------------

interface NoopCell {
  label: string;
  workers: number;
  events: number;
  bytesPerEvent: number;
  perSec: number;
  /** Events/s until the ack floor passed 90% of them (the tail left out). */
  steadyPerSec: number;
  /** One event at a time after the run: publish → acknowledged (ms); 1-worker cell only. */
  loneEventMs: number[];
  /** Publishing alone (PubAcks), same window: the publisher's own ceiling. */
  publishPerSec: number;
  /** Worker CPU (all processes) per event, µs; NaN for the broker cell. */
  workerCpuUs: number;
  /** This process's CPU per event, µs (publisher, and the broker cell's consumer). */
  benchCpuUs: number;
  /** nats-server CPU per event, µs (a shared server: other work adds to it). */
  natsCpuUs: number;
  /** Cores the workers used, and the whole machine (everyone's work), first publish → drained. */
  workerCores: number;
  machineCores: number;
  redelivered: number;
  deadLetters: number;
}

async function noopCell(
  nc: NatsConnection,
  workers: number,
  work: string,
  storeUrl: string,
): Promise<NoopCell> {
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  const label = workers === 0 ? 'broker' : `noop${workers}`;
  const stream = `VIGIL_BENCH_${RUN}_${label.toUpperCase()}`;
  const subject = `vigil-bench-${RUN}.${label}`;
  const durable = `${label}-${RUN}`;
  const deadLetterSubject = `vigil-bench-${RUN}.${label}-dead`;
  await jsm.streams.add({ name: stream, subjects: [`${subject}.>`] });
  const children: WorkerChild[] = [];
  let consumer: { stop(): void } | undefined;
  try {
    if (workers === 0) consumer = await brokerConsumer(stream, durable);
    else {
      const config = await writeWorkerConfig(work, {
        stream,
        subjects: [`${subject}.>`],
        durable,
        deadLetterSubject,
        storeUrl,
        noop: true,
      });
      children.push(
        ...(await Promise.all(Array.from({ length: workers }, () => startWorker(config)))),
      );
    }
    const warm = await publishAll(
      js,
      `${subject}.events`,
      eventBodies('bench', 'warm/', WARM_EVENTS),
    );
    await drained(jsm, stream, durable, warm.lastSeq);

    const bodies = eventBodies('bench', `${label}/`, EVENTS);
    const pids = children.map((c) => c.pid);
    const natsPid = natsServerPid();
    const natsBefore = natsPid ? cpuSeconds(natsPid) : NaN;
    const workerBefore = totalCpu(pids);
    const benchBefore = process.cpuUsage();
    const machineBefore = machineTicks();
    const start = performance.now();
    // Only this process publishes to the cell's stream: sequences are contiguous.
    const lastSeq = warm.lastSeq + EVENTS;
    const progress = drained(jsm, stream, durable, lastSeq, warm.lastSeq + 0.9 * EVENTS);
    const published = await publishAll(js, `${subject}.events`, bodies);
    const { end, steady } = await progress;
    if (published.lastSeq !== lastSeq)
      throw new Error(`${stream}: last sequence ${published.lastSeq}, expected ${lastSeq}`);
    const bench = process.cpuUsage(benchBefore);
    const workerCpu = totalCpu(pids) - workerBefore;
    const cores = machineCores(machineBefore);
    const natsCpu = natsPid ? cpuSeconds(natsPid) - natsBefore : NaN;
    const loneEventMs: number[] = [];
    for (let i = 0; workers === 1 && i < LONE_EVENTS; i++) {
      const sent = performance.now();
      const ack = await js.publish(`${subject}.events`, eventBodies('bench', 'lone/', 1)[0]);
      loneEventMs.push((await drained(jsm, stream, durable, ack.seq)).end - sent);
    }
    const info = await jsm.consumers.info(stream, durable);
    const dead = await jsm.streams
      .info(`${stream}_DLQ`)
      .then((i) => i.state.messages)
      .catch(() => 0);
    const perEvent = (seconds: number) => (seconds / EVENTS) * 1e6;
    return {
      label,
      workers,
      events: EVENTS,
      bytesPerEvent: bodies.reduce((sum, b) => sum + b.length, 0) / bodies.length,
      perSec: EVENTS / ((end - start) / 1000),
      steadyPerSec: (0.9 * EVENTS) / ((steady - start) / 1000),
      loneEventMs,
      publishPerSec: EVENTS / published.seconds,
      workerCpuUs: workers === 0 ? NaN : perEvent(workerCpu),
      benchCpuUs: perEvent((bench.user + bench.system) / 1e6),
      natsCpuUs: perEvent(natsCpu),
      workerCores: workerCpu / ((end - start) / 1000),
      machineCores: cores,
      redelivered: info.num_redelivered,
      deadLetters: dead,
    };
  } finally {
    consumer?.stop();
    await stopWorkers(children);
    await deleteStreams(jsm, stream, `${stream}_DLQ`);
  }
}

/** A plain pull consumer on a connection of its own, acking each message without a reply. */
async function brokerConsumer(stream: string, durable: string): Promise<{ stop(): void }> {
  const nc = await connect({ servers: NATS, name: 'vigil-bench-broker-consumer' });
  const jsm = await nc.jetstreamManager();
  await jsm.consumers.add(stream, {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(30_000),
  });
  const consumer = await nc.jetstream().consumers.get(stream, durable);
  const messages = await consumer.consume({ max_messages: 256 });
  const loop = (async () => {
    for await (const message of messages) message.ack();
  })();
  return {
    stop: () => {
      void messages
        .close()
        .then(() => loop)
        .then(() => nc.close())
        .catch(() => undefined);
    },
  };
}

// ---- uploads ----------------------------------------------------------------------------

function s3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: CREDENTIALS,
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** `count` uploads of the photographs in turn under `prefix`; resolves when all are acked. */
async function uploadPhotos(
  s3: S3Client,
  bucket: string,
  prefix: string,
  count: number,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(UPLOAD_CONCURRENCY, count) }, async () => {
      for (let i = next++; i < count; i = next++) {
        const photo = PHOTOS[i % PHOTOS.length]!;
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: `${prefix}${String(i).padStart(5, '0')}-${photo.name}`,
            Body: photo.bytes,
            ContentType: 'image/jpeg',
          }),
        );
      }
    }),
  );
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined) {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within 300 s`);
    await sleep(50);
  }
}

/** The store: a Vigil child whose outbox sends `workers`' ObjectCreated events to JetStream. */
interface Store {
  vigil: ChildVigil;
  s3: S3Client;
  stream: string;
  subjects: string[];
  dataDir: string;
  stop(): Promise<void>;
}

async function startStore(work: string): Promise<Store> {
  const dataDir = join(work, 'store');
  const configFile = join(work, 'store.json');
  const stream = `VIGIL_BENCH_${RUN}_MODERATE`;
  const subject = `vigil-bench-${RUN}.moderate`;
  await writeFile(
    configFile,
    JSON.stringify({
      seed: false,
      queues: [{ name: 'bench-review' }],
      moderation: { warm: false },
      nats: {
        servers: [NATS],
        destinations: [
          {
            name: 'workers',
            subject: `${subject}.uploads`,
            stream: { name: stream, subjects: [`${subject}.>`] },
          },
        ],
      },
    }),
  );
  const vigil = await spawnVigil(dataDir, vigilEnv(configFile));
  const s3 = s3Client(vigil.url);
  await s3.send(new CreateBucketCommand({ Bucket: 'plain' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'workers' }));
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: 'workers',
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            QueueArn: 'arn:vigil:nats:us-east-1:000000000000:workers',
            Events: ['s3:ObjectCreated:*'],
          },
        ],
      },
    }),
  );
  return {
    vigil,
    s3,
    stream,
    subjects: [`${subject}.>`],
    dataDir,
    stop: () => stopVigil(vigil, s3),
  };
}

function vigilEnv(configFile: string): Record<string, string> {
  return {
    VIGIL_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    VIGIL_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    VIGIL_CONFIG: configFile,
  };
}

async function stopVigil(vigil: ChildVigil, s3: S3Client): Promise<void> {
  s3.destroy();
  if (vigil.process.exitCode !== null) return;
  const exited = new Promise((r) => vigil.process.once('exit', r));
  vigil.process.kill('SIGTERM');
  await exited;
}

interface PlainCell {
  uploads: number;
  seconds: number;
  cpuMs: number;
}

/** Uploads to a bucket without notifications: what a plain upload costs the server. */
async function plainCell(vigil: ChildVigil, s3: S3Client, prefix: string): Promise<PlainCell> {
  const pid = vigil.process.pid!;
  await uploadPhotos(s3, 'plain', `${prefix}warm/`, 48);
  const before = cpuSeconds(pid);
  const start = performance.now();
  await uploadPhotos(s3, 'plain', prefix, IMAGES);
  const seconds = (performance.now() - start) / 1000;
  await sleep(500);
  return { uploads: IMAGES, seconds, cpuMs: ((cpuSeconds(pid) - before) / IMAGES) * 1000 };
}

// ---- moderation through workers -----------------------------------------------------------

interface ModerationCell {
  workers: number;
  images: number;
  perSec: number;
  /** Images/s until 90% of the records were written (the tail left out). */
  steadyPerSec: number;
  uploadSeconds: number;
  workerCpuMs: number;
  /** The store's CPU per image: the upload, the outbox's publish, the workers' HEAD/GET/tagging. */
  storeCpuMs: number;
  /** CPU of the workers' PostgreSQL backends per image (an underestimate: see CpuOfSet). */
  postgresCpuMs: number;
  natsCpuMs: number;
  /** Cores the workers used, and the whole machine (everyone's work), first PUT → drained. */
  workerCores: number;
  machineCores: number;
  warmUploads: number;
  duplicates: number;
  decisions: Record<string, number>;
}

async function moderationCell(
  workers: number,
  store: Store,
  postgres: Postgres,
  jsm: JetStreamManager,
  work: string,
): Promise<ModerationCell> {
  const durable = `moderate${workers}-${RUN}`;
  // A fresh durable starts at the stream's first message: the earlier cells' are purged.
  await jsm.streams.purge(store.stream).catch(() => undefined);
  const config = await writeWorkerConfig(work, {
    stream: store.stream,
    subjects: store.subjects,
    durable,
    deadLetterSubject: `vigil-bench-${RUN}.moderate-dead`,
    storeUrl: store.vigil.url,
    noop: false,
  });
  const children = await Promise.all(Array.from({ length: workers }, () => startWorker(config)));
  try {
    // Warm-up: every worker loads its models on its first image, and must have judged a few
    // before the clock starts.
    let warmUploads = 0;
    for (let round = 0; round < 20; round++) {
      const prefix = `warm${workers}/${round}/`;
      const count = 6 * workers;
      await uploadPhotos(store.s3, 'workers', prefix, count);
      warmUploads += count;
      await waitFor('warm-up records', async () =>
        (await postgres.progress('workers', prefix)).done >= count ? true : undefined,
      );
      const acked = await Promise.all(children.map(ackedBy));
      if (acked.every((n) => n >= 2)) break;
    }
    const pids = children.map((c) => c.pid);
    const storePid = store.vigil.process.pid!;
    const natsPid = natsServerPid();
    const before = {
      workers: totalCpu(pids),
      store: cpuSeconds(storePid),
      nats: natsPid ? cpuSeconds(natsPid) : NaN,
    };
    const backends = await CpuOfSet.begin(() => postgres.backends(WORKER_APP));
    const prefix = `img${workers}/`;
    const machineBefore = machineTicks();
    const start = Date.now();
    await uploadPhotos(store.s3, 'workers', prefix, IMAGES);
    const uploadSeconds = (Date.now() - start) / 1000;
    const done = await waitFor('records', async () => {
      const p = await postgres.progress('workers', prefix);
      return p.done >= IMAGES ? p : undefined;
    });
    // Every message acknowledged (the review messages and their bookkeeping come after the
    // record): the CPU window closes here.
    const lastSeq = (await jsm.streams.info(store.stream)).state.last_seq;
    await drained(jsm, store.stream, durable, lastSeq);
    const cores = machineCores(machineBefore);
    const seconds = (Date.now() - start) / 1000;
    const workerCpu = totalCpu(pids) - before.workers;
    const perImageMs = (cpu: number) => (cpu / IMAGES) * 1000;
    return {
      workers,
      images: IMAGES,
      perSec: IMAGES / ((done.lastEnd - start) / 1000),
      steadyPerSec: steadyRate(await postgres.ends('workers', prefix), start),
      uploadSeconds,
      workerCpuMs: perImageMs(workerCpu),
      workerCores: workerCpu / seconds,
      machineCores: cores,
      storeCpuMs: perImageMs(cpuSeconds(storePid) - before.store),
      postgresCpuMs: perImageMs(await backends.end()),
      natsCpuMs: natsPid ? perImageMs(cpuSeconds(natsPid) - before.nats) : NaN,
      warmUploads,
      duplicates: done.done - done.keys,
      decisions: await postgres.decisions('workers', prefix),
    };
  } finally {
    await stopWorkers(children);
  }
}

/** Images/s from `start` until 90% of them had their record (`ends` sorted, epoch ms). */
function steadyRate(ends: number[], start: number): number {
  const ninetieth = Math.ceil(0.9 * ends.length);
  return ninetieth / ((ends[ninetieth - 1]! - start) / 1000);
}

// ---- the embedded pipeline ------------------------------------------------------------

interface EmbeddedResult {
  perSec: number;
  steadyPerSec: number;
  vigilCores: number;
  machineCores: number;
  uploadSeconds: number;
  cpuMs: number;
  plain: PlainCell;
  decisions: Record<string, number>;
}

async function embeddedRun(work: string): Promise<EmbeddedResult> {
  const dataDir = join(work, 'embedded');
  const configFile = join(work, 'embedded.json');
  await writeFile(configFile, JSON.stringify({ pipeline: { memory: { enabled: false } } }));
  // Health answers 200 once the models are loaded and warm.
  const vigil = await spawnVigil(dataDir, vigilEnv(configFile));
  const s3 = s3Client(vigil.url);
  let reports: Database.Database | undefined;
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'plain' }));
    const pid = vigil.process.pid!;
    const records = (prefix: string) => {
      reports ??= new Database(join(dataDir, 'reports.db'), { readonly: true });
      return reports
        .prepare(
          `SELECT count(*) AS done, max(processing_end) AS lastEnd FROM tracking_records
           WHERE bucket = 'uploads' AND key LIKE ? || '%'`,
        )
        .get(prefix) as { done: number; lastEnd: number | null };
    };
    const warm = 'content/images/warm/';
    await uploadPhotos(s3, 'uploads', warm, 24);
    await waitFor('embedded warm-up', () => {
      try {
        return records(warm).done >= 24 ? true : undefined;
      } catch {
        return undefined; // reports.db not written yet
      }
    });
    const plain = await plainCell(vigil, s3, 'embedded/');
    const prefix = 'content/images/bench/';
    const before = cpuSeconds(pid);
    const machineBefore = machineTicks();
    const start = Date.now();
    await uploadPhotos(s3, 'uploads', prefix, IMAGES);
    const uploadSeconds = (Date.now() - start) / 1000;
    const lastEnd = await waitFor('embedded records', () => {
      const r = records(prefix);
      return r.done >= IMAGES ? r.lastEnd! : undefined;
    });
    const vigilCores = (cpuSeconds(pid) - before) / ((Date.now() - start) / 1000);
    const cores = machineCores(machineBefore);
    // As bench/moderation.ts: trailing review messages and relays count.
    await sleep(1000);
    const cpu = cpuSeconds(pid) - before;
    const ends = (
      reports!
        .prepare(
          `SELECT processing_end AS end FROM tracking_records
           WHERE bucket = 'uploads' AND key LIKE ? || '%' ORDER BY processing_end`,
        )
        .all(prefix) as { end: number }[]
    ).map((r) => r.end);
    const decisions = Object.fromEntries(
      (
        reports!
          .prepare(
            `SELECT decision, count(*) AS n FROM tracking_records
             WHERE bucket = 'uploads' AND key LIKE ? || '%' GROUP BY decision ORDER BY decision`,
          )
          .all(prefix) as { decision: string; n: number }[]
      ).map((r) => [r.decision, r.n]),
    );
    return {
      perSec: IMAGES / ((lastEnd - start) / 1000),
      steadyPerSec: steadyRate(ends, start),
      vigilCores,
      machineCores: cores,
      uploadSeconds,
      cpuMs: (cpu / IMAGES) * 1000,
      plain,
      decisions,
    };
  } finally {
    reports?.close();
    await stopVigil(vigil, s3);
  }
}

// ---- PostgreSQL's statement mix ---------------------------------------------------------

interface MixResult {
  images: number;
  seconds: number;
  /** Round trips per image (BEGIN/COMMIT included), and commits that write WAL. */
  roundTrips: number;
  walCommits: number;
  backendCpuMs: number;
}

/**
 * The worker's PostgreSQL work per image, replayed through PostgresReportStore from this
 * process: `redelivered` (BEGIN, UPDATE … RETURNING that finds nothing, COMMIT), `record`
 * (BEGIN, INSERT record, INSERT review item when flagged, SELECT review item, COMMIT) and,
 * for a flagged image, `markReviewSent` (UPDATE). Half the images flagged.
 */
async function statementMix(postgres: Postgres): Promise<MixResult> {
  const store = await PostgresReportStore.open(withApp(POSTGRES, MIX_APP), {
    schema: MIX_SCHEMA,
    poolSize: MIX_CONCURRENCY,
  });
  let next = 0;
  const image = async (i: number) => {
    const key = { bucket: 'mix', key: `content/images/${i}.jpg`, writeId: `w${RUN}${i}` };
    const flagged = i % 2 === 0;
    if (await store.redelivered(key)) throw new Error(`${key.key} recorded twice`);
    const now = Date.now();
    const entry: NewTrackingRecord = {
      ...key,
      etag: createHash('md5').update(key.key).digest('hex'),
      size: 35_000,
      contentType: 'image/jpeg',
      labels: flagged
        ? [{ Name: 'Weapons', Confidence: 97.2, ParentName: 'Violence', TaxonomyLevel: 2 }]
        : [],
      decision: flagged ? 'blocked' : 'clean',
      reason: flagged ? 'Weapons 97.2% ≥ 80% (block)' : 'no label at or above 80%',
      modelVersion: 'bench',
      eventTime: new Date(now).toISOString(),
      processingStart: now - 30,
      processingEnd: now,
    };
    const recorded = await store.record(entry);
    if (recorded.reviewItem) await store.markReviewSent(recorded.reviewItem.id, Date.now());
  };
  const loop = async (until: number) => {
    let count = 0;
    await Promise.all(
      Array.from({ length: MIX_CONCURRENCY }, async () => {
        while (performance.now() < until) {
          await image(next++);
          count++;
        }
      }),
    );
    return count;
  };
  try {
    await loop(performance.now() + 500);
    const backends = await CpuOfSet.begin(() => postgres.backends(MIX_APP));
    const start = performance.now();
    const images = await loop(start + MIX_SECONDS * 1000);
    const seconds = (performance.now() - start) / 1000;
    return {
      images,
      seconds,
      // clean: 3 + 4, one WAL-writing commit; flagged: 3 + 5 + 1, two.
      roundTrips: (7 + 9) / 2,
      walCommits: (1 + 2) / 2,
      backendCpuMs: ((await backends.end()) / images) * 1000,
    };
  } finally {
    await store.close();
  }
}

// ---- the run ----------------------------------------------------------------------------

async function main(): Promise<void> {
  const loadStart = os.loadavg();
  for (const probe of [await probeNats(), await probePostgres()])
    if (!probe.reachable) throw new Error(probe.message);
  log(`scale-out bench ${RUN}: NATS ${NATS}, PostgreSQL ${POSTGRES}\n${machine(loadStart)}`);
  const work = await mkdtemp(join(os.tmpdir(), 'vigil-bench-scale-out-'));
  const nc = await connect({ servers: NATS, name: 'vigil-bench-publisher' });
  const jsm = await nc.jetstreamManager();
  const postgres = await Postgres.open();
  let store: Store | undefined;
  const noop: NoopCell[] = [];
  const moderation: ModerationCell[] = [];
  let storePlain: PlainCell;
  let embedded: EmbeddedResult;
  let mix: MixResult;
  const started = performance.now();
  try {
    store = await startStore(work);
    for (const workers of [0, ...WORKER_COUNTS]) {
      const cell = await noopCell(nc, workers, work, store.vigil.url);
      noop.push(cell);
      log(
        `  ${cell.label}: ${fmt(cell.perSec)} events/s, to 90% ${fmt(cell.steadyPerSec)}/s ` +
          `(publishing alone ${fmt(cell.publishPerSec)}/s), lone events ${cell.loneEventMs.map((ms) => fmt(ms)).join(', ')} ms, ` +
          `worker CPU ${fmt(cell.workerCpuUs)} µs/event, nats-server ${fmt(cell.natsCpuUs)} µs/event`,
      );
    }
    storePlain = await plainCell(store.vigil, store.s3, 'store/');
    log(`  store, plain uploads: ${fmt(storePlain.cpuMs, 2)} CPU-ms/upload`);
    for (const workers of WORKER_COUNTS) {
      const cell = await moderationCell(workers, store, postgres, jsm, work);
      moderation.push(cell);
      log(
        `  moderate, ${workers} worker(s): ${fmt(cell.perSec, 1)} images/s (to 90% ${fmt(cell.steadyPerSec, 1)}), worker ${fmt(cell.workerCpuMs, 1)} ` +
          `CPU-ms/image, store ${fmt(cell.storeCpuMs, 1)}, PostgreSQL backends ${fmt(cell.postgresCpuMs, 2)}, ` +
          `nats-server ${fmt(cell.natsCpuMs, 2)}; ${JSON.stringify(cell.decisions)}, duplicates ${cell.duplicates}`,
      );
    }
    await store.stop();
    store = undefined;
    embedded = await embeddedRun(work);
    log(
      `  embedded: ${fmt(embedded.perSec, 1)} images/s (to 90% ${fmt(embedded.steadyPerSec, 1)}), ${fmt(embedded.cpuMs, 1)} CPU-ms/image, ` +
        `plain upload ${fmt(embedded.plain.cpuMs, 2)} CPU-ms; ${JSON.stringify(embedded.decisions)}`,
    );
    mix = await statementMix(postgres);
    log(
      `  PostgreSQL statement mix: ${fmt(mix.images / mix.seconds)} images/s, backends ${fmt(mix.backendCpuMs, 2)} CPU-ms/image`,
    );
  } finally {
    await store?.stop();
    await deleteStreams(jsm, `VIGIL_BENCH_${RUN}_MODERATE`, `VIGIL_BENCH_${RUN}_MODERATE_DLQ`);
    await nc.close();
    await postgres.dropSchemas();
    await postgres.close();
    await rm(work, { recursive: true, force: true });
  }
  const minutes = (performance.now() - started) / 60_000;
  process.stdout.write(report({ noop, moderation, storePlain, embedded, mix, loadStart, minutes }));
}

interface Results {
  noop: NoopCell[];
  moderation: ModerationCell[];
  storePlain: PlainCell;
  embedded: EmbeddedResult;
  mix: MixResult;
  loadStart: number[];
  minutes: number;
}

function report(r: Results): string {
  const broker = r.noop.find((c) => c.workers === 0)!;
  const judging = r.embedded.cpuMs - r.embedded.plain.cpuMs;
  const one = r.moderation[0];
  const lines = [
    `# Scale-out benchmark, ${new Date().toISOString()} (${fmt(r.minutes, 1)} min)`,
    '',
    machine(r.loadStart),
    '',
    `BENCH_EVENTS=${EVENTS} (after ${WARM_EVENTS} warm-up events per cell), BENCH_IMAGES=${IMAGES}, ` +
      `worker concurrency ${CONCURRENCY}, ${UPLOAD_CONCURRENCY} uploaders, publish window ${PUBLISH_WINDOW}, ` +
      `image memory off, ${PHOTOS.length} photographs cycled.`,
    '',
    '## No-op events through JetStream',
    '',
    '| consumers | events/s, all | ÷ broker | events/s to 90% acked | ÷ broker | publishing alone /s | worker CPU µs/event | bench process CPU µs/event | nats-server CPU µs/event | worker cores | machine busy cores (everyone) | redelivered | dead letters |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.noop.map(
      (c) =>
        `| ${c.workers === 0 ? 'broker only (nats.js pull consumer, here)' : `${c.workers} worker${c.workers > 1 ? 's' : ''}`} | ` +
        `${fmt(c.perSec)} | ${fmt(c.perSec / broker.perSec, 2)} | ${fmt(c.steadyPerSec)} | ` +
        `${fmt(c.steadyPerSec / broker.steadyPerSec, 2)} | ${fmt(c.publishPerSec)} | ${fmt(c.workerCpuUs)} | ` +
        `${fmt(c.benchCpuUs)} | ${fmt(c.natsCpuUs)} | ${fmt(c.workerCores, 2)} | ${fmt(c.machineCores, 2)} | ` +
        `${c.redelivered} | ${c.deadLetters} |`,
    ),
    '',
    `Event body ${fmt(broker.bytesPerEvent)} bytes. One event at a time after the 1-worker run, publish → acknowledged: ` +
      `${r.noop
        .flatMap((c) => c.loneEventMs)
        .map((ms) => fmt(ms))
        .join(', ')} ms.`,
    '',
    '## Moderation: workers against the embedded pipeline',
    '',
    '| pipeline | images/s, all | images/s to 90% | ÷ 1 worker (to 90%) | uploads done after (s) | judging CPU-ms/image | store CPU-ms/image | PostgreSQL backends CPU-ms/image | nats-server CPU-ms/image | pipeline cores | machine busy cores (everyone) | decisions | duplicate records |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
    ...r.moderation.map(
      (c) =>
        `| ${c.workers} worker${c.workers > 1 ? 's' : ''} | ${fmt(c.perSec, 1)} | ${fmt(c.steadyPerSec, 1)} | ` +
        `${fmt(c.steadyPerSec / one!.steadyPerSec, 2)} | ` +
        `${fmt(c.uploadSeconds, 1)} | ${fmt(c.workerCpuMs, 1)} (whole worker processes) | ${fmt(c.storeCpuMs, 1)} | ` +
        `${fmt(c.postgresCpuMs, 2)} | ${fmt(c.natsCpuMs, 2)} | ${fmt(c.workerCores, 2)} | ${fmt(c.machineCores, 2)} | ` +
        `${decisionsText(c.decisions)} | ${c.duplicates} |`,
    ),
    `| embedded (moderate-image in vigil serve) | ${fmt(r.embedded.perSec, 1)} | ${fmt(r.embedded.steadyPerSec, 1)} | ` +
      `${fmt(r.embedded.steadyPerSec / one!.steadyPerSec, 2)} | ` +
      `${fmt(r.embedded.uploadSeconds, 1)} | ${fmt(judging, 1)} (= ${fmt(r.embedded.cpuMs, 1)} − ${fmt(r.embedded.plain.cpuMs, 1)} per plain upload) | ` +
      `– | – (SQLite) | – | ${fmt(r.embedded.vigilCores, 2)} | ${fmt(r.embedded.machineCores, 2)} | ` +
      `${decisionsText(r.embedded.decisions)} | – |`,
    '',
    `Worker ÷ embedded judging CPU per image: ${r.moderation
      .map((c) => `${c.workers} worker(s) ${fmt(c.workerCpuMs / judging, 2)}`)
      .join(
        ', ',
      )}. Plain upload CPU: store ${fmt(r.storePlain.cpuMs, 2)} ms, embedded Vigil ${fmt(r.embedded.plain.cpuMs, 2)} ms; ` +
      `the store's extra per image in worker mode (outbox publish, HEAD, GET, tagging, review message): ` +
      `${r.moderation.map((c) => fmt(c.storeCpuMs - r.storePlain.cpuMs, 1)).join(' / ')} ms.`,
    '',
    '## PostgreSQL: the worker statement mix, replayed',
    '',
    `${fmt(r.mix.images / r.mix.seconds)} images/s (${r.mix.images} in ${fmt(r.mix.seconds, 1)} s, ${MIX_CONCURRENCY} connections, half flagged); ` +
      `${fmt(r.mix.roundTrips, 1)} round trips and ${fmt(r.mix.walCommits, 1)} WAL-writing commits per image; ` +
      `backends ${fmt(r.mix.backendCpuMs, 2)} CPU-ms per image.`,
    '',
    `Load average at end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
    '',
  ];
  return lines.join('\n');
}

function decisionsText(decisions: Record<string, number>): string {
  return Object.entries(decisions)
    .map(([d, n]) => `${d} ${n}`)
    .join(', ');
}

function machine(load: number[]): string {
  const cpus = os.cpus();
  return [
    `- CPU: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    `- memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `- OS: ${os.type()} ${os.release()} (${os.arch()})`,
    `- Node: ${process.version}`,
    `- load average at start: ${load.map((l) => l.toFixed(2)).join(' ')}`,
  ].join('\n');
}

await main();
