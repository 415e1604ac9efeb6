/**
 * The moderation pipeline of the seed scenario, end to end, against raw classification on the
 * same cores. One Vigil child process (default config plus `pipeline.cleanTag`, so clean
 * images get `ScanStatus=clean` and flagged ones `BlockedContent=true`: both have a tag to
 * wait for; image memory off, or it would answer every repeated image without the model)
 * with `moderation.workers` = BENCH_WORKERS (default: the number of cores, Vigil's
 * own default). Images: the 1 MP JPEG fixtures `bench-flagged-1mp.jpg` (150 KB) and
 * `bench-clean-1mp.jpg` (25 KB), alternated, each upload under a new key in
 * `uploads/content/images/bench/`, PUT with the AWS SDK v3.
 *
 * - Latency at low load: one upload at a time, BENCH_GAP_MS after the previous image was
 *   tagged, measured from the moment the PUT's response reached the client to the moment the
 *   decision's tag was readable, seen two ways (in alternating order, every round):
 *   `polled`: the response of the first GetObjectTagging that shows the tag, polled every
 *   BENCH_POLL_MS after the previous answer (resolution: that plus one round trip; the mean
 *   interval is printed). These polls and their SDK client run on the same two cores and
 *   the same server event loop as the pipeline, so they slow what they measure.
 *   `quiet`: nothing is asked of the server until the tracking record exists (reports.db
 *   read every 2 ms from this process); the time is the record's `processing_end`, the
 *   function's clock reading right after PutObjectTagging returned, so the tag was readable
 *   by then (Date.now() on both sides, same host). One GetObjectTagging then checks the tag.
 *   Both split into "ack → function start" and "in the function" from the record.
 * - Saturation: BENCH_IMAGES uploads as fast as BENCH_UPLOAD_CONCURRENCY clients can send
 *   them; images/s = images ÷ (first PUT sent → last image's `processing_end`). Completion is
 *   watched in `reports.db` (read-only, every 100 ms, from this process), so the watcher
 *   costs the server nothing; tags are written before the record, and are checked with
 *   GetObjectTagging after the clock stops. Server CPU is utime+stime of the whole process
 *   (the HTTP server, the function runtime's threads and the model workers) from
 *   /proc/<pid>/stat, from the first PUT to 1 s after the last record (so trailing review
 *   messages count); RSS is VmRSS sampled every 100 ms and VmHWM at the end.
 * - Raw classification, in the same round: a separate Node process (tsx registered in its
 *   main thread only, so the model workers run the same compiled dist/ code as Vigil's) that
 *   creates the project's own LocalModerator (dist/moderation/local: sharp decode in the main
 *   thread's libuv pool + NSFWJS and the ImageNet model on ONNX Runtime in a worker pool, as
 *   in Vigil; BENCH_RAW_TFJS=1 runs NSFWJS on the tfjs-wasm fallback instead) with the same
 *   worker count and calls detectModerationLabels on the same bytes in a closed loop, at
 *   concurrency = workers and 2 × workers. The better of the two is the reference; overhead
 *   ratio = pipeline images/s ÷ raw images/s (target ≥ 0.85).
 * - New pictures, image memory off and on (the default), after the rounds: two more fresh
 *   servers (cleanTag on) fed the same BENCH_SAMPLES + BENCH_IMAGES distinct synthetic 1 MP
 *   pictures (smooth random colour fields, ~150 KB each, hashes ≥ 17 bits apart), so that with
 *   memory on each is hashed and looked up and none is recalled: latency one at a time
 *   (quiet observer), then saturation as above; the difference is memory's cost.
 *   BENCH_MEMORY_RUN=0 skips them. Issue 10's targets (≥ 2 × 26.2
 *   img/s, ≤ 35 server CPU-ms, p50 ≤ 40 ms, peak RSS ≤ 500 MB) are judged for both servers.
 *
 *   npm run build && npm run bench:moderation
 *   BENCH_ROUNDS=3 BENCH_SCALE=1 BENCH_SAMPLES=60 BENCH_IMAGES=200 BENCH_GAP_MS=50
 *   BENCH_POLL_MS=2 BENCH_UPLOAD_CONCURRENCY=8 BENCH_WORKERS=<cores> BENCH_VCPU_HOUR_USD=0.0425
 */
import { GetObjectTaggingCommand, PutObjectCommand, S3Client, type Tag } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type * as Moderation from '../src/moderation/index.js';
import { REPO_ROOT, spawnVigil, type ChildVigil } from '../test/support/child.js';

const SCALE = Number(process.env['BENCH_SCALE'] ?? '1');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? '3');
const SAMPLES = Math.max(2, Math.round(Number(process.env['BENCH_SAMPLES'] ?? '60') * SCALE));
const IMAGES = Math.max(4, Math.round(Number(process.env['BENCH_IMAGES'] ?? '200') * SCALE));
const GAP_MS = Number(process.env['BENCH_GAP_MS'] ?? '50');
const POLL_MS = Number(process.env['BENCH_POLL_MS'] ?? '2');
const UPLOAD_CONCURRENCY = Number(process.env['BENCH_UPLOAD_CONCURRENCY'] ?? '8');
/** BENCH_MEMORY_RUN=0 skips the second server, with image memory on (the default). */
const MEMORY_RUN = process.env['BENCH_MEMORY_RUN'] !== '0';
const WORKERS = Number(process.env['BENCH_WORKERS'] ?? String(os.availableParallelism()));
/** c6i.large on-demand, us-east-1, Linux: $0.085 per hour for 2 vCPUs. */
const VCPU_HOUR_USD = Number(process.env['BENCH_VCPU_HOUR_USD'] ?? '0.0425');
const MIN_CONFIDENCE = 80;
for (const [name, value] of Object.entries({ SCALE, ROUNDS, WORKERS, UPLOAD_CONCURRENCY }))
  if (!(value > 0)) throw new Error(`BENCH_${name} must be positive, got ${value}`);

const BUCKET = 'uploads';
const PREFIX = 'content/images/bench/';
const CREDENTIALS = {
  accessKeyId: 'VIGILBENCHMODERATE1',
  secretAccessKey: 'bench-moderation-secret-01',
};
/** The seed architecture's published figures (S3 → Lambda → Rekognition), from the issue. */
const SEED = {
  latencyMs: 1000,
  perImageMs: 1300,
  costPerImageUsd: 0.001004,
};

type Kind = 'flagged' | 'clean';
const KINDS: Kind[] = ['flagged', 'clean'];
const kindOf = (i: number): Kind => KINDS[i % 2]!;
const IMAGE: Record<Kind, Buffer> = {
  flagged: readFileSync(join(REPO_ROOT, 'test/fixtures/images/bench-flagged-1mp.jpg')),
  clean: readFileSync(join(REPO_ROOT, 'test/fixtures/images/bench-clean-1mp.jpg')),
};
/** The tag each decision must show (cleanTag on). */
const EXPECTED: Record<Kind, Tag> = {
  flagged: { Key: 'BlockedContent', Value: 'true' },
  clean: { Key: 'ScanStatus', Value: 'clean' },
};
const EXPECTED_DECISION: Record<Kind, string> = { flagged: 'blocked', clean: 'clean' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
}

// ---- the Vigil process, seen from /proc ----------------------------------------------------

function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime + stime of every thread, in clock ticks (USER_HZ, 100 on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** VmRSS or VmHWM (peak) of a process, in MiB. */
function processMemoryMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
  );
  return match ? Number(match[1]) / 1024 : NaN;
}

/** Samples a process's VmRSS every 100 ms until stopped; returns the highest. */
function rssSampler(pid: number): { stop(): number } {
  let peak = processMemoryMiB(pid, 'VmRSS');
  const timer = setInterval(() => (peak = Math.max(peak, processMemoryMiB(pid, 'VmRSS'))), 100);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, processMemoryMiB(pid, 'VmRSS'));
    },
  };
}

// ---- tracking records (reports.db), read-only --------------------------------------------

interface TrackingRow {
  key: string;
  decision: string;
  processing_start: number;
  processing_end: number;
}

/** The pipeline's tracking records, read from its SQLite file without touching the server. */
class Tracking {
  private db: Database.Database | undefined;
  constructor(private readonly file: string) {}

  private open(): Database.Database | undefined {
    if (!this.db && existsSync(this.file))
      this.db = new Database(this.file, { readonly: true, fileMustExist: true });
    return this.db;
  }

  private progressQuery: Database.Statement | undefined;

  /** Records of keys starting with `prefix` (no `_` or `%` in it), and the last one's end. */
  progress(prefix: string): { done: number; lastEnd: number } {
    this.progressQuery ??= this.open()?.prepare(
      `SELECT count(*) AS done, max(processing_end) AS lastEnd FROM tracking_records
       WHERE bucket = ? AND key LIKE ? || '%'`,
    );
    const row = this.progressQuery?.get(BUCKET, prefix) as
      { done: number; lastEnd: number | null } | undefined;
    return { done: row?.done ?? 0, lastEnd: row?.lastEnd ?? NaN };
  }

  rows(prefix: string): Map<string, TrackingRow> {
    const rows = (this.open()
      ?.prepare(
        `SELECT key, decision, processing_start, processing_end FROM tracking_records
         WHERE bucket = ? AND key LIKE ? || '%'`,
      )
      .all(BUCKET, prefix) ?? []) as TrackingRow[];
    return new Map(rows.map((r) => [r.key, r]));
  }

  /** Images under `prefix` whose verdict memory took from another image. */
  remembered(prefix: string): number {
    const row = this.open()
      ?.prepare(
        `SELECT count(*) AS n FROM image_memory
         WHERE bucket = ? AND key LIKE ? || '%' AND precedent_key IS NOT NULL`,
      )
      .get(BUCKET, prefix) as { n: number } | undefined;
    return row?.n ?? 0;
  }

  close(): void {
    this.db?.close();
  }
}

// ---- S3 side --------------------------------------------------------------------------------

async function put(s3: S3Client, key: string, kind: Kind | Buffer): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: key,
      Body: Buffer.isBuffer(kind) ? kind : IMAGE[kind],
      ContentType: 'image/jpeg',
    }),
  );
}

const hasTag = (tags: Tag[], want: Tag) =>
  tags.some((t) => t.Key === want.Key && t.Value === want.Value);

async function readTags(s3: S3Client, key: string): Promise<Tag[]> {
  const { TagSet = [] } = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key }));
  return TagSet;
}

/** Polls GetObjectTagging until `want` shows; returns when that answer arrived and the polls. */
async function waitForTag(
  s3: S3Client,
  key: string,
  want: Tag,
  timeoutMs = 60_000,
): Promise<{ seenAt: number; polls: number }> {
  const deadline = performance.now() + timeoutMs;
  for (let polls = 1; ; polls++) {
    const tags = await readTags(s3, key);
    const now = performance.now();
    if (hasTag(tags, want)) return { seenAt: now, polls };
    if (now > deadline) throw new Error(`${key} was not tagged ${want.Key}=${want.Value} in time`);
    await sleep(POLL_MS);
  }
}

/** Waits until every key under `prefix` has a tracking record; returns the last `processing_end`. */
async function waitForRecords(
  tracking: Tracking,
  prefix: string,
  count: number,
  intervalMs = 100,
  timeoutMs = 600_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { done, lastEnd } = tracking.progress(prefix);
    if (done >= count) return lastEnd;
    if (Date.now() > deadline) throw new Error(`only ${done} of ${count} images were judged`);
    await sleep(intervalMs);
  }
}

// ---- phases -----------------------------------------------------------------------------

/**
 * How the latency phase sees an image's tag: `polled` asks GetObjectTagging every POLL_MS
 * (what the issue describes; the polls run on the same two cores as the pipeline), `quiet`
 * asks the server nothing until the tracking record is written and takes its
 * `processing_end`, the function's clock reading right after PutObjectTagging returned.
 */
type Observer = 'quiet' | 'polled';
const OBSERVERS: Observer[] = ['quiet', 'polled'];

interface LatencySample {
  observer: Observer;
  kind: Kind;
  /** PUT acknowledged → tag readable (ms): the first answer showing it, or `processing_end`. */
  toTagMs: number;
  /** Mean time between tagging polls (ms); NaN when quiet. */
  pollIntervalMs: number;
  /** From the tracking record: ack → function start, function start → tagged (ms). */
  toStartMs: number;
  inFunctionMs: number;
}

type Timing = Exclude<keyof LatencySample, 'observer' | 'kind'>;

async function latencyPhase(
  s3: S3Client,
  tracking: Tracking,
  round: number,
  observer: Observer,
): Promise<LatencySample[]> {
  const prefix = `${PREFIX}r${round}-${observer}-`;
  const seen: { key: string; kind: Kind; ackWall: number; toTagMs: number; polls: number }[] = [];
  for (let i = 0; i < SAMPLES * 2; i++) {
    const kind = kindOf(i);
    const key = `${prefix}${String(i).padStart(4, '0')}.jpg`;
    await put(s3, key, kind);
    const ackedAt = performance.now();
    const ackWall = Date.now();
    if (observer === 'polled') {
      const { seenAt, polls } = await waitForTag(s3, key, EXPECTED[kind]);
      seen.push({ key, kind, ackWall, toTagMs: seenAt - ackedAt, polls });
    } else {
      // SQLite, in this process: the server is not asked anything until the record exists.
      await waitForRecords(tracking, key, 1, 2);
      if (!hasTag(await readTags(s3, key), EXPECTED[kind]))
        throw new Error(`${key} (${kind}) has a record but not its tag`);
      seen.push({ key, kind, ackWall, toTagMs: NaN, polls: 0 });
    }
    await sleep(GAP_MS);
  }
  const rows = tracking.rows(prefix);
  return seen.map((r) => {
    const row = rows.get(r.key)!;
    if (row.decision !== EXPECTED_DECISION[r.kind])
      throw new Error(`${r.key} (${r.kind}) was judged ${row.decision}`);
    return {
      observer,
      kind: r.kind,
      toTagMs: observer === 'polled' ? r.toTagMs : row.processing_end - r.ackWall,
      pollIntervalMs: r.toTagMs / r.polls,
      toStartMs: row.processing_start - r.ackWall,
      inFunctionMs: row.processing_end - row.processing_start,
    };
  });
}

interface SaturationResult {
  imagesPerSec: number;
  /** Images per second after the first 10% were done (ramp-up excluded). */
  steadyPerSec: number;
  uploadSeconds: number;
  serverCpuSeconds: number;
  /** Server CPU seconds ÷ wall seconds until the last record: the cores Vigil got. */
  serverCores: number;
  clientCpuSeconds: number;
  peakRssMiB: number;
  wrongTags: number;
}

/** IMAGES uploads under `prefix` by UPLOAD_CONCURRENCY clients, clocked until the last record. */
async function saturate(
  server: BenchServer,
  prefix: string,
  body: (i: number) => Kind | Buffer,
): Promise<{ keys: string[]; result: Omit<SaturationResult, 'wrongTags'> }> {
  const { s3, tracking } = server;
  const pid = server.vigil.process.pid!;
  const keys = Array.from(
    { length: IMAGES },
    (_, i) => `${prefix}${String(i).padStart(5, '0')}.jpg`,
  );
  const rss = rssSampler(pid);
  const cpuBefore = processCpuSeconds(pid);
  const clientBefore = process.cpuUsage();
  const start = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: UPLOAD_CONCURRENCY }, async () => {
      for (let i = next++; i < keys.length; i = next++) await put(s3, keys[i]!, body(i));
    }),
  );
  const uploadSeconds = (Date.now() - start) / 1000;
  const lastEnd = await waitForRecords(tracking, prefix, keys.length);
  const serverCores = (processCpuSeconds(pid) - cpuBefore) / ((Date.now() - start) / 1000);
  await sleep(1000);
  const serverCpuSeconds = processCpuSeconds(pid) - cpuBefore;
  const client = process.cpuUsage(clientBefore);
  const peakRssMiB = rss.stop();
  const ends = [...tracking.rows(prefix).values()]
    .map((r) => r.processing_end)
    .sort((a, b) => a - b);
  const tenth = ends[Math.floor(ends.length / 10)]!;
  return {
    keys,
    result: {
      imagesPerSec: keys.length / ((lastEnd - start) / 1000),
      steadyPerSec: (ends.length - 1 - Math.floor(ends.length / 10)) / ((lastEnd - tenth) / 1000),
      uploadSeconds,
      serverCpuSeconds,
      serverCores,
      clientCpuSeconds: (client.user + client.system) / 1e6,
      peakRssMiB,
    },
  };
}

async function saturationPhase(server: BenchServer, round: number): Promise<SaturationResult> {
  const { keys, result } = await saturate(server, `${PREFIX}r${round}-sat-`, kindOf);
  // After the clock stopped: every image carries its decision's tag.
  let wrongTags = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: UPLOAD_CONCURRENCY }, async () => {
      for (let i = next++; i < keys.length; i = next++)
        if (!hasTag(await readTags(server.s3, keys[i]!), EXPECTED[kindOf(i)])) wrongTags++;
    }),
  );
  return { ...result, wrongTags };
}

// ---- image memory on (the default), on pictures it has never seen -------------------------

/** Issue 10's targets; "today" is 26.2 images/s with one model (bench/RESULTS.md, ADR 11). */
const TARGET = { imagesPerSec: 2 * 26.2, serverCpuMs: 35, p50Ms: 40, rssMB: 500 };

interface MemoryOnResult {
  memory: boolean;
  /** Quiet observer: PUT acknowledged → the record's processing_end (ms), one at a time. */
  latencyMs: number[];
  saturation: Omit<SaturationResult, 'wrongTags'>;
  /** Images whose verdict memory drew from another (must be 0: every picture is new). */
  remembered: number;
}

/**
 * 1 MP JPEGs of ~150 KB (like the flagged fixture), each a different smooth random colour
 * field with a little noise, so perceptual hashes lie far apart (≥ 17 of 64 bits measured
 * over 40): memory hashes and looks up every one and recalls none, which is the cost every
 * new upload pays with the default configuration.
 */
async function distinctPictures(count: number, seed: number): Promise<Buffer[]> {
  const pictures: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    let state = (seed * 100_003 + i + 1) >>> 0;
    const random = () => (state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    const grid = Buffer.alloc(8 * 6 * 3);
    for (let k = 0; k < grid.length; k++) grid[k] = Math.floor(random() * 256);
    const field = await sharp(grid, { raw: { width: 8, height: 6, channels: 3 } })
      .resize(1152, 864, { kernel: 'cubic' })
      .raw()
      .toBuffer();
    for (let k = 0; k < field.length; k++)
      field[k] = Math.max(0, Math.min(255, field[k]! + Math.floor((random() - 0.5) * 24)));
    pictures.push(
      await sharp(field, { raw: { width: 1152, height: 864, channels: 3 } })
        .jpeg({ quality: 85 })
        .toBuffer(),
    );
  }
  return pictures;
}

/**
 * A fresh Vigil fed new pictures, image memory on (the default) or off: latency one at a
 * time, then saturation.
 */
async function memoryOnRun(pictures: Buffer[], memory: boolean): Promise<MemoryOnResult> {
  const server = await startBenchServer(memory);
  try {
    await warmUp(server.s3, server.tracking);
    const latencyMs: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const key = `${PREFIX}memory-quiet-${String(i).padStart(4, '0')}.jpg`;
      await put(server.s3, key, pictures[i]!);
      const ackWall = Date.now();
      await waitForRecords(server.tracking, key, 1, 2);
      latencyMs.push(server.tracking.rows(key).get(key)!.processing_end - ackWall);
      await sleep(GAP_MS);
    }
    const { result } = await saturate(
      server,
      `${PREFIX}memory-sat-`,
      (i) => pictures[SAMPLES + i]!,
    );
    const peakRssMiB = Math.max(
      result.peakRssMiB,
      processMemoryMiB(server.vigil.process.pid!, 'VmHWM'),
    );
    return {
      memory,
      latencyMs,
      saturation: { ...result, peakRssMiB },
      // The warm-up's repeated images are recalled, as they should be; these must not be.
      remembered: server.tracking.remembered(`${PREFIX}memory-`),
    };
  } finally {
    await server.stop();
  }
}

// ---- raw classification (a child process running this file with BENCH_MODERATION_ROLE=raw) --

interface RawLoop {
  concurrency: number;
  images: number;
  seconds: number;
  cpuSeconds: number;
}

interface RawResult {
  workers: number;
  loops: RawLoop[];
  /** One image at a time, decode + classify (ms). */
  latenciesMs: number[];
  /** RSS before the moderator was created (tsx and this module's imports) and peak (MiB). */
  rssBeforeMiB: number;
  peakRssMiB: number;
}

async function rawChild(): Promise<void> {
  const dist = new URL('../dist/moderation/index.js', import.meta.url);
  const { createLocalModerator } = (await import(dist.href)) as typeof Moderation;
  const rssBeforeMiB = process.memoryUsage().rss / 1024 ** 2;
  // The same runtime as Vigil's: NSFWJS converted to ONNX, cached in a directory of its own
  // (converted before anything is timed). BENCH_RAW_TFJS=1 measures the tfjs-wasm fallback.
  const cacheDir = await mkdtemp(join(os.tmpdir(), 'vigil-bench-models-'));
  const moderator = await createLocalModerator({
    workers: WORKERS,
    ...(process.env['BENCH_RAW_TFJS'] === '1' ? {} : { modelCacheDir: cacheDir }),
  });
  const classify = (i: number) =>
    moderator.detectModerationLabels(IMAGE[kindOf(i)], { minConfidence: MIN_CONFIDENCE });
  const loop = async (concurrency: number, images: number): Promise<RawLoop> => {
    const cpu = process.cpuUsage();
    const start = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < images; i = next++) await classify(i);
      }),
    );
    const used = process.cpuUsage(cpu);
    const seconds = (performance.now() - start) / 1000;
    return { concurrency, images, seconds, cpuSeconds: (used.user + used.system) / 1e6 };
  };
  await loop(WORKERS, 8 * WORKERS); // warm-up
  const latenciesMs: number[] = [];
  for (let i = 0; i < 30; i++) {
    const start = performance.now();
    await classify(i);
    latenciesMs.push(performance.now() - start);
  }
  const loops = [await loop(WORKERS, IMAGES), await loop(2 * WORKERS, IMAGES)];
  const result: RawResult = {
    workers: WORKERS,
    loops,
    latenciesMs,
    rssBeforeMiB,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  await moderator.close();
  await rm(cacheDir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function rawPhase(): Promise<RawResult> {
  // As pool.ts does for its workers: tsx registered in this thread only, so the model
  // workers load dist/ without a loader, exactly as in Vigil.
  const entry = JSON.stringify(import.meta.url);
  const child = spawn(
    process.execPath,
    ['-e', `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${entry}); })`],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, BENCH_MODERATION_ROLE: 'raw' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`raw classification exited with ${code}: ${output}`);
  return JSON.parse(output.trim().split('\n').at(-1)!) as RawResult;
}

const rawPerSec = (raw: RawResult) => Math.max(...raw.loops.map((l) => l.images / l.seconds));
const rawCpuPerImage = (raw: RawResult) =>
  Math.min(...raw.loops.map((l) => l.cpuSeconds / l.images));

// ---- the run ----------------------------------------------------------------------------

interface Round {
  round: number;
  latency: LatencySample[];
  saturation: SaturationResult;
  raw: RawResult;
  /** WAL fsyncs per image, upload included: one at a time, and at saturation. */
  fsyncs: { lowLoad: WalSyncs; saturation: WalSyncs };
}

/** `vigil_wal_fsyncs_total` by database (a count, or per image once divided). */
interface WalSyncs {
  vigil: number;
  reports: number;
}

async function walSyncs(url: string): Promise<WalSyncs> {
  const text = await (await fetch(`${url}/_vigil/metrics`)).text();
  const read = (database: string) =>
    Number(
      new RegExp(`^vigil_wal_fsyncs_total\\{database="${database}"\\} (\\d+)$`, 'm').exec(
        text,
      )?.[1] ?? NaN,
    );
  return { vigil: read('vigil.db'), reports: read('reports.db') };
}

/** What happened between two readings, per image. */
function perImage(before: WalSyncs, after: WalSyncs, images: number): WalSyncs {
  return {
    vigil: (after.vigil - before.vigil) / images,
    reports: (after.reports - before.reports) / images,
  };
}

const syncsText = (w: WalSyncs) => `vigil.db ${fmt(w.vigil, 2)} + reports.db ${fmt(w.reports, 2)}`;

function benchClient(endpoint: string): S3Client {
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

/** A Vigil child process with the benchmark's configuration, its S3 client and records. */
interface BenchServer {
  vigil: ChildVigil;
  s3: S3Client;
  tracking: Tracking;
  stop(): Promise<void>;
}

/**
 * cleanTag on, so that both decisions have a tag to wait for, and `memory` as asked: off for
 * the rounds, where the same two images are uploaded again and again and memory would
 * answer every copy without the model, which is not what they measure.
 */
async function startBenchServer(memory: boolean): Promise<BenchServer> {
  const dataDir = await mkdtemp(join(os.tmpdir(), 'vigil-bench-moderation-'));
  const configFile = `${dataDir}.json`;
  await writeFile(
    configFile,
    JSON.stringify({
      pipeline: { cleanTag: true, memory: { enabled: memory } },
      moderation: { workers: WORKERS },
    }),
  );
  const vigil = await spawnVigil(dataDir, {
    VIGIL_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    VIGIL_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    VIGIL_CONFIG: configFile,
  });
  const s3 = benchClient(vigil.url);
  const tracking = new Tracking(join(dataDir, 'reports.db'));
  return {
    vigil,
    s3,
    tracking,
    async stop() {
      tracking.close();
      s3.destroy();
      vigil.process.kill('SIGTERM');
      await new Promise((r) => vigil.process.once('exit', r));
      await rm(dataDir, { recursive: true, force: true });
      await rm(configFile, { force: true });
    },
  };
}

async function main(): Promise<void> {
  const loadBefore = os.loadavg();
  const server = await startBenchServer(false);
  const { vigil, s3, tracking } = server;
  process.stderr.write(`Vigil ${vigil.url}, ${WORKERS} model workers, machine:\n${machine()}\n`);
  const rounds: Round[] = [];
  let coldStart: number;
  let serverPeakMiB: number;
  try {
    coldStart = await warmUp(s3, tracking);
    process.stderr.write(`  cold start (model load + first image): ${fmt(coldStart)} ms\n`);
    for (let round = 1; round <= ROUNDS; round++) {
      const latency: LatencySample[] = [];
      const order = round % 2 ? OBSERVERS : [...OBSERVERS].reverse();
      const start = await walSyncs(vigil.url);
      for (const observer of order)
        latency.push(...(await latencyPhase(s3, tracking, round, observer)));
      const afterLatency = await walSyncs(vigil.url);
      const saturation = await saturationPhase(server, round);
      const afterSaturation = await walSyncs(vigil.url);
      const raw = await rawPhase();
      const fsyncs = {
        lowLoad: perImage(start, afterLatency, latency.length),
        saturation: perImage(afterLatency, afterSaturation, IMAGES),
      };
      rounds.push({ round, latency, saturation, raw, fsyncs });
      process.stderr.write(summaryLine(rounds.at(-1)!));
    }
    serverPeakMiB = processMemoryMiB(vigil.process.pid!, 'VmHWM');
  } finally {
    await server.stop();
  }
  const newPictures: MemoryOnResult[] = [];
  if (MEMORY_RUN) {
    const pictures = await distinctPictures(SAMPLES + IMAGES, 1);
    // Off first, then on (the default), each on a fresh server: memory's cost in one run.
    for (const memory of [false, true]) {
      const run = await memoryOnRun(pictures, memory);
      newPictures.push(run);
      const s = run.saturation;
      process.stderr.write(
        `  new pictures, memory ${memory ? 'on' : 'off'}: p50 ${fmt(percentile(run.latencyMs, 50))} ms, ` +
          `${fmt(s.imagesPerSec, 1)} img/s, server ${fmt((s.serverCpuSeconds / IMAGES) * 1000, 1)} CPU-ms/img, ` +
          `peak RSS ${fmt(s.peakRssMiB)} MiB, recalled ${run.remembered}\n`,
      );
    }
  }
  process.stdout.write(report(rounds, coldStart, serverPeakMiB, loadBefore, newPictures));
}

/** Loads the model and starts every function worker; returns the first image's upload-to-tag. */
async function warmUp(s3: S3Client, tracking: Tracking): Promise<number> {
  const first = `${PREFIX}warm-first.jpg`;
  await put(s3, first, 'flagged');
  const ackedAt = performance.now();
  const { seenAt } = await waitForTag(s3, first, EXPECTED.flagged);
  const prefix = `${PREFIX}warm-more-`;
  const count = 8 * WORKERS;
  await Promise.all(
    Array.from({ length: count }, (_, i) => put(s3, `${prefix}${i}.jpg`, kindOf(i))),
  );
  await waitForRecords(tracking, prefix, count);
  return seenAt - ackedAt;
}

const timings = (samples: LatencySample[], observer: Observer, kind: Kind, field: Timing) =>
  samples.filter((s) => s.observer === observer && s.kind === kind).map((s) => s[field]);

function summaryLine(r: Round): string {
  const lat = (observer: Observer, kind: Kind) => {
    const values = timings(r.latency, observer, kind, 'toTagMs');
    return `${fmt(percentile(values, 50))}/${fmt(percentile(values, 99))}`;
  };
  const s = r.saturation;
  return (
    `  r${r.round} upload-to-tag p50/p99 ms: quiet flagged ${lat('quiet', 'flagged')}, clean ${lat('quiet', 'clean')}; ` +
    `polled flagged ${lat('polled', 'flagged')}, clean ${lat('polled', 'clean')}. ` +
    `Pipeline ${fmt(s.imagesPerSec, 1)} img/s, raw ${r.raw.loops.map((l) => fmt(l.images / l.seconds, 1)).join(' / ')} img/s, ` +
    `ratio ${fmt(s.imagesPerSec / rawPerSec(r.raw), 2)}, server ${fmt((s.serverCpuSeconds / IMAGES) * 1000, 1)} CPU-ms/img, ` +
    `peak RSS ${fmt(s.peakRssMiB)} MiB. WAL fsyncs per image (upload included): ` +
    `one at a time ${syncsText(r.fsyncs.lowLoad)}, saturated ${syncsText(r.fsyncs.saturation)}\n`
  );
}

function report(
  rounds: Round[],
  coldStartMs: number,
  serverPeakMiB: number,
  loadBefore: number[],
  newPictures: MemoryOnResult[],
): string {
  const memoryOn = newPictures.find((r) => r.memory);
  const all = rounds.flatMap((r) => r.latency);
  const p = (values: number[], q: number, digits = 0) => fmt(percentile(values, q), digits);
  const ratio = (r: Round) => r.saturation.imagesPerSec / rawPerSec(r.raw);
  const best = [...rounds].sort(
    (a, b) => b.saturation.imagesPerSec - a.saturation.imagesPerSec,
  )[0]!;
  const bestRaw = Math.max(...rounds.map((r) => rawPerSec(r.raw)));
  const bestRatio = best.saturation.imagesPerSec / bestRaw;
  const cpuPerImage = Math.min(...rounds.map((r) => r.saturation.serverCpuSeconds / IMAGES));
  const rawCpu = Math.min(...rounds.map((r) => rawCpuPerImage(r.raw)));
  const peakRss = Math.max(serverPeakMiB, ...rounds.map((r) => r.saturation.peakRssMiB));
  const costPerImage = (cpuPerImage * VCPU_HOUR_USD) / 3600;
  const machinePerImage = (VCPU_HOUR_USD * WORKERS) / 3600 / best.saturation.imagesPerSec;
  const range = (values: number[], digits = 0) =>
    `${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)}`;
  const verdict = (met: boolean) => (met ? 'met' : '**missed**');
  /** All rounds pooled; the worse of flagged and clean. */
  const pooled = (observer: Observer, q: number) =>
    Math.max(...KINDS.map((kind) => percentile(timings(all, observer, kind, 'toTagMs'), q)));
  const byKind = (observer: Observer, q: number) =>
    KINDS.map((kind) => `${kind} ${p(timings(all, observer, kind, 'toTagMs'), q)} ms`).join(', ');
  const described: Record<Observer, string> = {
    quiet: 'no polling (record time)',
    polled: `GetObjectTagging every ${POLL_MS} ms`,
  };

  const lines = [
    `# Moderation pipeline benchmark, ${new Date().toISOString()}`,
    '',
    machine(loadBefore),
    '',
    `BENCH_ROUNDS=${ROUNDS}; ${SAMPLES} latency samples per kind, observer and round (gap ${GAP_MS} ms); ` +
      `${IMAGES} images per saturation run (${UPLOAD_CONCURRENCY} uploaders); ${WORKERS} model workers; ` +
      '1 MP JPEGs; Vigil fsync on, cleanTag on.',
    '',
    `Cold start (first image after start: model load, function worker start): ${fmt(coldStartMs)} ms.`,
    '',
    '## Upload-to-tag latency at low load (ms)',
    '',
    '| round | observer | kind | samples | p50 | p99 | max | mean poll interval | ack → function start p50 / p99 | in function p50 / p99 |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const latencyRow = (label: string, samples: LatencySample[], observer: Observer, kind: Kind) => {
    const of = (field: Timing) => timings(samples, observer, kind, field);
    const toTag = of('toTagMs');
    const pair = (field: Timing) => `${p(of(field), 50)} / ${p(of(field), 99)}`;
    lines.push(
      `| ${label} | ${observer} | ${kind} | ${toTag.length} | ${p(toTag, 50)} | ${p(toTag, 99)} | ` +
        `${fmt(Math.max(...toTag))} | ${p(of('pollIntervalMs'), 50, 1)} | ${pair('toStartMs')} | ${pair('inFunctionMs')} |`,
    );
  };
  for (const label of [...rounds.map((r) => String(r.round)), 'all'])
    for (const observer of OBSERVERS)
      for (const kind of KINDS)
        latencyRow(
          label,
          label === 'all' ? all : rounds[Number(label) - 1]!.latency,
          observer,
          kind,
        );
  const rawLatency = rounds.flatMap((r) => r.raw.latenciesMs);
  lines.push(
    '',
    `Raw classification, one image at a time (decode + classify; no HTTP, no storage): p50 ${p(rawLatency, 50, 1)} ms, p99 ${p(rawLatency, 99, 1)} ms.`,
    '',
    '## Throughput at saturation',
    '',
    `| round | pipeline img/s (cores used) | steady img/s (after first 10%) | uploads done after (s) | raw c=${WORKERS} img/s (cores) | raw c=${2 * WORKERS} img/s (cores) | pipeline ÷ best raw | server CPU-ms/img | raw CPU-ms/img | client CPU-ms/img | server peak RSS MiB | raw peak RSS MiB (before model) | wrong tags |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const r of rounds) {
    const s = r.saturation;
    const perSec = (l: RawLoop) =>
      `${fmt(l.images / l.seconds, 1)} (${fmt(l.cpuSeconds / l.seconds, 2)})`;
    lines.push(
      `| ${r.round} | ${fmt(s.imagesPerSec, 1)} (${fmt(s.serverCores, 2)}) | ${fmt(s.steadyPerSec, 1)} | ${fmt(s.uploadSeconds, 1)} | ` +
        `${perSec(r.raw.loops[0]!)} | ${perSec(r.raw.loops[1]!)} | ${fmt(ratio(r), 2)} | ` +
        `${fmt((s.serverCpuSeconds / IMAGES) * 1000, 1)} | ${fmt(rawCpuPerImage(r.raw) * 1000, 1)} | ` +
        `${fmt((s.clientCpuSeconds / IMAGES) * 1000, 1)} | ${fmt(s.peakRssMiB)} | ` +
        `${fmt(r.raw.peakRssMiB)} (${fmt(r.raw.rssBeforeMiB)}) | ${s.wrongTags} |`,
    );
  }
  lines.push(
    '',
    `Best pipeline round ${fmt(best.saturation.imagesPerSec, 1)} img/s ÷ best raw ${fmt(bestRaw, 1)} img/s = ${fmt(bestRatio, 2)} ` +
      `(per-round ratios ${range(rounds.map(ratio), 2)}). CPU efficiency, which does not depend on what else the machine ran: ` +
      `raw ${fmt(rawCpu * 1000, 1)} ÷ pipeline ${fmt(cpuPerImage * 1000, 1)} CPU-ms per image = ${fmt(rawCpu / cpuPerImage, 2)}. ` +
      `Vigil VmHWM over the whole run: ${fmt(serverPeakMiB)} MiB.`,
    '',
    '## Targets',
    '',
    '| target | observer | measured (all rounds) | verdict |',
    '| --- | --- | --- | --- |',
    ...OBSERVERS.map(
      (o) =>
        `| p50 upload-to-tag < 100 ms at low load | ${described[o]} | ${byKind(o, 50)} | ${verdict(pooled(o, 50) < 100)} |`,
    ),
    ...OBSERVERS.map(
      (o) =>
        `| p99 upload-to-tag < 300 ms at low load | ${described[o]} | ${byKind(o, 99)} | ${verdict(pooled(o, 99) < 300)} |`,
    ),
    `| pipeline ≥ 85% of raw classification | – | ${fmt(bestRatio, 2)} (best ÷ best), rounds ${range(rounds.map(ratio), 2)} | ${verdict(bestRatio >= 0.85)} |`,
    `| RSS < 600 MB | – | peak ${fmt(peakRss)} MiB = ${fmt((peakRss * 1024 ** 2) / 1e6)} MB | ${verdict(peakRss * 1024 ** 2 < 600e6)} |`,
    '',
    "### Issue 10's targets (both models)",
    '',
    '| target | image memory | measured | verdict |',
    '| --- | --- | --- | --- |',
    ...issue10Targets(
      'off (repeated images)',
      best.saturation.imagesPerSec,
      cpuPerImage * 1000,
      Math.max(pooled('quiet', 50), pooled('polled', 50)),
      `quiet ${fmt(pooled('quiet', 50))}, polled ${fmt(pooled('polled', 50))}`,
      peakRss,
    ),
    ...(memoryOn
      ? issue10Targets(
          'on, the default (new pictures)',
          memoryOn.saturation.imagesPerSec,
          (memoryOn.saturation.serverCpuSeconds / IMAGES) * 1000,
          percentile(memoryOn.latencyMs, 50),
          `quiet ${fmt(percentile(memoryOn.latencyMs, 50))}`,
          memoryOn.saturation.peakRssMiB,
        )
      : []),
    `| at most one WAL fsync per image beyond the upload's own (one at a time) | off | ${rounds
      .map((r) => syncsText(r.fsyncs.lowLoad))
      .join('; ')} per image, upload included | ${verdict(
      rounds.every((r) => r.fsyncs.lowLoad.vigil + r.fsyncs.lowLoad.reports <= 2),
    )} |`,
    `| (the same, saturated: group commits share fsyncs) | off | ${rounds
      .map((r) => syncsText(r.fsyncs.saturation))
      .join('; ')} | – |`,
    '',
    ...(newPictures.length > 0 ? memorySection(newPictures) : []),
    '## Against the seed architecture (S3 → Lambda → Rekognition, published figures)',
    '',
    '| | seed architecture | Vigil, this run |',
    '| --- | ---: | ---: |',
    `| upload to decision | triggered within ${SEED.latencyMs / 1000} s, ${SEED.perImageMs / 1000} s per image | ` +
      `p50 ${fmt(pooled('quiet', 50))} ms, p99 ${fmt(pooled('quiet', 99))} ms (polled: ${fmt(pooled('polled', 50))} / ${fmt(pooled('polled', 99))} ms) |`,
    `| cost per image, server CPU | $${SEED.costPerImageUsd.toFixed(6)} | $${costPerImage.toExponential(2)} ` +
      `(${fmt(cpuPerImage * 1000, 1)} CPU-ms × $${VCPU_HOUR_USD} per vCPU-hour) |`,
    `| cost per image, a ${WORKERS}-vCPU machine kept saturated | – | $${machinePerImage.toExponential(2)} |`,
    '',
    `Load average at end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
    '',
  );
  return lines.join('\n');
}

/** Rows of issue 10's targets table for one configuration. */
function issue10Targets(
  memory: string,
  imagesPerSec: number,
  serverCpuMs: number,
  p50Ms: number,
  p50Detail: string,
  peakRssMiB: number,
): string[] {
  const verdict = (met: boolean) => (met ? 'met' : '**missed**');
  const rssMB = (peakRssMiB * 1024 ** 2) / 1e6;
  return [
    `| pipeline ≥ ${fmt(TARGET.imagesPerSec, 1)} img/s (2 × 26.2) | ${memory} | ${fmt(imagesPerSec, 1)} img/s | ${verdict(imagesPerSec >= TARGET.imagesPerSec)} |`,
    `| server CPU ≤ ${TARGET.serverCpuMs} ms per 1 MP image | ${memory} | ${fmt(serverCpuMs, 1)} ms | ${verdict(serverCpuMs <= TARGET.serverCpuMs)} |`,
    `| upload-to-tag p50 ≤ ${TARGET.p50Ms} ms | ${memory} | ${p50Detail} ms | ${verdict(p50Ms <= TARGET.p50Ms)} |`,
    `| peak RSS ≤ ${TARGET.rssMB} MB | ${memory} | ${fmt(peakRssMiB)} MiB = ${fmt(rssMB)} MB | ${verdict(rssMB <= TARGET.rssMB)} |`,
  ];
}

function memorySection(runs: MemoryOnResult[]): string[] {
  const cpuMs = (m: MemoryOnResult) => (m.saturation.serverCpuSeconds / IMAGES) * 1000;
  const off = runs.find((r) => !r.memory);
  const on = runs.find((r) => r.memory);
  return [
    '## New pictures: image memory off and on (the default)',
    '',
    `After the rounds above, two fresh servers (cleanTag on; memory off, then on) each get the same ${SAMPLES} ` +
      `distinct 1 MP pictures one at a time (quiet observer, gap ${GAP_MS} ms), then the same ${IMAGES} more at ` +
      `saturation (${UPLOAD_CONCURRENCY} uploaders). With memory on every upload is hashed and looked up; none may be recalled.`,
    '',
    '| image memory | upload-to-record p50 / p99 ms | img/s (cores used) | steady img/s | server CPU-ms/img | client CPU-ms/img | peak RSS MiB | recalled by memory |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...runs.map((m) => {
      const s = m.saturation;
      return (
        `| ${m.memory ? 'on' : 'off'} | ${fmt(percentile(m.latencyMs, 50))} / ${fmt(percentile(m.latencyMs, 99))} | ` +
        `${fmt(s.imagesPerSec, 1)} (${fmt(s.serverCores, 2)}) | ${fmt(s.steadyPerSec, 1)} | ${fmt(cpuMs(m), 1)} | ` +
        `${fmt((s.clientCpuSeconds / IMAGES) * 1000, 1)} | ${fmt(s.peakRssMiB)} | ${m.memory ? m.remembered : '–'} |`
      );
    }),
    '',
    ...(off && on
      ? [
          `Image memory's cost, same pictures, same run: ${fmt(cpuMs(on) - cpuMs(off), 1)} server CPU-ms per image, ` +
            `${fmt(percentile(on.latencyMs, 50) - percentile(off.latencyMs, 50))} ms of p50 latency.`,
          '',
        ]
      : []),
  ];
}

function machine(load = os.loadavg()): string {
  const cpus = os.cpus();
  return [
    `- CPU: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    `- memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `- OS: ${os.type()} ${os.release()} (${os.arch()})`,
    `- Node: ${process.version}`,
    `- load average at start: ${load.map((l) => l.toFixed(2)).join(' ')}`,
  ].join('\n');
}

if (process.env['BENCH_MODERATION_ROLE'] === 'raw') await rawChild();
else await main();
