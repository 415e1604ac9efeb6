/**
 * `vigil worker` processes for topology tests: start one on a config file, upload real
 * photographs to a store, and check what the workers did — one tracking record per upload,
 * weapons tagged and in review, nothing else.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { GetObjectTaggingCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { expect } from 'vitest';
import { PostgresReportStore } from '../../src/reporting/postgres.js';
import { VIGIL_BIN } from './child.js';
import { until } from './until.js';

const PHOTOS = new URL('../fixtures/photos/', import.meta.url);
const FLAGGED = ['pistol_beretta92_atf.jpg', 'rifle_steyr_aug.jpg'];
const CLEAN = ['clean_cat_chelsea_skimage.jpg', 'clean_food_coffee_skimage.jpg'];

const photos = new Map<string, Promise<Buffer>>();
const photoBytes = (name: string) => {
  if (!photos.has(name)) photos.set(name, readFile(new URL(name, PHOTOS)));
  return photos.get(name)!;
};

export interface Upload {
  key: string;
  etag: string;
  flagged: boolean;
}

/** A running `vigil worker` process, and where its health and metrics answer. */
export type WorkerProcess = ChildProcess & { healthUrl: string };

/** Starts `vigil worker --config <file>` with the store's keys; resolves once it runs. */
export function startWorkerProcess(
  configFile: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [VIGIL_BIN, 'worker', '--config', configFile], {
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_'))),
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: 'us-east-1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 60_000);
    const seen = (d: Buffer) => {
      output += d.toString();
      const started = /"health":"([^"]+)\/_vigil\/health"[^\n]*worker started/.exec(output);
      if (started) {
        clearTimeout(timer);
        resolve(Object.assign(child, { healthUrl: started[1]! }));
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${output}`));
    });
  });
}

/**
 * Uploads `rounds` × 4 photographs (half of them weapons) under `img/`; `after(n)` runs after
 * the n-th upload (to kill a worker mid-run).
 */
export async function uploadPhotos(
  s3: S3Client,
  bucket: string,
  rounds: number,
  after: (count: number) => void = () => {},
): Promise<Upload[]> {
  const uploads: Upload[] = [];
  for (let round = 0; round < rounds; round++)
    for (const name of [...FLAGGED, ...CLEAN]) {
      const key = `img/${round}/${name}`;
      const put = await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: await photoBytes(name),
          ContentType: 'image/jpeg',
        }),
      );
      uploads.push({ key, etag: put.ETag!.replaceAll('"', ''), flagged: FLAGGED.includes(name) });
      after(uploads.length);
    }
  return uploads;
}

/**
 * The done-when run of a worker topology: three workers started, `rounds` × 4 uploads, the
 * first worker SIGKILLed after `killAt` uploads (mid-image, most likely) and a fourth started
 * at once. Resolves with the uploads once the replacement runs.
 */
export async function uploadThroughWorkerTurnover(
  startWorker: () => Promise<ChildProcess>,
  s3: S3Client,
  bucket: string,
  rounds: number,
  killAt: number,
): Promise<Upload[]> {
  const [first] = await Promise.all([startWorker(), startWorker(), startWorker()]);
  let replacement: Promise<ChildProcess> | undefined;
  const uploads = await uploadPhotos(s3, bucket, rounds, (count) => {
    if (count !== killAt) return;
    first.kill('SIGKILL');
    replacement = startWorker();
  });
  expect(first.signalCode).toBe('SIGKILL');
  await replacement;
  return uploads;
}

/**
 * Waits until every upload has a tracking record in PostgreSQL, then checks: exactly one
 * record each, of its write; weapons tagged `BlockedContent=true` and in review; the others
 * clean, untagged, not in review.
 */
export async function expectEveryUploadJudgedOnce(
  s3: S3Client,
  bucket: string,
  uploads: Upload[],
  postgres: { url: string; schema: string },
): Promise<void> {
  const reports = await PostgresReportStore.open(postgres.url, { schema: postgres.schema });
  try {
    const recorded = await until(async () => {
      const all = await Promise.all(uploads.map((u) => reports.recordsFor(bucket, u.key)));
      return all.every((records) => records.length > 0) ? all : undefined;
    }, 120_000);
    expect(recorded.map((records) => records.length)).toEqual(uploads.map(() => 1));
    for (const [i, upload] of uploads.entries()) {
      const record = recorded[i]![0]!;
      expect([upload.key, record.etag]).toEqual([upload.key, upload.etag]);
      expect([upload.key, record.decision === 'clean']).toEqual([upload.key, !upload.flagged]);
      const { TagSet = [] } = await s3.send(
        new GetObjectTaggingCommand({ Bucket: bucket, Key: upload.key }),
      );
      const blocked = TagSet.some((tag) => tag.Key === 'BlockedContent' && tag.Value === 'true');
      expect([upload.key, blocked]).toEqual([upload.key, upload.flagged]);
      const review = await reports.findReviewItem({
        bucket,
        key: upload.key,
        writeId: record.writeId,
      });
      expect([upload.key, review !== undefined]).toEqual([upload.key, upload.flagged]);
    }
  } finally {
    await reports.close();
  }
}
