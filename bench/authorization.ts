/**
 * What authorization costs an S3 request, in process: the gate's credential lookup, the
 * request's access checks (bucket policy lookup, policy evaluation, the object's tags for
 * `s3:ExistingObjectTag`), for root (the baseline, measured in the same run) and for an IAM
 * user with a small identity policy, with and without a bucket policy.
 *
 *   node --import tsx bench/authorization.ts
 */
import type { IncomingMessage } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openIdentity } from '../src/iam/index.js';
import { RequestAccess } from '../src/s3/access.js';
import { permissionsFor } from '../src/s3/permissions.js';
import { StorageEngine } from '../src/storage/index.js';

const N = Number(process.env['BENCH_N'] ?? '50000');
const ROOT = { accessKeyId: 'ROOTKEY000000000001', secretAccessKey: 'root-secret-000000000000001' };
const USER = { accessKeyId: 'BENCHUSER00000001', secretAccessKey: 'bench-user-secret-0000001' };

const dataDir = await mkdtemp(join(tmpdir(), 'vigil-bench-auth-'));
const engine = await StorageEngine.open({ dataDir, fsync: false });
try {
  engine.createBucket('plain', 'us-east-1');
  engine.createBucket('guarded', 'us-east-1');
  engine.putBucketPolicy(
    'guarded',
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: 'arn:aws:s3:::guarded/*',
          Condition: { Bool: { 'aws:SecureTransport': 'true' } },
        },
      ],
    }),
  );
  const identity = openIdentity(engine, {
    accountId: '000000000000',
    root: ROOT,
    declared: {
      roles: [],
      users: [
        {
          name: 'bench',
          path: '/',
          accessKeys: [USER],
          managedPolicies: [],
          policies: {
            objects: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: ['s3:PutObject', 's3:GetObject'],
                  Resource: ['arn:aws:s3:::plain/*', 'arn:aws:s3:::guarded/*'],
                },
              ],
            },
          },
        },
      ],
    },
  });
  const req = {
    socket: { remoteAddress: '127.0.0.1' },
    headers: { 'user-agent': 'bench' },
  } as unknown as IncomingMessage;
  const run = (key: string, operation: string, bucket: string): number => {
    const started = performance.now();
    for (let i = 0; i < N; i++) {
      const credential = identity.gate.credential(key)!;
      const access = new RequestAccess(
        credential.principal,
        identity.gate,
        engine,
        req,
        undefined,
        'REST-HEADER',
      );
      for (const check of permissionsFor({
        operation,
        bucket,
        key: `k${i % 100}`,
        query: new URLSearchParams(),
        headers: {},
      }))
        access.check(check);
    }
    return ((performance.now() - started) * 1000) / N;
  };
  // Warm up the caches and the JIT, then measure.
  for (const key of [ROOT.accessKeyId, USER.accessKeyId]) run(key, 'GetObject', 'plain');
  process.stdout.write(`# Authorization per S3 request, in process (N=${N})\n\n`);
  process.stdout.write(
    '| operation | bucket | root µs | IAM user µs | user ÷ root |\n|---|---|---:|---:|---:|\n',
  );
  for (const [operation, bucket] of [
    ['PutObject', 'plain'],
    ['GetObject', 'plain'],
    ['PutObject', 'guarded'],
    ['GetObject', 'guarded'],
  ] as const) {
    const root = run(ROOT.accessKeyId, operation, bucket);
    const user = run(USER.accessKeyId, operation, bucket);
    process.stdout.write(
      `| ${operation} | ${bucket === 'plain' ? 'no policy' : 'bucket policy'} | ${root.toFixed(1)} | ${user.toFixed(1)} | ${(user / root).toFixed(2)} |\n`,
    );
  }
} finally {
  engine.close();
  await rm(dataDir, { recursive: true, force: true });
}
