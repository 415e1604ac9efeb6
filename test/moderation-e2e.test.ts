/**
 * The seed scenario end to end, on the embedded defaults with the real local model: an image
 * uploaded under `content/images/*.jpg` in bucket `uploads` is judged by moderate-image,
 * tagged, sent to review and recorded, and the gate serves it or refuses it.
 */
import {
  CreateBucketCommand,
  GetObjectTaggingCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  type Tag,
} from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportsDatabasePath, SqliteReportStore } from '../src/reporting/index.js';
import { recordOfUpload } from './support/records.js';
import { startTestVigil, type TestVigil } from './support/vigil.js';
import { until } from './support/until.js';

const image = (name: string) => readFile(new URL(`./fixtures/images/${name}`, import.meta.url));

let t: TestVigil;
let sqs: SQSClient;

beforeAll(async () => {
  t = await startTestVigil({
    config: {
      moderation: { workers: 1 },
      gate: { buckets: { 'closed-uploads': { mode: 'closed', blockedStatus: 404 } } },
      functions: [
        {
          name: 'sdk-moderate',
          module: fileURLToPath(new URL('./fixtures/functions/sdk-moderate.mjs', import.meta.url)),
          timeoutSeconds: 30,
        },
      ],
    },
  });
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

async function tagsWhen(
  key: string,
  ready: (tags: Tag[]) => boolean,
  bucket = 'uploads',
): Promise<Tag[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { TagSet = [] } = await t.s3.send(
      new GetObjectTaggingCommand({ Bucket: bucket, Key: key }),
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
      const record = await recordOfUpload(reports, 'uploads', key, put.ETag!);
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
      const deadline = Date.now() + 60_000;
      let record = await recordOfUpload(reports, 'uploads', clean, cleanPut.ETag!);
      while (!record && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        record = await recordOfUpload(reports, 'uploads', clean, cleanPut.ETag!);
      }
      expect(record).toMatchObject({ decision: 'clean' });
      expect(await recordOfUpload(reports, 'uploads', png, pngPut.ETag!)).toBeUndefined();
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
    // An image that could not be judged is never served; nor is what moderation never saw.
    const failed = await fetch(`${t.url}/_vigil/public/uploads/${corrupt}`);
    expect(failed.status).toBe(451);
    expect((await failed.arrayBuffer()).byteLength).toBe(0);
    expect((await fetch(`${t.url}/_vigil/public/uploads/${png}`)).status).toBe(404);
  });

  it('blocks a photograph of a pistol as Violence › Weapons and serves a photograph of a cat', async () => {
    const photo = (name: string) => readFile(new URL(`./fixtures/photos/${name}`, import.meta.url));
    const gun = 'content/images/revolver.jpg';
    const cat = 'content/images/cat.jpg';
    const gunPut = await t.s3.send(
      new PutObjectCommand({
        Bucket: 'uploads',
        Key: gun,
        Body: await photo('pistol_beretta92_atf.jpg'),
      }),
    );
    const catPut = await t.s3.send(
      new PutObjectCommand({
        Bucket: 'uploads',
        Key: cat,
        Body: await photo('clean_cat_chelsea_skimage.jpg'),
      }),
    );
    await tagsWhen(gun, has('BlockedContent', 'true'));
    expect((await fetch(`${t.url}/_vigil/public/uploads/${gun}`)).status).toBe(451);

    const reports = SqliteReportStore.open(reportsDatabasePath(t.dataDir));
    try {
      const gunRecord = await until(() => recordOfUpload(reports, 'uploads', gun, gunPut.ETag!));
      expect(gunRecord.decision).toBe('blocked');
      expect(gunRecord.labels).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Name: 'Weapons', ParentName: 'Violence', TaxonomyLevel: 2 }),
          expect.objectContaining({ Name: 'Violence', ParentName: '', TaxonomyLevel: 1 }),
        ]),
      );
      expect(gunRecord.modelVersion).toMatch(/\+imagenet-mobilenetv2-12-int8$/);
      const catRecord = await until(() => recordOfUpload(reports, 'uploads', cat, catPut.ETag!));
      expect(catRecord).toMatchObject({ decision: 'clean', labels: [] });
    } finally {
      await reports.close();
    }
    const { TagSet = [] } = await t.s3.send(
      new GetObjectTaggingCommand({ Bucket: 'uploads', Key: cat }),
    );
    expect(TagSet).not.toEqual(expect.arrayContaining([{ Key: 'BlockedContent', Value: 'true' }]));
    expect((await fetch(`${t.url}/_vigil/public/uploads/${cat}`)).status).toBe(200);
  });

  it('blocks the same flagged bytes uploaded again to the same key: a new write, judged again', async () => {
    const key = 'content/images/r.jpg';
    const bytes = await image('flagged-porn.jpg');
    const upload = () =>
      t.s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: key, Body: bytes }));
    const gate = async () => (await fetch(`${t.url}/_vigil/public/uploads/${key}`)).status;
    const first = await upload();
    await tagsWhen(key, has('BlockedContent', 'true'));
    expect(await gate()).toBe(451);

    const second = await upload();
    expect(second.ETag).toBe(first.ETag);
    // S3 replaces the tags with the new write's (none): the gate must not serve it meanwhile.
    const seen = new Set<number>();
    const reports = SqliteReportStore.open(reportsDatabasePath(t.dataDir));
    try {
      await until(async () => {
        seen.add(await gate());
        const records = await reports.recordsFor('uploads', key);
        return records.length === 2 ? records : undefined;
      }, 60_000);
      const records = await reports.recordsFor('uploads', key);
      expect(records.map((r) => [r.decision, r.etag, r.attempt])).toEqual([
        ['blocked', first.ETag!.replaceAll('"', ''), 1],
        ['blocked', first.ETag!.replaceAll('"', ''), 1],
      ]);
      expect(records[0]!.writeId).not.toBe(records[1]!.writeId);
      const items = await Promise.all(records.map((r) => reports.findReviewItem(r)));
      expect(new Set(items.map((item) => item?.id)).size).toBe(2);
    } finally {
      await reports.close();
    }
    await tagsWhen(key, has('BlockedContent', 'true'));
    expect(await gate()).toBe(451);
    expect(seen.has(200)).toBe(false);
  });
});

/** Routes `bucket`'s `.jpg` uploads to a function, as the seed scenario does, through the SDK. */
async function notifyFunction(bucket: string, functionName: string): Promise<void> {
  await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await t.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            LambdaFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.jpg' }] } },
          },
        ],
      },
    }),
  );
}

describe('the gate in closed mode', () => {
  it('serves a version only once the pipeline judged it clean, whatever the uploader tagged', async () => {
    await notifyFunction('closed-uploads', 'moderate-image');
    // An uploader claiming its own upload is clean: withheld before and after the verdict.
    const spoofed = 'spoofed.jpg';
    await t.s3.send(
      new PutObjectCommand({
        Bucket: 'closed-uploads',
        Key: spoofed,
        Body: await image('flagged-porn.jpg'),
        Tagging: 'ScanStatus=clean',
      }),
    );
    const before = await fetch(`${t.url}/_vigil/public/closed-uploads/${spoofed}`);
    expect(before.status).toBe(404);
    await tagsWhen(spoofed, has('BlockedContent', 'true'), 'closed-uploads');
    const after = await fetch(`${t.url}/_vigil/public/closed-uploads/${spoofed}`);
    expect(after.status).toBe(404);
    expect((await after.arrayBuffer()).byteLength).toBe(0);

    const clean = 'clean.jpg';
    const cleanBytes = await image('clean-shapes.jpg');
    await t.s3.send(
      new PutObjectCommand({ Bucket: 'closed-uploads', Key: clean, Body: cleanBytes }),
    );
    const deadline = Date.now() + 60_000;
    let served = await fetch(`${t.url}/_vigil/public/closed-uploads/${clean}`);
    while (served.status !== 200 && Date.now() < deadline) {
      expect(served.status).toBe(404);
      await new Promise((r) => setTimeout(r, 50));
      served = await fetch(`${t.url}/_vigil/public/closed-uploads/${clean}`);
    }
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(cleanBytes)).toBe(true);
  });
});

describe('the classic recipe written for AWS', () => {
  it('runs unchanged on Vigil (client-s3 + client-rekognition) and tags exactly like moderate-image', async () => {
    await notifyFunction('handwritten', 'sdk-moderate');
    const flagged = await image('flagged-sexy.jpg');
    const upload = (Bucket: string, Key: string, Body: Buffer) =>
      t.s3.send(new PutObjectCommand({ Bucket, Key, Body, Tagging: 'owner=bob&album=2026' }));
    await upload('handwritten', 'in/flagged.jpg', flagged);
    await upload('uploads', 'content/images/compare.jpg', flagged);
    const handwritten = await tagsWhen(
      'in/flagged.jpg',
      has('BlockedContent', 'true'),
      'handwritten',
    );
    const builtIn = await tagsWhen('content/images/compare.jpg', has('BlockedContent', 'true'));
    expect(handwritten).toEqual(builtIn);
    expect(handwritten).toEqual([
      { Key: 'owner', Value: 'bob' },
      { Key: 'album', Value: '2026' },
      { Key: 'BlockedContent', Value: 'true' },
    ]);

    await upload('handwritten', 'in/clean.jpg', await image('clean-shapes.jpg'));
    const invocation = await until(() => {
      const done = t.vigil.runtime
        .recentInvocations('sdk-moderate', 50)
        .find((i) => i.state === 'succeeded' && i.payload.includes('in/clean.jpg'));
      return Promise.resolve(done);
    });
    expect(invocation.attemptLog[0]?.logs).toContain('"labels":[]');
    const { TagSet } = await t.s3.send(
      new GetObjectTaggingCommand({ Bucket: 'handwritten', Key: 'in/clean.jpg' }),
    );
    expect(TagSet).toEqual([
      { Key: 'owner', Value: 'bob' },
      { Key: 'album', Value: '2026' },
    ]);
  });
});

describe('redelivery through the function runtime', () => {
  it('judges an event delivered twice once: one record (attempt 2), one review message', async () => {
    // Inside the seed's filter (moderate-image's role covers only that): the upload's own
    // event is the first delivery, the same event invoked again the second.
    const key = 'content/images/twice delivered.jpg';
    const put = await t.s3.send(
      new PutObjectCommand({ Bucket: 'uploads', Key: key, Body: await image('flagged-porn.jpg') }),
    );
    const etag = put.ETag!.replaceAll('"', '');
    const runtime = t.vigil.runtime;
    const ours = () =>
      runtime
        .recentInvocations('moderate-image', 1000)
        .filter((i) => i.payload.includes('twice+delivered') && i.state === 'succeeded');
    await until(() => Promise.resolve(ours().length === 1 ? true : undefined));
    // The very event S3 sent, sent again: at-least-once delivery's duplicate.
    await runtime.invoke('moderate-image', JSON.parse(ours()[0]!.payload));
    await until(() => Promise.resolve(ours().length === 2 ? true : undefined));

    const reports = SqliteReportStore.open(reportsDatabasePath(t.dataDir));
    try {
      const record = await recordOfUpload(reports, 'uploads', key, etag);
      expect(record).toMatchObject({ decision: 'blocked', attempt: 2 });
    } finally {
      await reports.close();
    }
    const bodies: { key: string }[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: `${t.url}/000000000000/moderation-review`,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 60,
        }),
      );
      if (Messages.length === 0) break;
      bodies.push(...Messages.map((m) => JSON.parse(m.Body!) as { key: string }));
    }
    expect(bodies.filter((b) => b.key === key)).toHaveLength(1);
    expect(ours()[0]?.attemptLog[0]?.logs).toContain('"redelivered":true');
  });
});

describe("the disk's share of an image", () => {
  /** `vigil_wal_fsyncs_total` per database, as scraped. */
  async function walSyncs(): Promise<Record<string, number>> {
    const text = await (await fetch(`${t.url}/_vigil/metrics`)).text();
    const counts: Record<string, number> = {};
    for (const [, database, value] of text.matchAll(
      /^vigil_wal_fsyncs_total\{database="([^"]+)"\} (\d+)$/gm,
    ))
      counts[database!] = Number(value);
    return counts;
  }

  it("is one WAL fsync per flagged image beyond the upload's own, none of reports.db (ADR 19)", async () => {
    const bytes = await image('flagged-porn.jpg');
    const images = 5;
    const before = await walSyncs();
    expect(Object.keys(before).sort()).toEqual(['reports.db', 'vigil.db']);
    for (let i = 0; i < images; i++) {
      const key = `content/images/fsync-${i}.jpg`;
      await t.s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: key, Body: bytes }));
      await tagsWhen(key, has('BlockedContent', 'true'));
    }
    const after = await walSyncs();
    const vigil = after['vigil.db']! - before['vigil.db']!;
    // Each upload fsyncs once; each outcome (tags, record, review message) once more.
    expect(vigil).toBeGreaterThanOrEqual(images);
    expect(vigil).toBeLessThanOrEqual(2 * images);
    expect(after['reports.db']! - before['reports.db']!).toBe(0);
  });
});
