/**
 * Bring your own model, end to end: a Vigil configured with a user's ONNX classifier (a tiny
 * colour model the test builds) answers `@aws-sdk/client-rekognition`'s DetectModerationLabels
 * with the model's labels in Rekognition's shape, and the seed pipeline records them.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DetectModerationLabelsCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BLUE,
  RED,
  solid,
  widgetsModel,
  writeTinyModel,
} from '../src/moderation/custom/tiny-model.test-helper.js';
import { reportsDatabasePath, SqliteReportStore } from '../src/reporting/index.js';
import { recordOfUpload } from './support/records.js';
import { until } from './support/until.js';
import { startTestVigil, type TestVigil } from './support/vigil.js';

let dir: string;
let t: TestVigil;
let rekognition: RekognitionClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-byom-'));
  const model = await writeTinyModel(dir, 'widgets');
  t = await startTestVigil({
    config: {
      moderation: {
        workers: 1,
        models: [widgetsModel(model)],
      },
    },
  });
  rekognition = new RekognitionClient({
    endpoint: t.url,
    region: 'us-east-1',
    credentials: { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey },
  });
});

afterAll(async () => {
  rekognition?.destroy();
  await t?.stop();
  await rm(dir, { recursive: true, force: true });
});

const detect = async (rgb: [number, number, number]) =>
  rekognition.send(
    new DetectModerationLabelsCommand({ Image: { Bytes: await solid(rgb) }, MinConfidence: 80 }),
  );

describe('a user model through the Rekognition API and the pipeline', () => {
  it('answers DetectModerationLabels with its v7 and user labels, naming the model', async () => {
    const red = await detect(RED);
    expect(red.ModerationModelVersion).toMatch(
      /^vigil-nsfwjs-mobilenetv2-[\d.]+\+imagenet-mobilenetv2-12-int8\+custom:widgets@[0-9a-f]{8}$/,
    );
    expect(red.ModerationLabels).toEqual([
      {
        Name: 'Weapons',
        ParentName: 'Violence',
        TaxonomyLevel: 2,
        Confidence: expect.any(Number) as number,
      },
      {
        Name: 'Violence',
        ParentName: '',
        TaxonomyLevel: 1,
        Confidence: expect.any(Number) as number,
      },
    ]);
    expect(red.ModerationLabels![0]!.Confidence).toBeGreaterThan(97);

    const blue = await detect(BLUE);
    expect(blue.ModerationLabels).toEqual([
      {
        Name: 'Company Logo',
        ParentName: 'Brand',
        TaxonomyLevel: 2,
        Confidence: expect.any(Number) as number,
      },
      { Name: 'Brand', ParentName: '', TaxonomyLevel: 1, Confidence: expect.any(Number) as number },
    ]);
  });

  it('records the user label in the tracking record of an upload it judged', async () => {
    const key = 'content/images/logo.jpg';
    const put = await t.s3.send(
      new PutObjectCommand({ Bucket: 'uploads', Key: key, Body: await solid(BLUE, 'jpeg') }),
    );
    const reports = SqliteReportStore.open(reportsDatabasePath(t.dataDir));
    try {
      const record = await until(() => recordOfUpload(reports, 'uploads', key, put.ETag!));
      expect(record.decision).toBe('blocked');
      expect(record.labels).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Name: 'Company Logo', ParentName: 'Brand', TaxonomyLevel: 2 }),
          expect.objectContaining({ Name: 'Brand', ParentName: '', TaxonomyLevel: 1 }),
        ]),
      );
      expect(record.modelVersion).toMatch(/\+custom:widgets@[0-9a-f]{8}$/);
    } finally {
      await reports.close();
    }
  });
});
