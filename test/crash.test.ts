/**
 * Crash consistency: SIGKILL a child Vigil while PUTs are in flight, restart it on the same
 * data directory and check that (1) every acknowledged PUT survived byte for byte, (2) every
 * visible object is exactly one of the bodies that was sent (never a partial one) and (3) no
 * orphan blob is left: the blob files on disk are exactly those the database references.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnVigil, type ChildVigil } from './support/child.js';
import { errorOf } from './support/errors.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const BUCKET = 'crash';
const CREDENTIALS = {
  accessKeyId: 'VIGILCRASHTEST0001',
  secretAccessKey: 'crash-test-secret-access-key-0001',
};
const ENV = {
  VIGIL_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
  VIGIL_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  VIGIL_LOG_LEVEL: 'info',
};

const children = new Set<ChildVigil>();
const clients = new Set<S3Client>();
const dirs: string[] = [];

afterAll(async () => {
  for (const c of clients) c.destroy();
  for (const child of children) await kill(child, 'SIGKILL');
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-crash-'));
  dirs.push(dir);
  return dir;
}

async function start(dataDir: string): Promise<ChildVigil> {
  const child = await spawnVigil(dataDir, ENV, [], { lazyModeration: true });
  children.add(child);
  return child;
}

/** Sends `signal` and waits until the child has exited. */
async function kill(child: ChildVigil, signal: NodeJS.Signals): Promise<void> {
  const proc = child.process;
  if (proc.exitCode === null && proc.signalCode === null) {
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    await exited;
  }
  children.delete(child);
}

function client(child: ChildVigil): S3Client {
  const c = new S3Client({
    endpoint: child.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: CREDENTIALS,
    maxAttempts: 1,
  });
  clients.add(c);
  return c;
}

function md5(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

async function getMd5(s3: S3Client, key: string): Promise<string> {
  const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return md5(await res.Body!.transformToByteArray());
}

async function listAllKeys(s3: S3Client): Promise<Map<string, { size: number; etag: string }>> {
  const keys = new Map<string, { size: number; etag: string }>();
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 37, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      expect(keys.has(o.Key!)).toBe(false);
      keys.set(o.Key!, { size: o.Size!, etag: o.ETag!.replace(/"/g, '') });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** Every blob file under <dataDir>/blobs/<2 hex>/. */
async function blobFiles(dataDir: string): Promise<Map<string, number>> {
  const root = join(dataDir, 'blobs');
  const files = new Map<string, number>();
  for (const shard of await readdir(root)) {
    const shardDir = join(root, shard);
    expect((await stat(shardDir)).isDirectory(), `unexpected file ${shardDir}`).toBe(true);
    for (const name of await readdir(shardDir)) {
      files.set(name, (await stat(join(shardDir, name))).size);
    }
  }
  return files;
}

/** blobId -> size for every blob the database references (objects and multipart parts). */
function referencedBlobs(dataDir: string): Map<string, number> {
  const db = new Database(join(dataDir, 'vigil.db'), { readonly: true, fileMustExist: true });
  try {
    const refs = new Map<string, number>();
    const rows = db.prepare('SELECT segments FROM objects').pluck().all() as string[];
    for (const json of rows) {
      for (const s of JSON.parse(json) as { blobId: string; size: number }[]) {
        refs.set(s.blobId, s.size);
      }
    }
    const parts = db.prepare('SELECT blob_id, size FROM multipart_parts').all() as {
      blob_id: string;
      size: number;
    }[];
    for (const p of parts) refs.set(p.blob_id, p.size);
    return refs;
  } finally {
    db.close();
  }
}

/** Disk and database agree exactly: no orphan blob, no dangling reference, same sizes. */
async function expectNoOrphans(dataDir: string): Promise<void> {
  const onDisk = await blobFiles(dataDir);
  const referenced = referencedBlobs(dataDir);
  expect([...onDisk.keys()].sort()).toEqual([...referenced.keys()].sort());
  for (const [id, size] of referenced) expect(onDisk.get(id), `size of blob ${id}`).toBe(size);
}

/** What a key may hold after a crash: one of these MD5s, or nothing (ABSENT). */
const ABSENT = 'absent';

describe('crash consistency (SIGKILL mid-write)', () => {
  it('keeps every acknowledged PUT, never exposes a partial object, leaves no orphan blob', async () => {
    const dataDir = await tempDir();
    const ROUNDS = 3;
    const PER_ROUND = 200;
    const KILL_AFTER = 50;
    const KEY_POOL = 400; // later rounds overwrite keys of earlier ones
    /** Per key, every state it may legitimately be in now. */
    const allowed = new Map<string, Set<string>>();
    const sizes = new Map<string, number>(); // md5 -> size
    let child = await start(dataDir);
    let s3 = client(child);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));

    for (let round = 1; round <= ROUNDS; round++) {
      const keys = new Set<string>();
      while (keys.size < PER_ROUND) {
        keys.add(`obj/${String(randomInt(KEY_POOL)).padStart(3, '0')}`);
      }
      const puts = [...keys].map((key) => {
        // Mostly small, some large: log-uniform between 1 KiB and 2 MiB.
        const size = Math.min(2 * MiB, Math.max(KiB, Math.round(KiB * 2 ** (Math.random() * 11))));
        const body = randomBytes(size);
        const hash = md5(body);
        sizes.set(hash, size);
        return { key, body, md5: hash };
      });

      // Fire them all at once; SIGKILL as soon as KILL_AFTER are acknowledged.
      const acknowledged = new Set<string>();
      let killed: Promise<void> | undefined;
      const running = child;
      const results = await Promise.allSettled(
        puts.map(async ({ key, body }) => {
          await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
          acknowledged.add(key);
          if (acknowledged.size === KILL_AFTER) killed = kill(running, 'SIGKILL');
        }),
      );
      expect(killed, 'the child was killed mid-run').toBeDefined();
      await killed;
      const failed = results.filter((r) => r.status === 'rejected').length;
      // The kill must land mid-run: some PUTs acknowledged, some cut off.
      expect(acknowledged.size).toBeGreaterThanOrEqual(KILL_AFTER);
      expect(failed).toBeGreaterThan(0);
      expect(acknowledged.size + failed).toBe(PER_ROUND);
      s3.destroy();
      for (const { key, md5: hash } of puts) {
        if (acknowledged.has(key)) allowed.set(key, new Set([hash]));
        else allowed.set(key, new Set([...(allowed.get(key) ?? [ABSENT]), hash]));
      }
      const blobsBefore = (await blobFiles(dataDir)).size;

      child = await start(dataDir);
      s3 = client(child);
      // 1. Every acknowledged PUT is there, byte for byte.
      for (const { key, md5: hash } of puts) {
        if (acknowledged.has(key)) expect(await getMd5(s3, key), `acknowledged ${key}`).toBe(hash);
      }
      // 2. Everything visible is one complete body that was sent under that key (or, for an
      //    unacknowledged overwrite, the previous one).
      const listed = await listAllKeys(s3);
      for (const [key, { size, etag }] of listed) {
        const may = allowed.get(key);
        expect(may, `unexpected key ${key}`).toBeDefined();
        expect([...may!], `etag of ${key}`).toContain(etag);
        expect(size, `size of ${key}`).toBe(sizes.get(etag));
        expect(await getMd5(s3, key), `content of ${key}`).toBe(etag);
        allowed.set(key, new Set([etag]));
      }
      for (const [key, may] of allowed) {
        if (listed.has(key)) continue;
        expect([...may], `${key} vanished`).toContain(ABSENT);
        allowed.set(key, new Set([ABSENT]));
      }
      // 3. No orphan blob, checked while the server runs (WAL lets a reader in).
      await expectNoOrphans(dataDir);
      const unacknowledgedCommits = puts.filter(
        (p) => !acknowledged.has(p.key) && listed.get(p.key)?.etag === p.md5,
      ).length;
      console.info(
        `crash round ${round}: ${acknowledged.size} acknowledged, ${failed} cut off ` +
          `(${unacknowledgedCommits} of them committed anyway), ${listed.size} objects listed, ` +
          `${blobsBefore - listed.size} orphan blob(s) collected at restart`,
      );
    }
    s3.destroy();
    await kill(child, 'SIGTERM');
    await expectNoOrphans(dataDir);
  });

  it('drops a big streaming PUT cut off by the kill (new key and overwrite) and its blob', async () => {
    const dataDir = await tempDir();
    const first = await start(dataDir);
    const s3 = client(first);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const old = randomBytes(300 * KiB);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'big/overwritten', Body: old }));
    const before = new Set((await blobFiles(dataDir)).keys());
    expect(before.size).toBe(1);

    // Two 64 MiB streaming PUTs that send 24 MiB and then stall until the kill, so the kill
    // is guaranteed to land while the server is writing their blobs.
    const BIG = 64 * MiB;
    const SENT_BEFORE_STALL = 24 * MiB;
    const stalledBody = () => {
      let pushed = 0;
      return new Readable({
        read() {
          if (pushed >= SENT_BEFORE_STALL) return; // stall: never push more, never end
          const chunk = randomBytes(MiB);
          pushed += chunk.length;
          this.push(chunk);
        },
      });
    };
    const puts = Promise.allSettled(
      ['big/new', 'big/overwritten'].map((key) =>
        s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: key,
            Body: stalledBody(),
            ContentLength: BIG,
          }),
        ),
      ),
    );
    // Wait until both partial blobs are on disk and have received a good share of the bytes.
    const deadline = Date.now() + 20_000;
    let partial: Map<string, number> = new Map();
    for (;;) {
      const files = await blobFiles(dataDir);
      partial = new Map([...files].filter(([id]) => !before.has(id)));
      if (partial.size === 2 && [...partial.values()].every((size) => size >= 16 * MiB)) break;
      if (Date.now() > deadline) {
        throw new Error(`partial blobs did not grow: ${JSON.stringify([...partial])}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await kill(first, 'SIGKILL');
    const outcomes = await puts;
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    s3.destroy();
    // Before restart the partial blobs are still there (the kill left them).
    for (const id of partial.keys()) {
      expect(existsSync(join(dataDir, 'blobs', id.slice(0, 2), id))).toBe(true);
    }

    const second = await start(dataDir);
    const s3b = client(second);
    const missing = await errorOf(
      s3b.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'big/new' })),
    );
    expect(missing.$metadata.httpStatusCode).toBe(404);
    expect(await getMd5(s3b, 'big/overwritten')).toBe(md5(old));
    const listed = await listAllKeys(s3b);
    expect([...listed.keys()]).toEqual(['big/overwritten']);
    expect(listed.get('big/overwritten')!.size).toBe(old.length);
    for (const id of partial.keys()) {
      expect(existsSync(join(dataDir, 'blobs', id.slice(0, 2), id)), `partial blob ${id}`).toBe(
        false,
      );
    }
    await expectNoOrphans(dataDir);
    expect([...(await blobFiles(dataDir)).keys()]).toEqual([...before]);
    s3b.destroy();
    await kill(second, 'SIGTERM');
    await expectNoOrphans(dataDir);
  });
});
