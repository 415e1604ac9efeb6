/**
 * The seed scenario end to end, on the embedded defaults with the real local model: an image
 * uploaded under `content/images/*.jpg` in bucket `uploads` is judged by moderate-image,
 * tagged, sent to review and recorded, and the gate serves it or refuses it.
 */
import { GetObjectTaggingCommand, PutObjectCommand, type Tag } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportsDatabasePath, SqliteReportStore } from '../src/reporting/index.js';
import { startTestVigil, type TestVigil } from './support/vigil.js';

const image = (name: string) => readFile(new URL(`./fixtures/images/${name}`, import.meta.url));

let t: TestVigil;
let sqs: SQSClient;

beforeAll(async () => {
  t = await startTestVigil({ config: { moderation: { workers: 1 } } });
  sqs = new SQSClient({
    endpoint: t.url,
    region: 'us-east-1',
    credentials: { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey },
  });
});

afterAll(async () => {
  sqs?.destroy();
  await t?.stop();
});

async function tagsWhen(key: string, ready: (tags: Tag[]) => boolean): Promise<Tag[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { TagSet = [] } = await t.s3.send(
      new GetObjectTaggingCommand({ Bucket: 'uploads', Key: key }),
    );
    if (ready(TagSet)) return TagSet;
    if (Date.now() > deadline)
      throw new Error(`tags of ${key} never became ready: ${JSON.stringify(TagSet)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const has = (name: string, value: string) => (tags: Tag[]) =>
  tags.some((tag) => tag.Key === name && tag.Value === value);

describe('the seed scenario', () => {
  it('blocks a flagged upload, keeps its tags, sends it to review and records it; the gate refuses it', async () => {
    const key = 'content/images/flagged.jpg';
    const put = await t.s3.send(
      new PutObjectCommand({
        Bucket: 'uploads',
        Key: key,
        Body: await image('flagged-porn.jpg'),
        ContentType: 'image/jpeg',
        Tagging: 'owner=alice',
      }),
    );
    const tags = await tagsWhen(key, has('BlockedContent', 'true'));
    expect(tags).toEqual(expect.arrayContaining([{ Key: 'owner', Value: 'alice' }]));

    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: `${t.url}/000000000000/moderation-review`,
        WaitTimeSeconds: 5,
        MaxNumberOfMessages: 10,
      }),
    );
    expect(Messages.map((m) => JSON.parse(m.Body!) as Record<string, unknown>)).toEqual(
      expect.arrayContaining([expect.objectContaining({ key })]),
    );

    const reports = SqliteReportStore.open(reportsDatabasePath(t.dataDir));
    try {
      const record = await reports.findRecord({
        bucket: 'uploads',
        key,
        etag: put.ETag!.replaceAll('"', ''),
      });
      expect(record).toMatchObject({ decision: 'blocked' });
    } finally {
      await reports.close();
    }

    const gate = await fetch(`${t.url}/_vigil/public/uploads/${key}`);
    expect(gate.status).toBe(451);
    expect((await gate.arrayBuffer()).byteLength).toBe(0);
  });

  it('records a clean upload, which the gate serves; fails a corrupt one closed; ignores a .png', async () => {
    const clean = 'content/images/clean.jpg';
    const cleanBytes = await image('clean-shapes.jpg');
    const cleanPut = await t.s3.send(
      new PutObjectCommand({ Bucket: 'uploads', Key: clean, Body: cleanBytes }),
    );
    const png = 'content/images/ignored.png';
    const pngPut = await t.s3.send(
      new PutObjectCommand({ Bucket: 'uploads', Key: png, Body: await image('clean-cartoon.png') }),
    );
    const corrupt = 'content/images/corrupt.jpg';
    await t.s3.send(
      new PutObjectCommand({ Bucket: 'uploads', Key: corrupt, Body: await image('corrupt.jpg') }),
    );
    const failedTags = await tagsWhen(corrupt, has('ScanStatus', 'failed'));
    expect(failedTags).not.toEqual(
      expect.arrayContaining([{ Key: 'BlockedContent', Value: 'true' }]),
    );

    const reports = SqliteReportStore.open(reportsDatabasePath(t.dataDir));
    try {
      const etag = (e: string | undefined) => e!.replaceAll('"', '');
      const deadline = Date.now() + 60_000;
      let record = await reports.findRecord({
        bucket: 'uploads',
        key: clean,
        etag: etag(cleanPut.ETag),
      });
      while (!record && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        record = await reports.findRecord({
          bucket: 'uploads',
          key: clean,
          etag: etag(cleanPut.ETag),
        });
      }
      expect(record).toMatchObject({ decision: 'clean' });
      expect(
        await reports.findRecord({ bucket: 'uploads', key: png, etag: etag(pngPut.ETag) }),
      ).toBeUndefined();
    } finally {
      await reports.close();
    }
    const { TagSet = [] } = await t.s3.send(
      new GetObjectTaggingCommand({ Bucket: 'uploads', Key: clean }),
    );
    expect(TagSet).not.toEqual(expect.arrayContaining([{ Key: 'BlockedContent', Value: 'true' }]));
    const served = await fetch(`${t.url}/_vigil/public/uploads/${clean}`);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(cleanBytes)).toBe(true);
  });
});
