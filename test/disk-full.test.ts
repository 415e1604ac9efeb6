import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statfsSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startVigil, type RunningVigil } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { RESERVE_FILE } from '../src/storage/index.js';
import { REPO_ROOT } from './support/child.js';
import { errorOf } from './support/errors.js';

const MiB = 1024 * 1024;

/** A tmpfs of `size` as a data directory's filesystem, so the disk really fills up. Needs root. */
function mountTmpfs(size: string): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}

function unmount(dir: string): void {
  execFileSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
}

function freeBytes(dir: string): number {
  const stats = statfsSync(dir);
  return stats.bfree * stats.bsize;
}

/** Fills the filesystem with an ordinary file, as another program would. */
function fillDisk(dir: string): void {
  const fd = openSync(join(dir, 'filler'), 'a');
  try {
    for (const size of [MiB, 4096, 1]) {
      try {
        for (;;) writeSync(fd, Buffer.alloc(size, 7));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
  expect(freeBytes(dir)).toBe(0);
}

function emptyFiller(dir: string): void {
  rmSync(join(dir, 'filler'), { force: true });
}

// Besides the space Vigil keeps in reserve (8 MiB) and needs free (2 MiB), room for the
// objects these tests put and delete.
const disk =
  process.platform === 'linux' && process.getuid?.() === 0 ? mountTmpfs('24m') : undefined;
if (!disk) {
  console.warn(
    'disk-full tests skipped: mounting a tmpfs needs root on Linux (CI runs them as root)',
  );
}

describe.skipIf(!disk)('a full disk', () => {
  const dir = disk!;
  const logs: { level: number; msg: string }[] = [];
  let vigil: RunningVigil;
  let s3: S3Client;

  const blobFiles = () =>
    readdirSync(join(dir, 'blobs')).flatMap((shard) => readdirSync(join(dir, 'blobs', shard)));
  const blobOf = (key: string) => vigil.engine.headObject('full', key).segments[0]!.blobId;
  const status = async (request: Promise<{ $metadata: { httpStatusCode?: number } }>) =>
    (await request.catch((error: { $metadata: { httpStatusCode?: number } }) => error)).$metadata
      .httpStatusCode;
  const head = (Key: string) => status(s3.send(new HeadObjectCommand({ Bucket: 'full', Key })));

  /** S3's 503, with the promised message, logged as one warning line and not as an error. */
  async function expectOutOfSpace(request: Promise<unknown>): Promise<void> {
    const error = await errorOf(request);
    expect(error.$metadata.httpStatusCode).toBe(503);
    expect(error.name).toBe('ServiceUnavailable');
    expect(error.message).toBe("Vigil's data directory is out of space; nothing was written.");
    expect(error.$response?.headers['retry-after']).toBe('10');
    expect(logs.filter((line) => line.level >= 50)).toEqual([]);
    expect(logs.some((line) => line.level === 40 && /out of space/.test(line.msg))).toBe(true);
  }

  beforeAll(async () => {
    const config = loadConfig({ port: 0, host: '127.0.0.1', dataDir: dir, logLevel: 'warn' }, {});
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => void logs.push(JSON.parse(line) as (typeof logs)[number]) },
    );
    vigil = await startVigil(config, logger);
    s3 = new S3Client({
      endpoint: vigil.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: vigil.credentials,
      maxAttempts: 1,
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'full' }));
  });
  beforeEach(() => {
    logs.length = 0;
  });
  afterEach(() => emptyFiller(dir));
  afterAll(async () => {
    s3?.destroy();
    await vigil?.stop();
    unmount(dir);
  });

  it('answers a small PUT (stored in SQLite) with 503, writes nothing, and takes it once space is free', async () => {
    fillDisk(dir);
    await expectOutOfSpace(
      s3.send(new PutObjectCommand({ Bucket: 'full', Key: 'small', Body: 'hello '.repeat(100) })),
    );
    expect(await head('small')).toBe(404);

    emptyFiller(dir);
    await s3.send(new PutObjectCommand({ Bucket: 'full', Key: 'small', Body: 'fits' }));
    expect(await head('small')).toBe(200);
    // The reserve that let deletes run is back.
    expect(statSync(join(dir, RESERVE_FILE)).size).toBe(8 * MiB);
  });

  it('answers a large PUT with 503 and leaves no partial blob', async () => {
    const before = blobFiles();
    fillDisk(dir);
    await expectOutOfSpace(
      s3.send(
        new PutObjectCommand({ Bucket: 'full', Key: 'large', Body: Buffer.alloc(8 * MiB, 1) }),
      ),
    );
    expect(await head('large')).toBe(404);
    expect(blobFiles()).toEqual(before);

    emptyFiller(dir);
    await s3.send(new PutObjectCommand({ Bucket: 'full', Key: 'large', Body: randomBytes(MiB) }));
    expect(await head('large')).toBe(200);
  });

  it('answers PutObjectTagging with 503 and keeps the tags the object had', async () => {
    await s3.send(
      new PutObjectCommand({ Bucket: 'full', Key: 'tagged', Body: 'x', Tagging: 'state=old' }),
    );
    fillDisk(dir);
    await expectOutOfSpace(
      s3.send(
        new PutObjectTaggingCommand({
          Bucket: 'full',
          Key: 'tagged',
          Tagging: { TagSet: [{ Key: 'state', Value: 'new' }] },
        }),
      ),
    );
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: 'full', Key: 'tagged' }));
    expect(tags.TagSet).toEqual([{ Key: 'state', Value: 'old' }]);

    emptyFiller(dir);
    await s3.send(
      new PutObjectTaggingCommand({
        Bucket: 'full',
        Key: 'tagged',
        Tagging: { TagSet: [{ Key: 'state', Value: 'new' }] },
      }),
    );
  });

  it('deletes objects on a full disk, freeing their space, so writes resume without help', async () => {
    for (const Key of ['old-1', 'old-2'])
      await s3.send(new PutObjectCommand({ Bucket: 'full', Key, Body: randomBytes(3 * MiB) }));
    await s3.send(new PutObjectCommand({ Bucket: 'full', Key: 'old-3', Body: 'inline' }));
    const blobs = [blobOf('old-1'), blobOf('old-2')];
    fillDisk(dir);

    const deleted = await s3.send(new DeleteObjectCommand({ Bucket: 'full', Key: 'old-1' }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    // SQLite could not append the delete to its WAL until Vigil gave up its space reserve.
    expect(logs.some((line) => /released the space reserve/.test(line.msg))).toBe(true);
    const many = await s3.send(
      new DeleteObjectsCommand({
        Bucket: 'full',
        Delete: { Objects: [{ Key: 'old-2' }, { Key: 'old-3' }] },
      }),
    );
    expect(many.Errors ?? []).toEqual([]);
    expect(many.Deleted?.map((d) => d.Key)).toEqual(['old-2', 'old-3']);
    for (const Key of ['old-1', 'old-2', 'old-3']) expect(await head(Key)).toBe(404);
    for (const blob of blobs) expect(blobFiles()).not.toContain(blob);
    // The two blobs' 6 MiB are free again (the filler stays).
    expect(freeBytes(dir)).toBeGreaterThan(5 * MiB);
    expect(logs.filter((line) => line.level >= 50)).toEqual([]);

    await s3.send(new PutObjectCommand({ Bucket: 'full', Key: 'after', Body: 'written' }));
    expect(await head('after')).toBe(200);
    expect(existsSync(join(dir, RESERVE_FILE))).toBe(true);
  });
});

/** Runs `vigil serve` from the sources and returns how it ended. */
async function serve(dataDir: string): Promise<{ code: number | null; stderr: string }> {
  const cli = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--data-dir', dataDir],
    { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => cli.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => cli.once('exit', resolve));
  clearTimeout(timer);
  return { code, stderr };
}

describe.skipIf(!disk)('starting on a full disk', () => {
  let small: string;
  beforeAll(() => {
    small = mountTmpfs('16m')!;
  });
  afterAll(() => unmount(small));

  it('exits with a message that names the data directory and the space it needs', async () => {
    const used = join(small, 'used');
    const config = loadConfig(
      { port: 0, host: '127.0.0.1', dataDir: used, logLevel: 'silent' },
      {},
    );
    await (await startVigil(config, pino({ level: 'silent' }))).stop();
    fillDisk(small);

    const fresh = join(small, 'fresh');
    const [again, first] = await Promise.all([serve(used), serve(fresh)]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `vigil: the data directory ${used} has 0 bytes free; Vigil needs at least 2 MiB free ` +
        'there to start (2 MiB for its databases). Free space on that filesystem, then start ' +
        'Vigil again.\n',
    );
    // A new data directory needs room for the reserve too; nothing is left behind in it.
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(
      new RegExp(
        `^vigil: the data directory ${fresh} has 0 bytes free; Vigil needs at least 10 MiB free there to start \\(2 MiB for its databases, 8 MiB for the space reserve`,
      ),
    );
    expect(first.stderr).not.toMatch(/^\s+at /m);
    expect(readdirSync(fresh)).toEqual([]);
  });
});
