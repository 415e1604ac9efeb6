/**
 * Image memory end to end (ADR 14), on the embedded defaults with the real local model: a
 * flagged upload is blocked by the model; a resized copy under another key is blocked by
 * memory, and its tracking record says so.
 */
import { GetObjectTaggingCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportsDatabasePath, SqliteReportStore } from '../src/reporting/index.js';
import { recordOfUpload } from './support/records.js';
import { until } from './support/until.js';
import { startTestVigil, type TestVigil } from './support/vigil.js';

let t: TestVigil;
let reports: SqliteReportStore;

beforeAll(async () => {
  t = await startTestVigil({ config: { moderation: { workers: 1 } } });
  reports = SqliteReportStore.open(reportsDatabasePath(t.dataDir));
});

afterAll(async () => {
  await reports?.close();
  await t?.stop();
});

async function upload(key: string, body: Buffer) {
  const put = await t.s3.send(
    new PutObjectCommand({ Bucket: 'uploads', Key: key, Body: body, ContentType: 'image/jpeg' }),
  );
  return until(() => recordOfUpload(reports, 'uploads', key, put.ETag!));
}

describe('image memory in a running Vigil', () => {
  it('blocks a resized copy of a blocked upload by memory, and records it as remembered', async () => {
    const flagged = await readFile(new URL('./fixtures/images/flagged-porn.jpg', import.meta.url));
    const original = await upload('content/images/original.jpg', flagged);
    expect(original).toMatchObject({ decision: 'blocked' });
    expect(original.modelVersion).not.toMatch(/^memory/);

    const resized = await sharp(flagged).resize(112).jpeg({ quality: 75 }).toBuffer();
    const copy = await upload('content/images/elsewhere/copy.jpg', resized);
    expect(copy).toMatchObject({
      decision: 'blocked',
      labels: original.labels,
      modelVersion: `memory:${original.modelVersion}`,
    });
    expect(copy.reason).toMatch(
      new RegExp(
        `^remembered: looks like s3://uploads/content/images/original\\.jpg \\(write ${original.writeId}, \\d+ of 64 bits apart\\), blocked by the moderator$`,
      ),
    );
    const { TagSet = [] } = await t.s3.send(
      new GetObjectTaggingCommand({ Bucket: 'uploads', Key: 'content/images/elsewhere/copy.jpg' }),
    );
    expect(TagSet).toContainEqual({ Key: 'BlockedContent', Value: 'true' });
    // Not cleared for the gate, like any blocked image.
    const gate = await fetch(`${t.url}/_vigil/public/uploads/content/images/elsewhere/copy.jpg`);
    expect(gate.status).not.toBe(200);
  });
});
