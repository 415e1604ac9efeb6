/**
 * `vigil worker` with a second S3 implementation as the store: s3rver 3.7 (from npm), its S3
 * event records carried to the worker by NATS JetStream, state in PostgreSQL, the review
 * queue on a Vigil. What works — HeadObject, GetObject, Get/PutObjectTagging: every upload
 * judged once, weapons tagged `BlockedContent=true` on s3rver and in review — and, each
 * asserted as it is, where s3rver differs from S3 and what the worker then does
 * (docs/scale-out.md, "Other S3 stores: s3rver"). Needs NATS with JetStream and PostgreSQL
 * (running here and in CI; skipped elsewhere, saying so).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CopyObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReviewQueueResponse } from '../src/console/api-types.js';
import { PostgresReportStore } from '../src/reporting/postgres.js';
import { ConsoleClient } from './support/console.js';
import { probeNats } from './support/nats.js';
import { probePostgres, TestSchemas } from './support/postgres.js';
import { startS3rver, type TestS3rver } from './support/s3rver.js';
import { until } from './support/until.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';
import {
  expectEveryUploadJudgedOnce,
  startWorkerProcess,
  uploadPhotos,
  type Upload,
} from './support/workers.js';

const nats = await probeNats();
const postgres = await probePostgres();
const ready = nats.reachable && postgres.reachable;

const PHOTOS = new URL('./fixtures/photos/', import.meta.url);
const photo = (name: string) => readFile(new URL(name, PHOTOS));
const restore = (name: string, value: string | undefined) => {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
};
const byKey = (a: { key: string }, b: { key: string }) => a.key.localeCompare(b.key);

describe('vigil worker with s3rver as the store', () => {
  for (const probe of [nats, postgres])
    if (!probe.reachable && probe.required)
      it(`reaches ${probe === nats ? 'NATS JetStream' : 'PostgreSQL'}`, () => {
        throw new Error(probe.message);
      });
  if (!ready) {
    it.skip('needs NATS JetStream and PostgreSQL', () => {});
    return;
  }

  const run = randomBytes(4).toString('hex');
  const subject = `vigil-test-${run}.s3rver`;
  const stream = `VIGIL_TEST_${run}`;
  const durable = `s3rver-${run}`;
  const schemas = new TestSchemas();
  const schema = schemas.fresh();
  const Bucket = bucketName('s3rver');
  let store: TestS3rver;
  let queueHost: TestVigil;
  let nc: NatsConnection;
  let reports: PostgresReportStore;
  let work: string;
  let worker: ChildProcess | undefined;
  let workerLog = '';
  const bridged: Promise<void>[] = [];
  const bridgeFailures: unknown[] = [];
  let uploads: Upload[] = [];

  beforeAll(async () => {
    store = await startS3rver([Bucket]);
    // Only the review queue lives on this Vigil; the objects are on s3rver.
    // Its console shows what the worker recorded (the same PostgreSQL schema) and its review
    // decisions tag the objects on s3rver (console.objects: worker).
    queueHost = await startTestVigil({
      fsync: false,
      config: {
        seed: false,
        queues: [{ name: 's3rver-review' }],
        reporting: { url: postgres.url, schema },
        console: { objects: 'worker' },
        worker: { s3: { endpoint: store.url } },
      },
    });
    // The worker signs S3 and SQS requests with one key pair (AWS_ACCESS_KEY_ID…): Vigil's,
    // added to s3rver's account.
    store.allowKeyPair(queueHost);
    nc = await connect({ servers: nats.url });
    await (await nc.jetstreamManager()).streams.add({ name: stream, subjects: [`${subject}.>`] });
    // The stand-in for a store's own notification target, which s3rver lacks: every record
    // message s3rver emits is published, unchanged, to the stream — as MinIO's or Vigil's
    // JetStream target would publish theirs.
    const js = nc.jetstream();
    store.onEvent((event) => {
      bridged.push(
        js.publish(`${subject}.events`, JSON.stringify(event)).then(
          () => {},
          (error: unknown) => void bridgeFailures.push(error),
        ),
      );
    });
    reports = await PostgresReportStore.open(postgres.url, { schema });
    work = await mkdtemp(join(tmpdir(), 'vigil-s3rver-worker-'));
    const configFile = join(work, 'worker.json');
    await writeFile(
      configFile,
      JSON.stringify({
        logLevel: 'info',
        reporting: { url: postgres.url, schema },
        pipeline: { reviewQueue: `${queueHost.url}/000000000000/s3rver-review` },
        worker: {
          source: {
            type: 'jetstream',
            servers: [nats.url],
            stream,
            subjects: [`${subject}.>`],
            durable,
            ackWaitSeconds: 5,
            maxDeliver: 3,
            deadLetterSubject: `vigil-test-${run}.dead`,
          },
          s3: { endpoint: store.url },
          sqs: { endpoint: queueHost.url },
          concurrency: 2,
          healthPort: 0,
          retryBaseSeconds: 0.2,
          retryMaxSeconds: 1,
        },
      }),
    );
    worker = await startWorkerProcess(configFile, queueHost);
    worker.stdout?.on('data', (d: Buffer) => (workerLog += d.toString()));
  }, 120_000);

  afterAll(async () => {
    if (worker?.exitCode === null) worker.kill('SIGKILL');
    if (nc) {
      const jsm = await nc.jetstreamManager();
      for (const name of [stream, `${stream}_DLQ`])
        await jsm.streams.delete(name).catch(() => false);
      await nc.close();
    }
    await reports?.close();
    await queueHost?.stop();
    await store?.stop();
    await schemas.dropAll();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** Waits until the worker has settled every message published so far. */
  const settled = async () => {
    await Promise.all(bridged);
    const jsm = await nc.jetstreamManager();
    return until(async () => {
      const [info, consumer] = await Promise.all([
        jsm.streams.info(stream),
        jsm.consumers.info(stream, durable),
      ]);
      const done =
        consumer.num_pending === 0 &&
        consumer.num_ack_pending === 0 &&
        consumer.ack_floor.stream_seq === info.state.last_seq;
      return done ? { info, consumer } : undefined;
    }, 30_000);
  };
  /** The outcomes the worker logged (one JSON line each, in the log line's `msg`). */
  const loggedOutcomes = () =>
    workerLog
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => (JSON.parse(line) as { msg: string }).msg)
      .filter((msg) => msg.startsWith('{'))
      .map((msg) => JSON.parse(msg) as unknown);
  const tagsOf = async (Key: string) =>
    (await store.s3.send(new GetObjectTaggingCommand({ Bucket, Key }))).TagSet ?? [];

  it('judges every upload once: weapons tagged BlockedContent=true on s3rver and in review', async () => {
    uploads = await uploadPhotos(store.s3, Bucket, 1);
    await expectEveryUploadJudgedOnce(store.s3, Bucket, uploads, { url: postgres.url, schema });
    // Each weapon's review message is on the queue on Vigil, and nothing else.
    const sqs = new SQSClient({
      endpoint: queueHost.url,
      region: 'us-east-1',
      credentials: queueHost,
    });
    const messages: { key: string; etag: string; decision: string }[] = [];
    await until(async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: `${queueHost.url}/000000000000/s3rver-review`,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
        }),
      );
      messages.push(...Messages.map((m) => JSON.parse(m.Body!) as (typeof messages)[number]));
      return messages.length >= 2 ? true : undefined;
    }, 10_000);
    sqs.destroy();
    const flagged = uploads.filter((u) => u.flagged);
    expect(
      messages.map(({ key, etag, decision }) => ({ key, etag, decision })).sort(byKey),
    ).toEqual(flagged.map(({ key, etag }) => ({ key, etag, decision: 'blocked' })).sort(byKey));
  });

  it("the console's review decisions tag the objects on s3rver, and its thumbnails come from there", async () => {
    const rifle = uploads.filter((u) => u.flagged)[1]!;
    const console = new ConsoleClient(queueHost.url);
    expect((await console.login(queueHost.accessKeyId, queueHost.secretAccessKey)).status).toBe(
      200,
    );
    const queue = await console.json<ReviewQueueResponse>('review');
    const item = queue.items.find((i) => i.key === rifle.key)!;
    expect(item).toMatchObject({ bucket: Bucket, etag: rifle.etag, decision: 'blocked' });
    // The console reaches s3rver as workers do: with the credentials of its environment.
    const saved = {
      id: process.env['AWS_ACCESS_KEY_ID'],
      secret: process.env['AWS_SECRET_ACCESS_KEY'],
    };
    process.env['AWS_ACCESS_KEY_ID'] = store.credentials.accessKeyId;
    process.env['AWS_SECRET_ACCESS_KEY'] = store.credentials.secretAccessKey;
    try {
      const thumbnail = await console.get(`review/${item.id}/thumbnail`);
      expect(thumbnail.status).toBe(200);
      expect(thumbnail.headers.get('content-type')).toBe('image/jpeg');
      expect((await console.post(`review/${item.id}/claim`)).status).toBe(200);
      const decided = await console.post(`review/${item.id}/decision`, { action: 'approve' });
      expect(decided.status).toBe(200);
      expect(await decided.json()).toMatchObject({
        status: 'approved',
        tagsBefore: [{ Key: 'BlockedContent', Value: 'true' }],
        tagsAfter: [{ Key: 'ModerationReview', Value: 'approved' }],
      });
    } finally {
      restore('AWS_ACCESS_KEY_ID', saved.id);
      restore('AWS_SECRET_ACCESS_KEY', saved.secret);
    }
    expect(await tagsOf(rifle.key)).toEqual([{ Key: 'ModerationReview', Value: 'approved' }]);
    const [record] = await reports.recordsFor(Bucket, rifle.key);
    expect(
      await reports.findReviewItem({ bucket: Bucket, key: rifle.key, writeId: record!.writeId }),
    ).toMatchObject({ status: 'approved', decidedBy: 'root' });
  });

  it('keeps the blocked tag on a clean photo written over a weapon: s3rver keeps tags across writes, S3 does not', async () => {
    const { key } = uploads.find((u) => u.flagged)!;
    const put = await store.s3.send(
      new PutObjectCommand({
        Bucket,
        Key: key,
        Body: await photo('clean_cat_chelsea_skimage.jpg'),
        ContentType: 'image/jpeg',
      }),
    );
    const etag = put.ETag!.replaceAll('"', '');
    const records = await until(async () => {
      const all = await reports.recordsFor(Bucket, key);
      return all.length === 2 ? all : undefined;
    }, 30_000);
    const rewrite = records.find((r) => r.etag === etag)!;
    expect(rewrite.decision).toBe('clean');
    expect(
      await reports.findReviewItem({ bucket: Bucket, key, writeId: rewrite.writeId }),
    ).toBeUndefined();
    // Judged clean, yet still blocked: the worker adds tags and never removes one.
    expect(await tagsOf(key)).toEqual([{ Key: 'BlockedContent', Value: 'true' }]);
  });

  it('misreads a key with "+": s3rver does not URL-encode keys in its records', async () => {
    const key = 'plus/red+pistol.jpg';
    await store.s3.send(
      new PutObjectCommand({
        Bucket,
        Key: key,
        Body: await photo('pistol_beretta92_atf.jpg'),
        ContentType: 'image/jpeg',
      }),
    );
    // The worker reads "+" as a space (S3's form-URL-encoding), finds no such object and
    // records the write as skipped: the weapon stays untagged and out of review.
    const [misread] = await until(async () => {
      const all = await reports.recordsFor(Bucket, 'plus/red pistol.jpg');
      return all.length > 0 ? all : undefined;
    }, 30_000);
    expect(misread).toMatchObject({
      decision: 'skipped',
      reason: 'deleted: the object no longer exists',
    });
    expect(await reports.recordsFor(Bucket, key)).toEqual([]);
    expect(await tagsOf(key)).toEqual([]);
  });

  it('does not moderate a copy: s3rver’s ObjectCreated:Copy records carry no eTag', async () => {
    // The second weapon: the first was written over above.
    const rifle = uploads.filter((u) => u.flagged)[1]!.key;
    const copy = 'copies/weapon.jpg';
    await store.s3.send(
      new CopyObjectCommand({ Bucket, Key: copy, CopySource: `${Bucket}/${rifle}` }),
    );
    await settled();
    expect(loggedOutcomes()).toContainEqual({
      decision: 'ignored',
      reason: 'ObjectCreated:Copy record has no eTag',
    });
    expect(await reports.recordsFor(Bucket, copy)).toEqual([]);
    expect(await tagsOf(copy)).toEqual([]);
  });

  it('ignores If-Match on GetObject and has no bucket notification configuration', async () => {
    const { key } = uploads.find((u) => !u.flagged)!;
    // S3 answers 412 PreconditionFailed; s3rver serves the object.
    const stale = await store.s3.send(
      new GetObjectCommand({ Bucket, Key: key, IfMatch: `"${'0'.repeat(32)}"` }),
    );
    expect((await stale.Body!.transformToByteArray()).length).toBeGreaterThan(0);
    await expect(
      store.s3.send(
        new PutBucketNotificationConfigurationCommand({ Bucket, NotificationConfiguration: {} }),
      ),
    ).rejects.toMatchObject({ name: 'NotImplemented', $metadata: { httpStatusCode: 501 } });
  });

  it('acknowledged every message on its first delivery: nothing retried, dead-lettered or lost', async () => {
    const { info, consumer } = await settled();
    expect(bridgeFailures).toEqual([]);
    // 4 uploads, the overwrite, the "+" key and the copy: one record message each.
    expect(info.state.messages).toBe(bridged.length);
    expect(bridged.length).toBe(uploads.length + 3);
    expect(consumer.num_redelivered).toBe(0);
    const jsm = await nc.jetstreamManager();
    expect((await jsm.streams.info(`${stream}_DLQ`)).state.messages).toBe(0);
  });
});
