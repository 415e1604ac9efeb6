/**
 * `@aws-sdk/client-rekognition` pointed at Vigil works unchanged: DetectModerationLabels with
 * image bytes or an S3Object from Vigil's own store, answered by the local model.
 */
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DetectModerationLabelsCommand,
  InvalidS3ObjectException,
  RekognitionClient,
} from '@aws-sdk/client-rekognition';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

let t: TestVigil;
let rekognition: RekognitionClient;

beforeAll(async () => {
  t = await startTestVigil({ config: { moderation: { workers: 1 }, seed: false } });
  rekognition = new RekognitionClient({
    endpoint: t.url,
    region: 'us-east-1',
    credentials: { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey },
  });
});

afterAll(async () => {
  rekognition?.destroy();
  await t?.stop();
});

describe('DetectModerationLabels through the AWS SDK', () => {
  it('labels image bytes and an S3 object, with the whole ancestor chain', async () => {
    const bytes = await readFile(new URL('./fixtures/images/flagged-porn.jpg', import.meta.url));
    const fromBytes = await rekognition.send(
      new DetectModerationLabelsCommand({ Image: { Bytes: bytes }, MinConfidence: 80 }),
    );
    expect(fromBytes.ModerationModelVersion).toMatch(/^vigil-/);
    const names = (fromBytes.ModerationLabels ?? []).map((l) => l.Name);
    expect(names).toContain('Explicit');
    for (const label of fromBytes.ModerationLabels ?? []) {
      expect(label.Confidence).toBeGreaterThanOrEqual(80);
      if (label.ParentName) expect(names).toContain(label.ParentName);
    }

    const bucket = bucketName('rek');
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'x.jpg', Body: bytes }));
    const fromS3 = await rekognition.send(
      new DetectModerationLabelsCommand({
        Image: { S3Object: { Bucket: bucket, Name: 'x.jpg' } },
        MinConfidence: 80,
      }),
    );
    expect(fromS3.ModerationLabels).toEqual(fromBytes.ModerationLabels);

    await expect(
      rekognition.send(
        new DetectModerationLabelsCommand({
          Image: { S3Object: { Bucket: bucket, Name: 'missing.jpg' } },
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidS3ObjectException);
  });

  it('labels a photograph of a pistol Violence › Weapons, naming both models', async () => {
    const bytes = await readFile(
      new URL('./fixtures/photos/pistol_walther_pdp.jpg', import.meta.url),
    );
    const { ModerationLabels = [], ModerationModelVersion } = await rekognition.send(
      new DetectModerationLabelsCommand({ Image: { Bytes: bytes }, MinConfidence: 80 }),
    );
    expect(ModerationModelVersion).toMatch(
      /^vigil-nsfwjs-mobilenetv2-[\d.]+\+imagenet-mobilenetv2-12-int8$/,
    );
    expect(
      ModerationLabels.map(({ Name, ParentName, TaxonomyLevel }) => ({
        Name,
        ParentName,
        TaxonomyLevel,
      })),
    ).toEqual([
      { Name: 'Weapons', ParentName: 'Violence', TaxonomyLevel: 2 },
      { Name: 'Violence', ParentName: '', TaxonomyLevel: 1 },
    ]);
  });
});
