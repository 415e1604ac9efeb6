/**
 * Event notification latency and overhead. A Vigil child process (default durability: fsync
 * on) with three buckets: `plain` (no notifications), `hooked` (ObjectCreated → a webhook in
 * this process) and `queued` (ObjectCreated → a Vigil queue, consumed here with
 * @aws-sdk/client-sqs long polling). 4 KiB objects, PUT with the AWS SDK v3.
 *
 * - Latency: from the moment the PUT's response reached the client to the moment the event
 *   reached the webhook receiver / the queue consumer. The event can win that race (it is
 *   delivered as soon as the commit is durable, in parallel with the response), so negative
 *   values are real and reported.
 * - Closed loop at concurrency 1 and 32: PUT throughput per bucket and the overhead of
 *   notifications (hooked or queued ÷ plain), plus "sustained PUT+event" throughput: PUTs
 *   divided by the time until the last event arrived.
 * - Open loop at a fixed rate (default 500 PUT/s for 6 s): delivery latency p50/p99 at that
 *   rate, the target's condition.
 *
 *   npm run build && node --import tsx bench/notifications.ts
 *   BENCH_RATE=500 BENCH_SECONDS=6 BENCH_ROUNDS=3 BENCH_SCALE=1
 */
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawnVigil, type ChildVigil } from '../test/support/child.js';
import { WebhookReceiver } from '../test/support/webhook-receiver.js';

const SCALE = Number(process.env['BENCH_SCALE'] ?? '1');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? '3');
const RATE = Number(process.env['BENCH_RATE'] ?? '500');
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? '6');
const BODY = randomBytes(4096);
const CREDENTIALS = {
  accessKeyId: 'VIGILBENCHNOTIFY01',
  secretAccessKey: 'bench-notifications-secret-01',
};
const ACCOUNT = '000000000000';
const QUEUE = 'bench-events';
type Target = 'plain' | 'hooked' | 'queued';
const TARGETS: Target[] = ['plain', 'hooked', 'queued'];

/** When each key's PUT was acknowledged, and when its event arrived (performance.now() ms). */
const ackedAt = new Map<string, number>();
const arrivedAt = new Map<string, number>();

function keyOfEvent(body: string): string | undefined {
  const records = (JSON.parse(body) as { Records?: { s3: { object: { key: string } } }[] }).Records;
  return records?.[0]?.s3.object.key;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

async function main(): Promise<void> {
  const receiver = await WebhookReceiver.start();
  const originalPush = receiver.received.push.bind(receiver.received);
  receiver.received.push = (...hooks) => {
    for (const hook of hooks) {
      const key = keyOfEvent(hook.body);
      if (key !== undefined && !arrivedAt.has(key)) arrivedAt.set(key, performance.now());
    }
    return originalPush(...hooks);
  };

  const dataDir = await mkdtemp(join(os.tmpdir(), 'vigil-bench-notify-'));
  const configFile = `${dataDir}.json`;
  await writeFile(
    configFile,
    JSON.stringify({
      queues: [{ name: QUEUE }],
      webhooks: [{ name: 'bench', url: receiver.url, secret: 'bench-webhook-secret-0001' }],
    }),
  );
  const child = await spawnVigil(dataDir, {
    VIGIL_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    VIGIL_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    VIGIL_LOG_LEVEL: 'info',
    VIGIL_CONFIG: configFile,
  });
  const s3 = new S3Client({
    endpoint: child.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: CREDENTIALS,
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const sqs = new SQSClient({ endpoint: child.url, region: 'us-east-1', credentials: CREDENTIALS });
  await configureBuckets(s3);
  const consumer = startConsumer(sqs, child);

  process.stderr.write(`Vigil ${child.url}, machine:\n${machine()}\n`);
  const closed: Record<string, ClosedLoopResult[]> = {};
  const open: OpenLoopResult[] = [];
  // Warm-up: JIT, connections, SQLite caches.
  for (const target of TARGETS) await closedLoop(s3, target, 16, 300, -1);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const concurrency of [1, 32]) {
      const count = Math.round((concurrency === 1 ? 400 : 3000) * SCALE);
      const order = round % 2 ? TARGETS : [...TARGETS].reverse();
      for (const target of order) {
        const result = await closedLoop(s3, target, concurrency, count, round);
        (closed[`${concurrency}`] ??= []).push(result);
      }
    }
    for (const target of ['hooked', 'queued'] as const)
      open.push(await openLoop(s3, target, RATE, SECONDS * SCALE, round));
  }
  consumer.stop();
  s3.destroy();
  sqs.destroy();
  const serverCpu = processCpuSeconds(child.process.pid!);
  child.process.kill('SIGTERM');
  await new Promise((r) => child.process.once('exit', r));
  await receiver.stop();
  await rm(dataDir, { recursive: true, force: true });
  await rm(configFile, { force: true });
  process.stdout.write(report(closed, open, serverCpu));
}

async function configureBuckets(s3: S3Client): Promise<void> {
  for (const bucket of TARGETS) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const arn = (target: Target) =>
    target === 'hooked'
      ? `arn:vigil:webhook:us-east-1:${ACCOUNT}:bench`
      : `arn:aws:sqs:us-east-1:${ACCOUNT}:${QUEUE}`;
  for (const target of ['hooked', 'queued'] as const) {
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: target,
        NotificationConfiguration: {
          [target === 'hooked' ? 'QueueConfigurations' : 'QueueConfigurations']: [
            { QueueArn: arn(target), Events: ['s3:ObjectCreated:*'] },
          ],
        },
      }),
    );
  }
}

/** Four long-polling receivers on the queue, deleting what they receive in batches. */
function startConsumer(sqs: SQSClient, child: ChildVigil): { stop(): void } {
  const url = `${child.url}/${ACCOUNT}/${QUEUE}`;
  let running = true;
  const loop = async () => {
    while (running) {
      try {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        const now = performance.now();
        for (const m of Messages) {
          const key = keyOfEvent(m.Body!);
          if (key !== undefined && !arrivedAt.has(key)) arrivedAt.set(key, now);
        }
        if (Messages.length > 0)
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: url,
              Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
            }),
          );
      } catch (error) {
        if (running) process.stderr.write(`consumer: ${String(error)}\n`);
      }
    }
  };
  for (let i = 0; i < 4; i++) void loop();
  return { stop: () => (running = false) };
}

let sequence = 0;
const newKey = (target: Target) => `${target}/${++sequence}`;

async function put(s3: S3Client, target: Target, key: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: target, Key: key, Body: BODY }));
  ackedAt.set(key, performance.now());
}

async function waitForEvents(keys: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (keys.some((k) => !arrivedAt.has(k))) {
    if (performance.now() > deadline) throw new Error('events did not all arrive within 60 s');
    await new Promise((r) => setTimeout(r, 1));
  }
}

interface ClosedLoopResult {
  target: Target;
  concurrency: number;
  round: number;
  puts: number;
  putsPerSec: number;
  /** PUTs ÷ seconds until the last event arrived (undefined for `plain`). */
  sustainedPerSec?: number;
  latencies: number[];
}

async function closedLoop(
  s3: S3Client,
  target: Target,
  concurrency: number,
  count: number,
  round: number,
): Promise<ClosedLoopResult> {
  const keys = Array.from({ length: count }, () => newKey(target));
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < keys.length) await put(s3, target, keys[next++]!);
    }),
  );
  const putSeconds = (performance.now() - start) / 1000;
  const result: ClosedLoopResult = {
    target,
    concurrency,
    round,
    puts: count,
    putsPerSec: count / putSeconds,
    latencies: [],
  };
  if (target !== 'plain') {
    await waitForEvents(keys);
    const last = Math.max(...keys.map((k) => arrivedAt.get(k)!));
    result.sustainedPerSec = count / ((last - start) / 1000);
    result.latencies = keys.map((k) => arrivedAt.get(k)! - ackedAt.get(k)!);
  }
  if (round > 0)
    process.stderr.write(
      `  r${round} ${target.padEnd(6)} c=${String(concurrency).padEnd(2)} ${count} PUTs: ` +
        `${fmt(result.putsPerSec)} PUT/s` +
        (result.sustainedPerSec
          ? `, PUT+event ${fmt(result.sustainedPerSec)}/s, latency p50 ${fmt(percentile(result.latencies, 50), 2)} ms, p99 ${fmt(percentile(result.latencies, 99), 2)} ms`
          : '') +
        '\n',
    );
  return result;
}

interface OpenLoopResult {
  target: Target;
  round: number;
  offeredPerSec: number;
  achievedPerSec: number;
  latencies: number[];
  putLatencies: number[];
}

/** PUTs started at a fixed rate regardless of how fast earlier ones finish. */
async function openLoop(
  s3: S3Client,
  target: Target,
  rate: number,
  seconds: number,
  round: number,
): Promise<OpenLoopResult> {
  const total = Math.round(rate * seconds);
  const keys: string[] = [];
  const putLatencies: number[] = [];
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const key = newKey(target);
    keys.push(key);
    const sent = performance.now();
    inFlight.push(
      put(s3, target, key).then(() => void putLatencies.push(performance.now() - sent)),
    );
  }
  await Promise.all(inFlight);
  const achievedPerSec = total / ((performance.now() - start) / 1000);
  await waitForEvents(keys);
  const latencies = keys.map((k) => arrivedAt.get(k)! - ackedAt.get(k)!);
  process.stderr.write(
    `  r${round} ${target.padEnd(6)} open loop ${rate}/s × ${seconds} s: achieved ${fmt(achievedPerSec)} PUT/s, ` +
      `PUT p99 ${fmt(percentile(putLatencies, 99), 2)} ms, event latency p50 ${fmt(percentile(latencies, 50), 2)} ms, ` +
      `p99 ${fmt(percentile(latencies, 99), 2)} ms\n`,
  );
  return { target, round, offeredPerSec: rate, achievedPerSec, latencies, putLatencies };
}

function report(
  closed: Record<string, ClosedLoopResult[]>,
  open: OpenLoopResult[],
  serverCpuSeconds: number,
): string {
  const lines: string[] = [
    `# Notifications benchmark, ${new Date().toISOString()}`,
    '',
    machine(),
    '',
    `BENCH_ROUNDS=${ROUNDS}, BENCH_SCALE=${SCALE}, BENCH_RATE=${RATE}, BENCH_SECONDS=${SECONDS}; 4 KiB objects; Vigil fsync on.`,
    '',
    '## Closed loop: PUT throughput with and without notifications (best round per cell)',
    '',
    '| conc | plain PUT/s | webhook PUT/s (÷ plain) | queue PUT/s (÷ plain) | webhook PUT+event/s | queue PUT+event/s | webhook latency p50 / p99 ms | queue latency p50 / p99 ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [concurrency, results] of Object.entries(closed)) {
    const best = (target: Target) =>
      results.filter((r) => r.target === target).sort((a, b) => b.putsPerSec - a.putsPerSec)[0]!;
    const plain = best('plain');
    const hooked = best('hooked');
    const queued = best('queued');
    const lat = (r: ClosedLoopResult) =>
      `${fmt(percentile(r.latencies, 50), 2)} / ${fmt(percentile(r.latencies, 99), 2)}`;
    lines.push(
      `| ${concurrency} | ${fmt(plain.putsPerSec)} | ${fmt(hooked.putsPerSec)} (${fmt(hooked.putsPerSec / plain.putsPerSec, 2)}×) | ` +
        `${fmt(queued.putsPerSec)} (${fmt(queued.putsPerSec / plain.putsPerSec, 2)}×) | ${fmt(hooked.sustainedPerSec!)} | ` +
        `${fmt(queued.sustainedPerSec!)} | ${lat(hooked)} | ${lat(queued)} |`,
    );
  }
  lines.push(
    '',
    `## Open loop at ${RATE} PUT/s (every round)`,
    '',
    '| round | destination | achieved PUT/s | PUT p50 / p99 ms | event latency p50 / p99 / max ms |',
    '| --- | --- | ---: | ---: | ---: |',
  );
  for (const r of open) {
    lines.push(
      `| ${r.round} | ${r.target === 'hooked' ? 'webhook' : 'queue'} | ${fmt(r.achievedPerSec)} | ` +
        `${fmt(percentile(r.putLatencies, 50), 2)} / ${fmt(percentile(r.putLatencies, 99), 2)} | ` +
        `${fmt(percentile(r.latencies, 50), 2)} / ${fmt(percentile(r.latencies, 99), 2)} / ${fmt(Math.max(...r.latencies), 2)} |`,
    );
  }
  lines.push('', `Server CPU over the whole run: ${fmt(serverCpuSeconds, 1)} s.`, '');
  return lines.join('\n');
}

function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

function machine(): string {
  const cpus = os.cpus();
  return [
    `- CPU: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    `- memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `- OS: ${os.type()} ${os.release()} (${os.arch()})`,
    `- Node: ${process.version}`,
    `- load average: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  ].join('\n');
}

await main();
