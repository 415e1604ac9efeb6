import {
  CreateBucketCommand,
  GetObjectTaggingCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VIGIL_BIN, spawnVigil, type ChildVigil } from './support/child.js';

const run = promisify(execFile);
const children: ChildVigil[] = [];
const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-cli-'));
  dirs.push(dir);
  return dir;
}

async function vigil(dataDir: string, env: Record<string, string> = {}): Promise<ChildVigil> {
  const child = await spawnVigil(dataDir, env);
  children.push(child);
  return child;
}

function exited(child: ChildVigil): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.process.exitCode !== null) resolve(child.process.exitCode);
    else child.process.once('exit', (code) => resolve(code));
  });
}

describe('the vigil command', () => {
  beforeAll(async () => {
    await stat(VIGIL_BIN.replace('bin/vigil.js', 'dist/cli/main.js')).catch(() => {
      throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    });
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.process.kill('SIGKILL');
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('prints readable help', async () => {
    const { stdout } = await run(process.execPath, [VIGIL_BIN, '--help']);
    expect(stdout).toContain('serve');
    expect(stdout).toContain('credentials');
    const serve = await run(process.execPath, [VIGIL_BIN, 'serve', '--help']);
    for (const flag of ['--port', '--host', '--data-dir', '--region', 'VIGIL_ACCESS_KEY_ID'])
      expect(serve.stdout).toContain(flag);
  });

  const help = async (...command: string[]) =>
    (await run(process.execPath, [VIGIL_BIN, ...command, '--help'])).stdout;

  it('serve --help lists what serve starts today', async () => {
    const serve = await help('serve');
    expect(serve).not.toMatch(/as they land/);
    for (const part of [
      'S3 API',
      'event notifications',
      'SQS-compatible queues',
      'functions',
      'moderate-image',
      'DetectModerationLabels',
      '/_vigil/console/',
      '/_vigil/public/',
      '/_vigil/admin/',
      '/_vigil/metrics',
    ])
      expect(serve).toContain(part);
  });

  it('logs --help says the order logs prints in', async () => {
    // The newest invocations, oldest first, as `tail` prints a file's end (src/cli/logs.test.ts
    // checks the order itself).
    const logs = await help('logs');
    expect(logs).toContain('oldest first');
    expect(logs).not.toContain('newest first');
  });

  it('hints name the data directory Vigil was started with, quoted for the shell', async () => {
    const dir = join(await tempDir(), "Vigil's data");
    const quoted = `'${dir.replaceAll("'", `'\\''`)}'`;
    const file = join(await tempDir(), 'vigil.json');
    await writeFile(
      file,
      JSON.stringify({ console: { users: [{ name: 'mo', role: 'moderator' }] } }),
    );
    const child = await spawnVigil(dir, {}, ['--config', file]);
    children.push(child);
    const hints = [...child.output().matchAll(/^Print them again with: (.*)$/gm)].map((m) => m[1]);
    expect(hints).toEqual([
      `npx vigil credentials --data-dir ${quoted}`,
      `npx vigil credentials --console --data-dir ${quoted}`,
    ]);
    // Each hint, run by a shell as printed (with this checkout's vigil for `npx vigil`).
    const [keys, consoles] = await Promise.all(
      hints.map((hint) =>
        run('sh', ['-c', hint!.replace(/^npx vigil/, `"${process.execPath}" "${VIGIL_BIN}"`)]),
      ),
    );
    const stored = JSON.parse(await readFile(join(dir, 'credentials.json'), 'utf8')) as {
      secretAccessKey: string;
    };
    expect(keys!.stdout).toContain(`AWS_SECRET_ACCESS_KEY=${stored.secretAccessKey}`);
    expect(consoles!.stdout).toMatch(/^mo: \S+\n$/);
    const empty = await tempDir();
    const missing = await run(process.execPath, [VIGIL_BIN, 'credentials', '-d', empty]).catch(
      (e: { stderr: string }) => e,
    );
    expect(missing.stderr).toContain(`npx vigil serve --data-dir ${empty}`);
  });

  it('generates root credentials on first start, stores them 0600, prints them once', async () => {
    const dir = await tempDir();
    const first = await vigil(dir);
    expect(first.output()).toContain('Generated root credentials');
    const file = join(dir, 'credentials.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(await readFile(file, 'utf8')) as {
      accessKeyId: string;
      secretAccessKey: string;
    };
    expect(stored.secretAccessKey.length).toBeGreaterThanOrEqual(32);
    expect(first.output()).toContain(stored.secretAccessKey);
    const { stdout } = await run(process.execPath, [VIGIL_BIN, 'credentials', '--data-dir', dir]);
    expect(stdout).toContain(`AWS_ACCESS_KEY_ID=${stored.accessKeyId}`);
    expect(stdout).toContain(`AWS_SECRET_ACCESS_KEY=${stored.secretAccessKey}`);
    first.process.kill('SIGTERM');
    await exited(first);
    const second = await vigil(dir);
    expect(second.output()).not.toContain('Generated root credentials');
    expect(second.output()).not.toContain(stored.secretAccessKey);
  });

  it('prints console passwords once at start, and again only with credentials --console', async () => {
    const dir = await tempDir();
    const file = join(dir, 'vigil.json');
    await writeFile(
      file,
      JSON.stringify({ console: { users: [{ name: 'mo', role: 'moderator' }] } }),
    );
    const child = await spawnVigil(dir, {}, ['--config', file]);
    const password = /^ {2}mo: (\S+)$/m.exec(child.output())?.[1];
    expect(password).toBeDefined();
    expect(child.output()).toContain('/_vigil/console/');
    child.process.kill('SIGTERM');
    await exited(child);
    const keys = await run(process.execPath, [VIGIL_BIN, 'credentials', '--data-dir', dir]);
    // Only the two lines `export $(npx vigil credentials)` can take.
    expect(keys.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^AWS_ACCESS_KEY_ID=\S+$/),
      expect.stringMatching(/^AWS_SECRET_ACCESS_KEY=\S+$/),
    ]);
    const consoles = await run(process.execPath, [
      VIGIL_BIN,
      'credentials',
      '--console',
      '--data-dir',
      dir,
    ]);
    expect(consoles.stdout).toBe(`mo: ${password}\n`);
  });

  it('two fresh data directories get different credentials', async () => {
    const [a, b] = [await tempDir(), await tempDir()];
    await vigil(a);
    await vigil(b);
    const read = async (d: string) =>
      JSON.parse(await readFile(join(d, 'credentials.json'), 'utf8')) as {
        secretAccessKey: string;
      };
    expect((await read(a)).secretAccessKey).not.toBe((await read(b)).secretAccessKey);
  });

  it('uses root credentials from the environment', async () => {
    const dir = await tempDir();
    const child = await vigil(dir, {
      VIGIL_ACCESS_KEY_ID: 'ENVKEY123',
      VIGIL_SECRET_ACCESS_KEY: 'env-secret-123456',
    });
    const s3 = new S3Client({
      endpoint: child.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'ENVKEY123', secretAccessKey: 'env-secret-123456' },
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'env-creds' }));
    s3.destroy();
    await expect(stat(join(dir, 'credentials.json'))).rejects.toThrow();
  });

  it('names the bad field in configuration errors', async () => {
    const dir = await tempDir();
    const bad = await run(process.execPath, [
      VIGIL_BIN,
      'serve',
      '--data-dir',
      dir,
      '--port',
      'ninety',
    ]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { stderr: string; code: number }) => e,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/port.*--port/);
    const env = await run(process.execPath, [VIGIL_BIN, 'serve', '--data-dir', dir], {
      env: { ...process.env, VIGIL_REGION: 'Not A Region' },
    }).catch((e: { stderr: string; code: number }) => e);
    expect(env.stderr).toMatch(/region.*VIGIL_REGION/);
    const half = await run(process.execPath, [VIGIL_BIN, 'serve', '--data-dir', dir], {
      env: { ...process.env, VIGIL_ACCESS_KEY_ID: 'only-the-id' },
    }).catch((e: { stderr: string; code: number }) => e);
    expect(half.stderr).toContain('VIGIL_SECRET_ACCESS_KEY');
  });

  it('reads a JSON config file and names the bad field inside it', async () => {
    const dir = await tempDir();
    const file = join(dir, 'vigil.json');
    const fail = (args: string[]) =>
      run(process.execPath, [VIGIL_BIN, ...args]).then(
        () => ({ code: 0, stderr: '' }),
        (e: { stderr: string; code: number }) => e,
      );
    await writeFile(
      file,
      JSON.stringify({ webhooks: [{ name: 'h', url: 'http://127.0.0.1:1/x', secret: 'short' }] }),
    );
    const short = await fail(['serve', '--data-dir', dir, '--config', file]);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain(`Invalid webhooks[0].secret (from config file ${file})`);
    await writeFile(file, '{"queues": [');
    const notJson = await fail(['serve', '--data-dir', dir, '--config', file]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain(`Config file ${file} is not valid JSON`);
    await writeFile(file, JSON.stringify({ queus: [] }));
    const unknown = await fail(['serve', '--data-dir', dir, '--config', file]);
    expect(unknown.stderr).toMatch(/Unrecognized key.*queus/);
    const vague = await fail(['dlq', 'redrive', '--data-dir', dir]);
    expect(vague.code).toBe(2);
    expect(vague.stderr).toContain('--id N…, --destination ARN, or --all');
  });

  it('warms the models before health turns ready, so the first image is judged at full speed', async () => {
    const dir = await tempDir();
    const env = { VIGIL_ACCESS_KEY_ID: 'WARMKEY1', VIGIL_SECRET_ACCESS_KEY: 'warm-secret-123456' };
    const child = await vigil(dir, env); // returns once health answers 200
    const health = (await (await fetch(`${child.url}/_vigil/health`)).json()) as object;
    expect(health).toEqual({ status: 'ok', moderation: 'ready' });
    expect(child.output()).toContain('moderation models loaded and warm');

    const s3 = new S3Client({
      endpoint: child.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: {
        accessKeyId: env.VIGIL_ACCESS_KEY_ID,
        secretAccessKey: env.VIGIL_SECRET_ACCESS_KEY,
      },
    });
    const key = 'content/images/first.jpg';
    const body = await readFile(
      new URL('./fixtures/photos/pistol_beretta92_atf.jpg', import.meta.url),
    );
    const started = Date.now();
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: key, Body: body }));
    let tags: { Key?: string; Value?: string }[] = [];
    while (Date.now() - started < 10_000 && !tags.some((t) => t.Key === 'BlockedContent')) {
      tags =
        (await s3.send(new GetObjectTaggingCommand({ Bucket: 'uploads', Key: key }))).TagSet ?? [];
      if (!tags.some((t) => t.Key === 'BlockedContent'))
        await new Promise((r) => setTimeout(r, 20));
    }
    const elapsed = Date.now() - started;
    s3.destroy();
    expect(tags).toContainEqual({ Key: 'BlockedContent', Value: 'true' });
    // The README's "See an image blocked" reads the tags after `sleep 1`.
    expect(elapsed).toBeLessThan(1000);
  });

  it('vigil demo uploads the sample images and prints how each was judged', async () => {
    const dir = await tempDir();
    const child = await vigil(dir, {
      VIGIL_ACCESS_KEY_ID: 'DEMOKEY1',
      VIGIL_SECRET_ACCESS_KEY: 'demo-secret-123456',
    });
    const demo = await run(
      process.execPath,
      [VIGIL_BIN, 'demo', '--data-dir', dir, '--endpoint', child.url],
      {
        env: {
          ...process.env,
          VIGIL_ACCESS_KEY_ID: 'DEMOKEY1',
          VIGIL_SECRET_ACCESS_KEY: 'demo-secret-123456',
        },
      },
    );
    expect(demo.stdout).toMatch(/demo-\S+-flagged-porn\.jpg\s+Explicit [\d.]+%\s+blocked\s+\d+ ms/);
    expect(demo.stdout).toMatch(/demo-\S+-clean-shapes\.jpg\s+-\s+clean\s+\d+ ms/);
  });

  it('on SIGTERM finishes in-flight requests, answers 503 to new ones, and exits 0', async () => {
    const dir = await tempDir();
    const child = await vigil(dir, {
      VIGIL_ACCESS_KEY_ID: 'DRAINKEY1',
      VIGIL_SECRET_ACCESS_KEY: 'drain-secret-123456',
    });
    const s3 = new S3Client({
      endpoint: child.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'DRAINKEY1', secretAccessKey: 'drain-secret-123456' },
      maxAttempts: 1,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'drain' }));
    // A slow upload: the body trickles in while the server is told to stop.
    const { Readable } = await import('node:stream');
    const chunks = Array.from({ length: 10 }, () => Buffer.alloc(1000, 1));
    let sent = 0;
    const slowBody = Readable.from(
      (async function* () {
        for (const chunk of chunks) {
          await new Promise((r) => setTimeout(r, 100));
          sent++;
          yield chunk;
        }
      })(),
    );
    const inFlight = s3.send(
      new PutObjectCommand({ Bucket: 'drain', Key: 'slow', Body: slowBody, ContentLength: 10_000 }),
    );
    // Stop only once the upload is surely under way (a request that arrives after SIGTERM is
    // refused with 503, which is the other half of this test).
    while (sent < 3) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    child.process.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    const refused = await new Promise<number>((resolve) => {
      const req = request(`${child.url}/_vigil/health`, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(-1));
      req.end();
    });
    // Either a 503 or, once the listener has closed, a refused connection: never served.
    expect([503, -1]).toContain(refused);
    const done = await inFlight;
    expect(done.$metadata.httpStatusCode).toBe(200);
    expect(await exited(child)).toBe(0);
    s3.destroy();
  });
});
