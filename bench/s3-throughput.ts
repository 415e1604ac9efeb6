/**
 * S3 PUT/GET throughput and latency: Vigil (fsync on, and fsync off) against s3rver, all
 * driven by the AWS SDK v3 S3Client with identical settings. Each server runs in its own
 * child process, so the client (this process) never shares an event loop with a server.
 *
 * The machine may be shared, so servers are interleaved: every round runs each cell on every
 * server back to back (rotating the order), and the best of BENCH_ROUNDS rounds is reported.
 * Server CPU time per operation (from /proc) is reported too: it does not depend on how much
 * wall-clock time other processes took.
 *
 *   npm run build && node --import tsx bench/s3-throughput.ts
 *   BENCH_SCALE=0.05 BENCH_ROUNDS=1 node --import tsx bench/s3-throughput.ts   # smoke run
 *   BENCH_ROUNDS=3                                      # rounds (best of N is reported)
 *   BENCH_SERVERS=vigil,s3rver                          # subset of vigil, vigil-iam, vigil-nofsync, s3rver
 *
 * `vigil-iam` is Vigil with fsync on, driven by an IAM user (a key of the config file) whose
 * policy allows the bench bucket and denies deletes under a condition: every request then
 * pays the identity policy's evaluation, where root without a bucket policy does not.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { REPO_ROOT, spawnVigil } from '../test/support/child.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const BUCKET = 'bench';
const SCALE = Number(process.env['BENCH_SCALE'] ?? '1');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? '3');
if (!(SCALE > 0)) throw new Error(`BENCH_SCALE must be a positive number, got ${SCALE}`);
if (!(Number.isInteger(ROUNDS) && ROUNDS > 0)) throw new Error(`bad BENCH_ROUNDS ${ROUNDS}`);

interface Cell {
  size: number;
  concurrency: number;
  /** PUTs of distinct keys, before BENCH_SCALE. */
  puts: number;
  /** GETs, cycling over the keys just PUT, before BENCH_SCALE. */
  gets: number;
}

/**
 * Fixed operation counts per cell (the same for every server), sized for roughly 2–5 s per
 * cell on a 2-core VM; with the default 3 rounds the whole run takes about 3–4 minutes.
 */
const CELLS: Cell[] = [
  { size: 4 * KiB, concurrency: 1, puts: 800, gets: 2400 },
  { size: 4 * KiB, concurrency: 16, puts: 1600, gets: 4800 },
  { size: MiB, concurrency: 1, puts: 300, gets: 900 },
  { size: MiB, concurrency: 16, puts: 500, gets: 1500 },
];

const scaled = (cell: Cell, n: number) => Math.max(cell.concurrency * 2, Math.round(n * SCALE));

interface Server {
  kind: ServerKind;
  url: string;
  pid: number;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Whether the bucket must be created through the API. */
  createBucket: boolean;
  stop(): Promise<void>;
}

type ServerKind = 'vigil' | 'vigil-iam' | 'vigil-nofsync' | 's3rver';
const SERVER_LABEL: Record<ServerKind, string> = {
  vigil: 'Vigil fsync on',
  'vigil-iam': 'Vigil fsync on, IAM user',
  'vigil-nofsync': 'Vigil fsync off',
  s3rver: 's3rver',
};

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** The IAM user `vigil-iam` signs as: the bucket's objects, deletes denied off loopback. */
const BENCH_USER = {
  name: 'bench',
  accessKeys: [{ accessKeyId: 'BENCHUSER00000001', secretAccessKey: 'vigil-bench-user-secret-01' }],
  policies: {
    bench: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['s3:CreateBucket', 's3:ListBucket', 's3:GetObject', 's3:PutObject'],
          Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
        },
        {
          Effect: 'Deny',
          Action: 's3:DeleteObject',
          Resource: `arn:aws:s3:::${BUCKET}/*`,
          Condition: { NotIpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '::1/128'] } },
        },
      ],
    },
  },
};

async function startVigilServer(fsync: boolean, asUser = false): Promise<Server> {
  if (!existsSync(join(REPO_ROOT, 'dist/cli/main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first');
  }
  const dataDir = await mkdtemp(join(os.tmpdir(), 'vigil-bench-'));
  const credentials = {
    accessKeyId: 'VIGILBENCH0000000001',
    secretAccessKey: 'vigil-bench-secret-0001',
  };
  const config = join(dataDir, 'bench-config.json');
  await writeFile(config, JSON.stringify({ iam: { users: asUser ? [BENCH_USER] : [] } }));
  const child = await spawnVigil(
    dataDir,
    {
      VIGIL_ACCESS_KEY_ID: credentials.accessKeyId,
      VIGIL_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      VIGIL_FSYNC: String(fsync),
      VIGIL_LOG_LEVEL: 'info', // spawnVigil reads the port from the start-up log line
    },
    ['--config', config],
  );
  return {
    kind: asUser ? 'vigil-iam' : fsync ? 'vigil' : 'vigil-nofsync',
    url: child.url,
    pid: child.process.pid!,
    credentials: asUser ? BENCH_USER.accessKeys[0]! : credentials,
    createBucket: true,
    stop: async () => {
      await stopChild(child.process);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const S3RVER_SCRIPT = `
const S3rver = require('s3rver');
new S3rver({
  port: 0,
  address: '127.0.0.1',
  silent: true,
  directory: process.env.S3RVER_DIR,
  configureBuckets: [{ name: ${JSON.stringify(BUCKET)} }],
}).run().then(
  (address) => process.stdout.write('S3RVER_PORT ' + address.port + '\\n'),
  (error) => { console.error(error); process.exit(1); },
);
`;

async function startS3rver(): Promise<Server> {
  const dir = await mkdtemp(join(os.tmpdir(), 's3rver-bench-'));
  const child = spawn(process.execPath, ['-e', S3RVER_SCRIPT], {
    cwd: REPO_ROOT,
    env: { ...process.env, S3RVER_DIR: dir, NODE_OPTIONS: '--openssl-legacy-provider' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3rver did not start:\n${output}`)), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      const match = /S3RVER_PORT (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with ${code}:\n${output}`));
    });
  });
  return {
    kind: 's3rver',
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    createBucket: false,
    stop: async () => {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** CPU seconds (user + system) a process has used so far, or NaN where /proc is missing. */
function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the command name.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** The same client settings for every server. */
function clientFor(server: Server): S3Client {
  return new S3Client({
    endpoint: server.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: server.credentials,
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

interface Measurement {
  ops: number;
  errors: number;
  firstError?: string;
  seconds: number;
  opsPerSec: number;
  mibPerSec: number;
  p50: number;
  p99: number;
  /** Server CPU milliseconds per successful operation. */
  serverCpuMs: number;
  /** This (client) process's CPU use over the cell, in cores. */
  clientCores: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

/** Runs `ops` operations with `concurrency` workers pulling from one counter. */
async function measure(
  server: Server,
  ops: number,
  concurrency: number,
  bytesPerOp: number,
  op: (i: number) => Promise<void>,
): Promise<Measurement> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const serverCpu0 = processCpuSeconds(server.pid);
  const clientCpu0 = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ops) {
        const i = next++;
        const t0 = performance.now();
        try {
          await op(i);
          latencies.push(performance.now() - t0);
        } catch (error) {
          errors++;
          firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const clientCpu = process.cpuUsage(clientCpu0);
  const serverCpu = processCpuSeconds(server.pid) - serverCpu0;
  latencies.sort((a, b) => a - b);
  const ok = latencies.length;
  return {
    ops,
    errors,
    ...(firstError !== undefined ? { firstError } : {}),
    seconds,
    opsPerSec: ok / seconds,
    mibPerSec: (ok * bytesPerOp) / MiB / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    serverCpuMs: (serverCpu * 1000) / ok,
    clientCores: (clientCpu.user + clientCpu.system) / 1e6 / seconds,
  };
}

async function put(s3: S3Client, key: string, body: Buffer): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

async function get(s3: S3Client, key: string, size: number): Promise<void> {
  const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  let received = 0;
  for await (const chunk of res.Body as Readable) received += (chunk as Buffer).length;
  if (received !== size) throw new Error(`GET ${key}: ${received} bytes, expected ${size}`);
}

type Op = 'PUT' | 'GET';
const cellKey = (kind: ServerKind, cell: Cell, op: Op) =>
  `${kind}:${cell.size}:${cell.concurrency}:${op}`;

function sizeLabel(size: number): string {
  return size >= MiB ? `${size / MiB} MiB` : `${size / KiB} KiB`;
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '–';
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

function machine(): string {
  const cpus = os.cpus();
  return [
    `- CPU: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    `- memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `- OS: ${os.type()} ${os.release()} (${os.arch()})`,
    `- Node: ${process.version}`,
    `- temp dir (data directories): ${os.tmpdir()}`,
    `- load average at start: ${loadAverage()}`,
  ].join('\n');
}

function progress(kind: ServerKind, cell: Cell, op: Op, m: Measurement, round: number): void {
  process.stderr.write(
    `  r${round} ${SERVER_LABEL[kind].padEnd(15)} ${sizeLabel(cell.size).padStart(6)} ` +
      `c=${String(cell.concurrency).padEnd(2)} ${op} ${m.ops} in ${m.seconds.toFixed(2)} s: ` +
      `${fmt(m.opsPerSec)} ops/s, ${fmt(m.mibPerSec, 1)} MiB/s, p50 ${fmt(m.p50, 2)} ms, ` +
      `p99 ${fmt(m.p99, 2)} ms, server ${fmt(m.serverCpuMs, 2)} CPU-ms/op, ` +
      `client ${fmt(m.clientCores, 2)} cores` +
      (m.errors ? `, ${m.errors} ERRORS (${m.firstError})` : '') +
      '\n',
  );
}

async function main(): Promise<void> {
  const wanted = (process.env['BENCH_SERVERS'] ?? 'vigil,vigil-nofsync,s3rver')
    .split(',')
    .map((s) => s.trim()) as ServerKind[];
  for (const w of wanted) if (!(w in SERVER_LABEL)) throw new Error(`unknown server ${w}`);
  const bodies = new Map([...new Set(CELLS.map((c) => c.size))].map((s) => [s, randomBytes(s)]));

  process.stdout.write(`# S3 throughput, ${new Date().toISOString()}\n\n${machine()}\n\n`);
  process.stdout.write(
    `BENCH_SCALE=${SCALE}, BENCH_ROUNDS=${ROUNDS}; operations per cell and round: ` +
      CELLS.map(
        (c) =>
          `${sizeLabel(c.size)} c${c.concurrency}: ${scaled(c, c.puts)} PUT + ${scaled(c, c.gets)} GET`,
      ).join(', ') +
      '.\n\n' +
      'Client: AWS SDK v3 S3Client, forcePathStyle, maxAttempts 1, ' +
      "requestChecksumCalculation 'WHEN_REQUIRED', responseChecksumValidation 'WHEN_REQUIRED' " +
      '(the same settings for every server), default keep-alive agent (maxSockets 50). ' +
      'Each server runs in its own child process; the client runs in this one.\n\n',
  );

  const servers: Server[] = [];
  const clients = new Map<ServerKind, S3Client>();
  const results = new Map<string, Measurement>(); // best round per cell
  try {
    for (const kind of wanted) {
      const server =
        kind === 's3rver'
          ? await startS3rver()
          : await startVigilServer(kind !== 'vigil-nofsync', kind === 'vigil-iam');
      servers.push(server);
      const s3 = clientFor(server);
      clients.set(kind, s3);
      if (server.createBucket) await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
      // Warm-up: connections, JIT, SQLite page cache, file system.
      for (const [size, body] of bodies) {
        const n = Math.max(32, Math.round((size >= MiB ? 64 : 400) * Math.min(1, SCALE * 4)));
        const warm = await measure(server, n, 16, size, (i) => put(s3, `warm/${size}/${i}`, body));
        if (warm.errors > 0) throw new Error(`warm-up PUT failed on ${kind}: ${warm.firstError}`);
        await measure(server, n, 16, size, (i) => get(s3, `warm/${size}/${i % n}`, size));
      }
      process.stderr.write(
        `${SERVER_LABEL[kind]} at ${server.url} (pid ${server.pid}), warmed up\n`,
      );
    }

    for (let round = 1; round <= ROUNDS; round++) {
      for (const cell of CELLS) {
        const body = bodies.get(cell.size)!;
        const puts = scaled(cell, cell.puts);
        const prefix = `r${round}/${cell.size}/${cell.concurrency}`;
        // Rotate the order so that no server always runs first (or right after another).
        const order = servers.map((_, i) => servers[(i + round - 1) % servers.length]!);
        for (const server of order) {
          const s3 = clients.get(server.kind)!;
          const p = await measure(server, puts, cell.concurrency, cell.size, (i) =>
            put(s3, `${prefix}/${i}`, body),
          );
          const g = await measure(
            server,
            scaled(cell, cell.gets),
            cell.concurrency,
            cell.size,
            (i) => get(s3, `${prefix}/${i % puts}`, cell.size),
          );
          for (const [op, m] of [
            ['PUT', p],
            ['GET', g],
          ] as const) {
            progress(server.kind, cell, op, m, round);
            const key = cellKey(server.kind, cell, op);
            const best = results.get(key);
            const better =
              !best ||
              m.errors < best.errors ||
              (m.errors === best.errors && m.opsPerSec > best.opsPerSec);
            if (better) results.set(key, m);
          }
        }
      }
    }
  } finally {
    for (const c of clients.values()) c.destroy();
    await Promise.all(servers.map((s) => s.stop()));
  }

  const vigils = wanted.filter((k) => k !== 's3rver');
  const hasS3rver = wanted.includes('s3rver');
  const m = (k: ServerKind, cell: Cell, op: Op) => results.get(cellKey(k, cell, op))!;
  const table = (header: string[], rows: string[][]) =>
    [
      `| ${header.join(' | ')} |`,
      `| ${header.map((_, i) => (i < 3 ? '---' : '---:')).join(' | ')} |`,
      ...rows.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n');
  const rows = (fn: (label: string[], cell: Cell, op: Op) => string[]) =>
    CELLS.flatMap((cell) =>
      (['PUT', 'GET'] as const).map((op) =>
        fn([sizeLabel(cell.size), String(cell.concurrency), op], cell, op),
      ),
    );

  const throughput = table(
    [
      'size',
      'conc',
      'op',
      ...wanted.map((k) => `${SERVER_LABEL[k]} ops/s (MiB/s)`),
      ...(hasS3rver ? vigils.map((k) => `${SERVER_LABEL[k]} ÷ s3rver`) : []),
    ],
    rows((label, cell, op) => [
      ...label,
      ...wanted.map(
        (k) => `${fmt(m(k, cell, op).opsPerSec)} (${fmt(m(k, cell, op).mibPerSec, 1)})`,
      ),
      ...(hasS3rver
        ? vigils.map(
            (k) => `${fmt(m(k, cell, op).opsPerSec / m('s3rver', cell, op).opsPerSec, 2)}×`,
          )
        : []),
    ]),
  );
  const latency = table(
    ['size', 'conc', 'op', ...wanted.map((k) => `${SERVER_LABEL[k]} p50 / p99 ms`)],
    rows((label, cell, op) => [
      ...label,
      ...wanted.map((k) => `${fmt(m(k, cell, op).p50, 2)} / ${fmt(m(k, cell, op).p99, 2)}`),
    ]),
  );
  const cpu = table(
    [
      'size',
      'conc',
      'op',
      ...wanted.map((k) => `${SERVER_LABEL[k]} server CPU-ms/op`),
      ...wanted.map((k) => `client cores (${SERVER_LABEL[k]})`),
    ],
    rows((label, cell, op) => [
      ...label,
      ...wanted.map((k) => fmt(m(k, cell, op).serverCpuMs, 2)),
      ...wanted.map((k) => fmt(m(k, cell, op).clientCores, 2)),
    ]),
  );
  const errors = [...results].filter(([, r]) => r.errors > 0);
  process.stdout.write(
    `## Throughput, best of ${ROUNDS} round(s) (ratio = Vigil ops/s ÷ s3rver ops/s)\n\n${throughput}\n\n` +
      `## Latency per operation (from the best round)\n\n${latency}\n\n` +
      `## CPU (server: user+system from /proc per operation; client: this process, in cores)\n\n${cpu}\n\n` +
      `Load average at end: ${loadAverage()}\n` +
      (errors.length
        ? `\n## Errors\n\n${errors.map(([k, r]) => `- ${k}: ${r.errors} errors, first: ${r.firstError}`).join('\n')}\n`
        : ''),
  );
}

await main();
