import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAwsBinaries, runAws, type AwsResult } from './support/awscli.js';
import { until } from './support/until.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

const md5 = (data: Uint8Array) => createHash('md5').update(data).digest('hex');

/** The ETag S3 gives a multipart upload of `data` cut into `partSize` parts. */
const multipartEtag = (data: Buffer, partSize: number) => {
  const digests: Buffer[] = [];
  for (let at = 0; at < data.length; at += partSize) {
    digests.push(
      createHash('md5')
        .update(data.subarray(at, at + partSize))
        .digest(),
    );
  }
  return `"${md5(Buffer.concat(digests))}-${digests.length}"`;
};

/** `aws s3 ls` object lines: `2024-01-01 12:00:00       1234 some/key`. */
const listed = (stdout: string) =>
  stdout
    .split('\n')
    .map((line) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +(\d+) (.+)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ size: Number(m[1]), key: m[2] }));

/** Every file under `root`, as sorted relative paths. */
const tree = async (root: string) =>
  (await readdir(root, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();

const CLI_CHUNK = 8 * 1024 * 1024; // the CLI's default multipart_threshold and chunksize
const KEY = 'dir/key with spaces+plus.txt';

const NOTIFICATION = {
  QueueConfigurations: [
    {
      Id: 'review-queue',
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:review',
      Events: ['s3:ObjectCreated:*'],
      Filter: {
        Key: {
          FilterRules: [
            { Name: 'Prefix', Value: 'uploads/' },
            { Name: 'Suffix', Value: '.jpg' },
          ],
        },
      },
    },
  ],
  TopicConfigurations: [
    {
      Id: 'audit-topic',
      TopicArn: 'arn:aws:sns:us-east-1:000000000000:audit',
      Events: ['s3:ObjectRemoved:*', 's3:ObjectTagging:Put'],
      Filter: { Key: { FilterRules: [{ Name: 'Prefix', Value: 'logs/' }] } },
    },
  ],
  LambdaFunctionConfigurations: [
    {
      Id: 'moderate',
      LambdaFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:moderate-image',
      Events: ['s3:ObjectCreated:Put', 's3:ObjectCreated:CompleteMultipartUpload'],
      Filter: {
        Key: {
          FilterRules: [
            { Name: 'Prefix', Value: 'images/' },
            { Name: 'Suffix', Value: '.png' },
          ],
        },
      },
    },
  ],
};

const binaries = findAwsBinaries();

if (binaries.length === 0) {
  const message = 'no aws CLI found (install it with `apt-get install -y awscli`)';
  if (process.env['CI'] === 'true') {
    it('has an aws CLI to test with', () => expect.fail(`${message}; CI must have it`));
  } else {
    console.warn(`awscli tests skipped: ${message}`);
    it.skip(`aws CLI tests: ${message}`, () => {});
  }
}

describe.each(binaries)('aws CLI $version ($path)', ({ path: bin }) => {
  let t: TestVigil;
  let work: string;
  const bucket = bucketName('awscli');
  const s3url = (key = '') => `s3://${bucket}/${key}`;

  const aws = (...args: string[]) => runAws(bin, t.url, t, args);
  /** Runs the CLI, fails the test with its stderr unless it exits 0, and returns stdout. */
  const ok = async (...args: string[]) => {
    const result = await aws(...args);
    expect(result, `aws ${args.join(' ')}\n${result.stderr}`).toMatchObject({ code: 0 });
    return result.stdout;
  };
  const json = async (...args: string[]): Promise<unknown> =>
    JSON.parse((await ok(...args)).trim() || '{}');
  const failure = (result: AwsResult, code: string) => {
    expect(result.code, result.stdout).not.toBe(0);
    expect(result.stderr).toContain(code);
  };

  beforeAll(async () => {
    t = await startTestVigil({
      // A Standard restore outlasts any CLI run (a loaded machine takes seconds per run), so
      // one under way is seen as such; an Expedited one completes at once.
      config: {
        scheduler: {
          restoreSeconds: { GLACIER: { Standard: 600, Expedited: 0.2 } },
          maxSleepSeconds: 1,
        },
      },
    });
    work = await mkdtemp(join(tmpdir(), 'vigil-awscli-'));
  });
  afterAll(async () => {
    await t?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('makes a bucket', async () => {
    expect(await ok('s3', 'mb', s3url())).toContain(`make_bucket: ${bucket}`);
    expect(await ok('s3', 'ls')).toContain(bucket);
  });

  it('uploads with metadata, heads and downloads a key with spaces and a plus', async () => {
    const body = randomBytes(12_345);
    await writeFile(join(work, 'small.bin'), body);
    await ok(
      's3',
      'cp',
      join(work, 'small.bin'),
      s3url(KEY),
      '--metadata',
      'owner=alice,colour=blue',
    );

    const head = await json('s3api', 'head-object', '--bucket', bucket, '--key', KEY);
    expect(head).toMatchObject({
      ContentLength: body.length,
      ETag: `"${md5(body)}"`,
      Metadata: { owner: 'alice', colour: 'blue' },
    });

    await ok('s3', 'cp', s3url(KEY), join(work, 'small.out'));
    expect(md5(await readFile(join(work, 'small.out')))).toBe(md5(body));
  });

  it('lists with and without --recursive', async () => {
    expect(await ok('s3', 'ls', s3url())).toMatch(/^ +PRE dir\/$/m);
    expect(listed(await ok('s3', 'ls', s3url('dir/')))).toEqual([
      { size: 12_345, key: 'key with spaces+plus.txt' },
    ]);
    expect(listed(await ok('s3', 'ls', '--recursive', s3url()))).toEqual([
      { size: 12_345, key: KEY },
    ]);
  });

  it('puts and gets object tagging', async () => {
    const TagSet = [
      { Key: 'project', Value: 'vigil' },
      { Key: 'stage', Value: 'review queue' },
    ];
    const args = ['--bucket', bucket, '--key', KEY];
    await ok('s3api', 'put-object-tagging', ...args, '--tagging', JSON.stringify({ TagSet }));
    const got = (await json('s3api', 'get-object-tagging', ...args)) as { TagSet: typeof TagSet };
    expect([...got.TagSet].sort((a, b) => a.Key.localeCompare(b.Key))).toEqual(TagSet);
  });

  it('uploads above the multipart threshold and downloads it intact', async () => {
    const body = randomBytes(20 * 1024 * 1024 + 4321);
    await writeFile(join(work, 'big.bin'), body);
    await ok('s3', 'cp', join(work, 'big.bin'), s3url('big.bin'));

    const head = (await json('s3api', 'head-object', '--bucket', bucket, '--key', 'big.bin')) as {
      ContentLength: number;
      ETag: string;
    };
    expect(head.ContentLength).toBe(body.length);
    expect(head.ETag).toMatch(/^"[0-9a-f]{32}-3"$/); // 8 + 8 + 4 MiB parts
    expect(head.ETag).toBe(multipartEtag(body, CLI_CHUNK));

    await ok('s3', 'cp', s3url('big.bin'), join(work, 'big.out'));
    expect(md5(await readFile(join(work, 'big.out')))).toBe(md5(body));
  });

  it('syncs a directory tree up and back down', async () => {
    const files: Record<string, Buffer> = {
      'a.txt': Buffer.from('alpha\n'),
      'sub/b.txt': Buffer.from('bravo\n'),
      'sub/with space.txt': Buffer.from(''),
      'sub/deeper/c.bin': randomBytes(70_000),
    };
    const up = join(work, 'sync-up');
    const down = join(work, 'sync-down');
    for (const [name, data] of Object.entries(files)) {
      await mkdir(dirname(join(up, name)), { recursive: true });
      await writeFile(join(up, name), data);
    }
    const names = Object.keys(files).sort();

    expect((await ok('s3', 'sync', up, s3url('tree'))).match(/^upload: /gm)).toHaveLength(4);
    expect(await ok('s3', 'sync', up, s3url('tree'))).toBe(''); // nothing changed
    const remote = listed(await ok('s3', 'ls', '--recursive', s3url('tree/')));
    expect(remote.map((o) => o.key).sort()).toEqual(names.map((n) => `tree/${n}`));

    await ok('s3', 'sync', s3url('tree'), down);
    expect(await tree(down)).toEqual(names);
    for (const name of names) {
      expect(md5(await readFile(join(down, name))), name).toBe(md5(files[name]!));
    }
  });

  it('round-trips a bucket notification configuration and clears it with {}', async () => {
    const put = async (config: object) => {
      const file = join(work, 'notification.json');
      await writeFile(file, JSON.stringify(config));
      const cmd = [
        's3api',
        'put-bucket-notification-configuration',
        '--bucket',
        bucket,
        '--skip-destination-validation',
      ];
      await ok(...cmd, '--notification-configuration', `file://${file}`);
    };
    const get = () => json('s3api', 'get-bucket-notification-configuration', '--bucket', bucket);

    await put(NOTIFICATION);
    expect(await get()).toEqual(NOTIFICATION);
    await put({});
    expect(await get()).toEqual({});
  });

  it('versions a bucket: put-bucket-versioning, list-object-versions, delete markers', async () => {
    const versioned = bucketName('awscli-versions');
    await ok('s3', 'mb', `s3://${versioned}`);
    await ok(
      's3api',
      'put-bucket-versioning',
      '--bucket',
      versioned,
      '--versioning-configuration',
      'Status=Enabled',
    );
    expect(await json('s3api', 'get-bucket-versioning', '--bucket', versioned)).toEqual({
      Status: 'Enabled',
    });
    await writeFile(join(work, 'v.txt'), 'one');
    const first = (await json(
      's3api',
      'put-object',
      '--bucket',
      versioned,
      '--key',
      'v.txt',
      '--body',
      join(work, 'v.txt'),
    )) as { VersionId: string };
    await writeFile(join(work, 'v.txt'), 'two');
    await ok('s3', 'cp', join(work, 'v.txt'), `s3://${versioned}/v.txt`);
    const marker = (await json(
      's3api',
      'delete-object',
      '--bucket',
      versioned,
      '--key',
      'v.txt',
    )) as { DeleteMarker: boolean; VersionId: string };
    expect(marker.DeleteMarker).toBe(true);
    const listed = (await json('s3api', 'list-object-versions', '--bucket', versioned)) as {
      Versions: { VersionId: string; IsLatest: boolean }[];
      DeleteMarkers: { VersionId: string; IsLatest: boolean }[];
    };
    expect(listed.Versions.map((v) => v.IsLatest)).toEqual([false, false]);
    expect(listed.Versions.at(-1)?.VersionId).toBe(first.VersionId);
    expect(listed.DeleteMarkers).toEqual([
      expect.objectContaining({ VersionId: marker.VersionId, IsLatest: true }),
    ]);
    await ok(
      's3api',
      'get-object',
      '--bucket',
      versioned,
      '--key',
      'v.txt',
      '--version-id',
      first.VersionId,
      join(work, 'v1.txt'),
    );
    expect(await readFile(join(work, 'v1.txt'), 'utf8')).toBe('one');
  });

  it('archives with --storage-class GLACIER, restores, and round-trips lifecycle rules', async () => {
    const archive = bucketName('awscli-archive');
    await ok('s3', 'mb', `s3://${archive}`);
    await writeFile(join(work, 'cold.txt'), 'archived');
    await ok(
      's3',
      'cp',
      '--storage-class',
      'GLACIER',
      join(work, 'cold.txt'),
      `s3://${archive}/cold`,
    );
    const head = () => json('s3api', 'head-object', '--bucket', archive, '--key', 'cold');
    expect(await head()).toMatchObject({ StorageClass: 'GLACIER' });
    failure(
      await aws('s3api', 'get-object', '--bucket', archive, '--key', 'cold', join(work, 'x')),
      'InvalidObjectState',
    );
    await ok(
      's3api',
      'restore-object',
      '--bucket',
      archive,
      '--key',
      'cold',
      '--restore-request',
      '{"Days":1,"GlacierJobParameters":{"Tier":"Standard"}}',
    );
    expect(await head()).toMatchObject({ Restore: 'ongoing-request="true"' });
    failure(
      await aws(
        's3api',
        'restore-object',
        '--bucket',
        archive,
        '--key',
        'cold',
        '--restore-request',
        'Days=1',
      ),
      'RestoreAlreadyInProgress',
    );
    // An Expedited restore of another object completes, and the copy reads back.
    await ok(
      's3',
      'cp',
      '--storage-class',
      'GLACIER',
      join(work, 'cold.txt'),
      `s3://${archive}/quick`,
    );
    await ok(
      's3api',
      'restore-object',
      '--bucket',
      archive,
      '--key',
      'quick',
      '--restore-request',
      '{"Days":1,"GlacierJobParameters":{"Tier":"Expedited"}}',
    );
    await until(async () => {
      const { Restore } = (await json(
        's3api',
        'head-object',
        '--bucket',
        archive,
        '--key',
        'quick',
      )) as { Restore?: string };
      return Restore?.startsWith('ongoing-request="false"') ? true : undefined;
    }, 30_000);
    await ok('s3', 'cp', `s3://${archive}/quick`, join(work, 'back.txt'));
    expect(await readFile(join(work, 'back.txt'), 'utf8')).toBe('archived');

    const rules = {
      Rules: [
        {
          ID: 'logs',
          Filter: { Prefix: 'logs/' },
          Status: 'Enabled',
          Transitions: [{ Days: 30, StorageClass: 'GLACIER' }],
          Expiration: { Days: 365 },
        },
      ],
    };
    await ok(
      's3api',
      'put-bucket-lifecycle-configuration',
      '--bucket',
      archive,
      '--lifecycle-configuration',
      JSON.stringify(rules),
    );
    expect(
      await json('s3api', 'get-bucket-lifecycle-configuration', '--bucket', archive),
    ).toMatchObject(rules);
    await ok('s3api', 'delete-bucket-lifecycle', '--bucket', archive);
    failure(
      await aws('s3api', 'get-bucket-lifecycle-configuration', '--bucket', archive),
      'NoSuchLifecycleConfiguration',
    );
  });

  it('removes one object, then the rest recursively, then the bucket', async () => {
    expect(await ok('s3', 'rm', s3url(KEY))).toContain(`delete: ${s3url(KEY)}`);
    failure(await aws('s3api', 'head-object', '--bucket', bucket, '--key', KEY), '404');

    const removed = await ok('s3', 'rm', '--recursive', s3url());
    expect(removed.match(/^delete: /gm)).toHaveLength(5); // big.bin + 4 synced files
    expect(listed(await ok('s3', 'ls', '--recursive', s3url()))).toEqual([]);

    expect(await ok('s3', 'rb', s3url())).toContain(`remove_bucket: ${bucket}`);
    expect(await ok('s3', 'ls')).not.toContain(bucket);
    failure(await aws('s3', 'ls', s3url()), 'NoSuchBucket');
  });

  it('fails with SignatureDoesNotMatch for a wrong secret', async () => {
    const wrong = { accessKeyId: t.accessKeyId, secretAccessKey: `${t.secretAccessKey}x` };
    failure(await runAws(bin, t.url, wrong, ['s3', 'ls']), 'SignatureDoesNotMatch');
  });

  it('fails with NoSuchBucket for a missing bucket', async () => {
    failure(await aws('s3', 'ls', 's3://missing-bucket-xyz'), 'NoSuchBucket');
  });
});
