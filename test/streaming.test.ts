import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnVigil, type ChildVigil } from './support/child.js';

const GiB = 1024 ** 3;
const SIZE = Number(process.env['VIGIL_STREAM_TEST_BYTES'] ?? 2 * GiB);
const CHUNK = 1024 * 1024;

/** Peak resident memory of a process, in bytes (Linux /proc). */
async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** Deterministic bytes, generated as they are sent: the client holds one chunk at a time. */
function generated(size: number): { stream: Readable; md5: () => string } {
  const hash = createHash('md5');
  let sent = 0;
  const stream = new Readable({
    read() {
      if (sent >= size) {
        this.push(null);
        return;
      }
      const chunk = Buffer.alloc(Math.min(CHUNK, size - sent), sent / CHUNK);
      sent += chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  let digest: string | undefined;
  return { stream, md5: () => (digest ??= hash.digest('hex')) };
}

describe.skipIf(process.platform !== 'linux')(`streaming a ${SIZE / GiB} GiB object`, () => {
  let dir: string;
  let child: ChildVigil;
  let s3: S3Client;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-stream-'));
    child = await spawnVigil(
      dir,
      { VIGIL_ACCESS_KEY_ID: 'STREAMKEY', VIGIL_SECRET_ACCESS_KEY: 'stream-secret-123456' },
      [],
      { lazyModeration: true },
    );
    s3 = new S3Client({
      endpoint: child.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'STREAMKEY', secretAccessKey: 'stream-secret-123456' },
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'stream' }));
  });
  afterAll(async () => {
    s3.destroy();
    child.process.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps server memory flat on PUT and GET', { timeout: 300_000 }, async () => {
    const pid = child.process.pid!;
    const before = await peakRss(pid);
    const body = generated(SIZE);
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'stream',
        Key: 'huge.bin',
        Body: body.stream,
        ContentLength: SIZE,
      }),
    );
    expect(put.ETag).toBe(`"${body.md5()}"`);
    const afterPut = await peakRss(pid);

    const got = await s3.send(new GetObjectCommand({ Bucket: 'stream', Key: 'huge.bin' }));
    const hash = createHash('md5');
    let received = 0;
    for await (const chunk of got.Body as Readable) {
      hash.update(chunk as Buffer);
      received += (chunk as Buffer).length;
    }
    expect(received).toBe(SIZE);
    expect(hash.digest('hex')).toBe(body.md5());
    const afterGet = await peakRss(pid);
    // Flat: the server's peak grows by far less than the object (a few buffers, not the body).
    expect(afterPut - before).toBeLessThan(150 * 1024 * 1024);
    expect(afterGet - before).toBeLessThan(150 * 1024 * 1024);
    console.log(
      `server peak RSS: start ${(before / 2 ** 20).toFixed(0)} MiB, after PUT ${(afterPut / 2 ** 20).toFixed(0)} MiB, after GET ${(afterGet / 2 ** 20).toFixed(0)} MiB`,
    );
  });
});
