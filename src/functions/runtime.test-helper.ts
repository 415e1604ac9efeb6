import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { StorageEngine } from '../storage/index.js';
import { createFunctionRuntime, type FunctionRuntimeOptions } from './runtime.js';
import type {
  FunctionDefinition,
  FunctionRuntime,
  InvocationRecord,
  OnFailureSink,
} from './types.js';

export const FIXTURES = fileURLToPath(new URL('../../test/fixtures/functions/', import.meta.url));

export const CREDENTIALS = { accessKeyId: 'AKIDFUNCTIONTEST', secretAccessKey: 'function-secret' };

/** An on-failure sink that keeps what it is sent. */
export function recordingSink() {
  const sent: { queue: string; body: unknown }[] = [];
  return {
    sent,
    send: (queue: string, body: string) => {
      sent.push({ queue, body: JSON.parse(body) as unknown });
      return Promise.resolve();
    },
  };
}

export interface Harness {
  dataDir: string;
  outDir: string;
  engine: StorageEngine;
  runtime: FunctionRuntime;
  sink: ReturnType<typeof recordingSink>;
  /** Files the handlers wrote to OUT_DIR. */
  outputs(suffix: string): string[];
  read(name: string): string;
  close(): Promise<void>;
}

const open: Harness[] = [];

/** Stops every runtime and closes every engine the tests of a file opened. */
export async function closeAll(): Promise<void> {
  for (const h of open.splice(0)) await h.close();
}

/**
 * A runtime on a fresh data directory, running fixture functions (`module` names a file in
 * test/fixtures/functions) with fast retries, started.
 */
export async function startRuntime(
  definitions: (Omit<FunctionDefinition, 'module'> & { module: string })[],
  options: Partial<FunctionRuntimeOptions> & {
    dataDir?: string;
    outDir?: string;
    start?: boolean;
    /** Builds the on-failure sink on the harness's engine (a real QueueService, say). */
    sinkOn?: (engine: StorageEngine) => OnFailureSink;
  } = {},
): Promise<Harness> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'vigil-fn-data-'));
  const outDir = options.outDir ?? mkdtempSync(join(tmpdir(), 'vigil-fn-out-'));
  const engine = await StorageEngine.open({ dataDir, fsync: false });
  const sink = recordingSink();
  const runtime = createFunctionRuntime({
    engine,
    onFailure: sink,
    region: 'us-east-1',
    accountId: '000000000000',
    endpointUrl: 'http://127.0.0.1:9',
    credentials: CREDENTIALS,
    logger: pino({ level: 'silent' }),
    pollIntervalMs: 25,
    drainMs: 200,
    retryDelaysSeconds: [0.05, 0.1],
    ...options,
    ...(options.sinkOn ? { onFailure: options.sinkOn(engine) } : {}),
    definitions: definitions.map((d) => ({
      ...d,
      module: join(FIXTURES, d.module),
      environment: { OUT_DIR: outDir, ...d.environment },
    })),
  });
  if (options.start ?? true) runtime.start();
  let closed = false;
  const harness: Harness = {
    dataDir,
    outDir,
    engine,
    runtime,
    sink,
    outputs: (suffix) => readdirSync(outDir).filter((f) => f.endsWith(suffix)),
    read: (name) => readFileSync(join(outDir, name), 'utf8'),
    close: async () => {
      if (closed) return;
      closed = true;
      await runtime.stop();
      engine.close();
    },
  };
  open.push(harness);
  return harness;
}

export async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits until the function's newest invocation reaches a final state, and returns it. */
export async function settled(
  runtime: FunctionRuntime,
  name: string,
  count = 1,
  timeoutMs = 10_000,
): Promise<InvocationRecord[]> {
  let found: InvocationRecord[] = [];
  await until(() => {
    found = runtime.recentInvocations(name, count);
    return (
      found.length >= count && found.every((i) => i.state === 'succeeded' || i.state === 'failed')
    );
  }, timeoutMs);
  return found;
}
