/**
 * Two S3 clients people already use, unchanged, against a listening Vigil: Debian's rclone
 * (Go, AWS SDK for Go: writes the quotes of part ETags in CompleteMultipartUpload as `&#34;`)
 * and s3cmd (Python, its own S3 code: retries a 501 for ~45 s). CI installs both with
 * apt-get; elsewhere the tests are skipped, saying why.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './support/until.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

const RCLONE = '/usr/bin/rclone';
const S3CMD = '/usr/bin/s3cmd';
const MiB = 1024 * 1024;

const installed = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: 120_000, maxBuffer: 64 * MiB }, (error, stdout, stderr) =>
      resolve({
        code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
        stdout,
        stderr,
        ms: Date.now() - started,
      }),
    );
  });
}

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

let t: TestVigil;
let work: string;

beforeAll(async () => {
  t = await startTestVigil({
    fsync: false,
    config: { scheduler: { restoreSeconds: { GLACIER: { Expedited: 0.2 } }, maxSleepSeconds: 1 } },
  });
  work = await mkdtemp(join(tmpdir(), 'vigil-clients-'));
});
afterAll(async () => {
  await t?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

function requireClient(name: string, file: string): boolean {
  if (installed(file)) return true;
  const message = `${name} is not installed at ${file} (apt-get install ${name})`;
  if (process.env['CI'] === 'true')
    it(`has ${name} to test with`, () => expect.fail(`${message}; CI must have it`));
  else {
    console.warn(`${name} tests skipped: ${message}`);
    it.skip(`${name} tests: ${message}`, () => {});
  }
  return false;
}

describe('rclone', () => {
  if (!requireClient('rclone', RCLONE)) return;
  /** rclone configured by environment only: a remote named `vigil`, no config file. */
  const rclone = (...args: string[]) =>
    run(RCLONE, ['--config', '/dev/null', '--low-level-retries', '1', '--retries', '1', ...args], {
      // Not the developer's AWS settings: AWS_CA_BUNDLE alone makes rclone's SDK give up.
      ...Object.fromEntries(
        Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')),
      ),
      RCLONE_CONFIG_VIGIL_TYPE: 's3',
      RCLONE_CONFIG_VIGIL_PROVIDER: 'Other',
      RCLONE_CONFIG_VIGIL_ACCESS_KEY_ID: t.accessKeyId,
      RCLONE_CONFIG_VIGIL_SECRET_ACCESS_KEY: t.secretAccessKey,
      RCLONE_CONFIG_VIGIL_ENDPOINT: t.url,
      RCLONE_CONFIG_VIGIL_REGION: 'us-east-1',
      RCLONE_CONFIG_VIGIL_FORCE_PATH_STYLE: 'true',
    });

  it('uploads in parts (ETags quoted as &#34;), lists, reads back and deletes', async () => {
    const bucket = bucketName('rclone');
    expect((await rclone('mkdir', `vigil:${bucket}`)).code).toBe(0);
    const data = randomBytes(12 * MiB + 123);
    const file = join(work, 'big.bin');
    await writeFile(file, data);

    const copy = await rclone(
      'copyto',
      '--s3-upload-cutoff',
      '5M',
      '--s3-chunk-size',
      '5M',
      file,
      `vigil:${bucket}/dir/big.bin`,
    );
    expect(copy.stderr).not.toMatch(/InvalidPart|ERROR/);
    expect(copy.code).toBe(0);

    const head = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'dir/big.bin' }));
    expect(head.ContentLength).toBe(data.length);
    expect(head.ETag).toMatch(/-3"$/); // three parts: 5 + 5 + 2 MiB

    const listing = JSON.parse((await rclone('lsjson', '-R', `vigil:${bucket}`)).stdout) as {
      Path: string;
      Size: number;
      IsDir: boolean;
    }[];
    expect(listing.filter((e) => !e.IsDir)).toEqual([
      expect.objectContaining({ Path: 'dir/big.bin', Size: data.length }),
    ]);

    const back = join(work, 'big.back');
    expect((await rclone('copyto', `vigil:${bucket}/dir/big.bin`, back)).code).toBe(0);
    expect(md5(await readFile(back))).toBe(md5(data));
    // rclone's own check of the directory against the bucket: sizes and MD5s.
    const check = await rclone(
      'check',
      '--one-way',
      '--include',
      'big.bin',
      work,
      `vigil:${bucket}/dir/`,
    );
    expect(check.stderr).toMatch(/0 differences found/);
    expect(check.code).toBe(0);

    expect((await rclone('deletefile', `vigil:${bucket}/dir/big.bin`)).code).toBe(0);
    expect((await rclone('rmdir', `vigil:${bucket}`)).code).toBe(0);
  });
  it('uploads to GLACIER and restores with `rclone backend restore`', async () => {
    const bucket = bucketName('rclone-archive');
    expect((await rclone('mkdir', `vigil:${bucket}`)).code).toBe(0);
    await writeFile(join(work, 'cold.txt'), 'archived by rclone');
    const put = await rclone(
      '--s3-storage-class',
      'GLACIER',
      'copyto',
      join(work, 'cold.txt'),
      `vigil:${bucket}/cold.txt`,
    );
    expect(put.code, put.stderr).toBe(0);
    const head = () => t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'cold.txt' }));
    expect((await head()).StorageClass).toBe('GLACIER');
    const restore = await rclone(
      'backend',
      'restore',
      // Debian's rclone restores a directory's objects, not a file path.
      `vigil:${bucket}`,
      '-o',
      'priority=Expedited',
      '-o',
      'lifetime=1',
    );
    expect(restore.code, restore.stderr).toBe(0);
    expect(JSON.parse(restore.stdout)).toEqual([{ Status: 'OK', Remote: 'cold.txt' }]);
    await until(
      async () => ((await head()).Restore?.includes('"false"') ? true : undefined),
      10_000,
    );
    const back = await rclone('cat', `vigil:${bucket}/cold.txt`);
    expect(back.stdout).toBe('archived by rclone');
  });
});

describe('s3cmd', () => {
  if (!requireClient('s3cmd', S3CMD)) return;
  let config: string;
  beforeAll(async () => {
    const host = new URL(t.url).host;
    config = join(work, 's3cmd.cfg');
    await writeFile(
      config,
      [
        '[default]',
        `access_key = ${t.accessKeyId}`,
        `secret_key = ${t.secretAccessKey}`,
        `host_base = ${host}`,
        `host_bucket = ${host}`,
        'bucket_location = us-east-1',
        'use_https = False',
        'signature_v2 = False',
        'check_ssl_certificate = False',
        '',
      ].join('\n'),
    );
  });
  const s3cmd = (...args: string[]) => run(S3CMD, ['-c', config, '--no-progress', ...args]);

  it('makes a bucket, puts (in parts too), lists, gets and deletes', async () => {
    const bucket = bucketName('s3cmd');
    expect((await s3cmd('mb', `s3://${bucket}`)).code).toBe(0);
    const small = randomBytes(1000);
    const big = randomBytes(11 * MiB);
    await writeFile(join(work, 'small.bin'), small);
    await writeFile(join(work, 'big11.bin'), big);

    expect((await s3cmd('put', join(work, 'small.bin'), `s3://${bucket}/a/small.bin`)).code).toBe(
      0,
    );
    const put = await s3cmd(
      'put',
      '--multipart-chunk-size-mb=5',
      join(work, 'big11.bin'),
      `s3://${bucket}/a/big.bin`,
    );
    expect(put.stderr).toBe('');
    expect(put.code).toBe(0);

    const ls = await s3cmd('ls', '-r', `s3://${bucket}`);
    expect(ls.stdout).toMatch(new RegExp(`1000 +s3://${bucket}/a/small.bin`));
    expect(ls.stdout).toMatch(new RegExp(`${big.length} +s3://${bucket}/a/big.bin`));

    const back = join(work, 'big11.back');
    expect((await s3cmd('get', `s3://${bucket}/a/big.bin`, back)).code).toBe(0);
    expect(md5(await readFile(back))).toBe(md5(big));

    expect(
      (await s3cmd('del', `s3://${bucket}/a/small.bin`, `s3://${bucket}/a/big.bin`)).code,
    ).toBe(0);
    expect((await s3cmd('rb', `s3://${bucket}`)).code).toBe(0);
  });

  it('is refused a public ACL at once, as a bucket that enforces owner ownership does', async () => {
    const bucket = bucketName('s3cmd-acl');
    expect((await s3cmd('mb', `s3://${bucket}`)).code).toBe(0);
    await writeFile(join(work, 'public.txt'), 'hello');
    const put = await s3cmd(
      'put',
      '--acl-public',
      join(work, 'public.txt'),
      `s3://${bucket}/p.txt`,
    );
    expect(put.code).not.toBe(0);
    expect(put.stderr).toMatch(/AccessControlListNotSupported/);
    expect(put.ms).toBeLessThan(10_000); // no retrying of a 501 for ~45 s
    const stored = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'p.txt' })).then(
      () => 'stored',
      (error: Error) => error.name,
    );
    expect(stored).toBe('NoSuchKey');
  });

  it('stores a storage class, restores, and sets, gets and deletes lifecycle rules', async () => {
    const bucket = bucketName('s3cmd-archive');
    expect((await s3cmd('mb', `s3://${bucket}`)).code).toBe(0);
    await writeFile(join(work, 'deep.txt'), 'archived by s3cmd');
    const put = await s3cmd(
      'put',
      '--storage-class=GLACIER',
      join(work, 'deep.txt'),
      `s3://${bucket}/deep.txt`,
    );
    expect(put.code, put.stderr).toBe(0);
    const head = () => t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'deep.txt' }));
    expect((await head()).StorageClass).toBe('GLACIER');
    const restore = await s3cmd(
      'restore',
      '--restore-days=1',
      '--restore-priority=expedited',
      `s3://${bucket}/deep.txt`,
    );
    expect(restore.code, restore.stderr).toBe(0);
    await until(
      async () => ((await head()).Restore?.includes('"false"') ? true : undefined),
      10_000,
    );

    const policy = join(work, 'lifecycle.xml');
    await writeFile(
      policy,
      '<LifecycleConfiguration><Rule><ID>tmp</ID><Filter><Prefix>tmp/</Prefix></Filter>' +
        '<Status>Enabled</Status><Expiration><Days>3</Days></Expiration></Rule>' +
        '</LifecycleConfiguration>',
    );
    const set = await s3cmd('setlifecycle', policy, `s3://${bucket}`);
    expect(set.code, set.stderr).toBe(0);
    const got = await s3cmd('getlifecycle', `s3://${bucket}`);
    expect(got.code, got.stderr).toBe(0);
    expect(got.stdout).toMatch(/<ID>tmp<\/ID>[\s\S]*<Days>3<\/Days>/);
    expect((await s3cmd('dellifecycle', `s3://${bucket}`)).code).toBe(0);
    expect((await s3cmd('getlifecycle', `s3://${bucket}`)).code).not.toBe(0);
  });
});
