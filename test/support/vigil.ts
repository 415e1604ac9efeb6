import { S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startVigil, type RunningVigil } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';

export interface TestVigil {
  vigil: RunningVigil;
  url: string;
  dataDir: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** An AWS SDK v3 S3 client with default settings (checksums, trailers), path-style. */
  s3: S3Client;
  client(overrides?: Partial<ConstructorParameters<typeof S3Client>[0]>): S3Client;
  /** Stops Vigil and removes its data directory, unless `keepData` (to start it again). */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

/** Starts a real Vigil listening on a loopback port, with its own fresh data directory. */
export async function startTestVigil(
  options: {
    region?: string;
    fsync?: boolean;
    /** Config-file values: queues, topics, webhooks, delivery, … */
    config?: Record<string, unknown>;
    /** Reuse a data directory (a restart) instead of a fresh one. */
    dataDir?: string;
  } = {},
): Promise<TestVigil> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'vigil-test-')));
  const config = loadConfig(
    {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      region: options.region ?? 'us-east-1',
      logLevel: 'silent',
      fsync: options.fsync ?? true,
    },
    {},
    {
      path: '(test)',
      // Models load on the first image unless a test asks for them at start: most tests
      // never moderate, and loading them in the background would slow every other one.
      values: {
        ...options.config,
        moderation: { warm: false, ...(options.config?.['moderation'] as object | undefined) },
      },
    },
  );
  const vigil = await startVigil(
    config,
    pino({ level: process.env['VIGIL_TEST_LOG'] ?? 'silent' }),
  );
  const { accessKeyId, secretAccessKey } = vigil.credentials;
  const clients: S3Client[] = [];
  const client = (overrides: Partial<ConstructorParameters<typeof S3Client>[0]> = {}) => {
    const c = new S3Client({
      endpoint: vigil.url,
      region: options.region ?? 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId, secretAccessKey },
      ...overrides,
    });
    clients.push(c);
    return c;
  };
  const s3 = client();
  return {
    vigil,
    url: vigil.url,
    dataDir,
    accessKeyId,
    secretAccessKey,
    s3,
    client,
    stop: async ({ keepData = false } = {}) => {
      for (const c of clients) c.destroy();
      await vigil.stop();
      if (!keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
/** A bucket name unique within the test run. */
export function bucketName(prefix = 'test'): string {
  counter++;
  return `${prefix}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}
