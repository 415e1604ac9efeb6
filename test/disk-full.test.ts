import {
  CreateBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVigil, type RunningVigil } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { errorOf } from './support/errors.js';

/** A 4 MiB tmpfs as the data directory, so the disk really fills up. Needs root. */
function mountTinyFilesystem(): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}

const mounted =
  process.platform === 'linux' && process.getuid?.() === 0 ? mountTinyFilesystem() : undefined;
if (!mounted) console.warn('disk-full test skipped: mounting a tmpfs needs root on Linux');

describe.skipIf(!mounted)('a full disk', () => {
  let vigil: RunningVigil;
  let s3: S3Client;
  beforeAll(async () => {
    const config = loadConfig(
      { port: 0, host: '127.0.0.1', dataDir: mounted!, logLevel: 'silent' },
      {},
    );
    vigil = await startVigil(config, pino({ level: 'silent' }));
    s3 = new S3Client({
      endpoint: vigil.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: vigil.credentials,
      maxAttempts: 1,
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'full' }));
  });
  afterAll(async () => {
    s3.destroy();
    await vigil.stop();
    execFileSync('umount', [mounted!]);
    rmSync(mounted!, { recursive: true, force: true });
  });

  it('answers 503 ServiceUnavailable, writes nothing, and recovers once space is free', async () => {
    const error = await errorOf(
      s3.send(
        new PutObjectCommand({
          Bucket: 'full',
          Key: 'too-big',
          Body: Buffer.alloc(8 * 1024 * 1024, 1),
        }),
      ),
    );
    expect(error.$metadata.httpStatusCode).toBe(503);
    expect(error.message).toMatch(/out of space/);
    expect(
      (await errorOf(s3.send(new HeadObjectCommand({ Bucket: 'full', Key: 'too-big' })))).$metadata
        .httpStatusCode,
    ).toBe(404);
    const blobs = readdirSync(join(mounted!, 'blobs')).flatMap((shard) =>
      readdirSync(join(mounted!, 'blobs', shard)),
    );
    expect(blobs).toEqual([]);
    await s3.send(new PutObjectCommand({ Bucket: 'full', Key: 'small', Body: 'fits' }));
  });
});
