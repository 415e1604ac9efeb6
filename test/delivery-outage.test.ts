/**
 * A destination that is down, failing, or refusing: nothing is lost. Events wait in the
 * outbox through refused connections and 500s and all arrive once the receiver recovers; a
 * 400 dead-letters the event, which the CLI lists and redrives once the receiver is fixed.
 */
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCall } from './support/admin.js';
import { VIGIL_BIN } from './support/child.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

const run = promisify(execFile);
const webhookArn = (name: string) => `arn:vigil:webhook:us-east-1:000000000000:${name}`;

let t: TestVigil;
let flaky: WebhookReceiver;
let strict: WebhookReceiver;

beforeAll(async () => {
  flaky = await WebhookReceiver.start();
  strict = await WebhookReceiver.start();
  t = await startTestVigil({
    config: {
      webhooks: [
        { name: 'flaky', url: flaky.url, secret: 'flaky-secret-0123456789', timeoutMs: 1000 },
        { name: 'strict', url: strict.url, secret: 'strict-secret-0123456789' },
      ],
      delivery: { backoffBaseMs: 20, backoffMaxMs: 150, pollIntervalMs: 50 },
    },
  });
});

afterAll(async () => {
  await t?.stop();
  await flaky?.stop();
  await strict?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const credentials = () => ({ accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey });

async function notify(bucket: string, webhook: string): Promise<void> {
  await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await t.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: [{ QueueArn: webhookArn(webhook), Events: ['s3:ObjectCreated:*'] }],
      },
    }),
  );
}

function keysOf(bodies: string[]): string[] {
  return bodies.flatMap(
    (b) =>
      (JSON.parse(b) as { Records?: { s3: { object: { key: string } } }[] }).Records?.map(
        (r) => r.s3.object.key,
      ) ?? [],
  );
}

describe('delivery through an outage', () => {
  it('keeps events through refused connections and 500s, and delivers them all, in order, after recovery', async () => {
    const bucket = bucketName('outage');
    await notify(bucket, 'flaky');
    await flaky.waitFor(1); // the TestEvent
    await flaky.down();

    for (let i = 0; i < 10; i++)
      await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `k${i % 3}`, Body: `v${i}` }));
    await sleep(500);
    const backlog = await adminCall(t.url, credentials(), 'GET', '/_vigil/admin/outbox');
    expect(backlog.status).toBe(200);
    expect(backlog.json['destinations']).toEqual([
      expect.objectContaining({ destination: webhookArn('flaky'), pending: 10, dead: 0 }),
    ]);

    flaky.status = 500;
    await flaky.up();
    await sleep(500);
    expect(flaky.received).toHaveLength(1); // 500s deliver nothing
    const metrics = await (await fetch(`${t.url}/_vigil/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(
        `vigil_event_deliveries_total\\{destination="${webhookArn('flaky')}",outcome="retried"\\} [1-9]`,
      ),
    );

    flaky.status = 200;
    const received = await flaky.waitFor(11, 10_000);
    const keys = keysOf(received.slice(1).map((r) => r.body));
    expect(keys.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `k${i % 3}`).sort());
    // Per key, the bodies arrive in the order they were written (sizes are equal, so check
    // the sequencers).
    for (const key of ['k0', 'k1', 'k2']) {
      const sequencers = received
        .slice(1)
        .flatMap(
          (r) =>
            (
              JSON.parse(r.body) as {
                Records: { s3: { object: { key: string; sequencer: string } } }[];
              }
            ).Records,
        )
        .filter((r) => r.s3.object.key === key)
        .map((r) => r.s3.object.sequencer);
      expect(sequencers).toEqual([...sequencers].sort());
    }
    await sleep(200);
    expect(flaky.received).toHaveLength(11); // each event exactly once here: no spurious repeats
  });

  it('dead-letters an event the receiver rejects with 400, lists it, and redrives it from the CLI', async () => {
    const bucket = bucketName('reject');
    await notify(bucket, 'strict');
    await strict.waitFor(1);
    strict.status = 400;
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'rejected.jpg', Body: 'x' }));

    let letters: Record<string, unknown>[] = [];
    for (let i = 0; i < 100 && letters.length === 0; i++) {
      await sleep(50);
      const dlq = await adminCall(t.url, credentials(), 'GET', '/_vigil/admin/dlq');
      letters = dlq.json['deadLetters'] as Record<string, unknown>[];
    }
    expect(letters).toEqual([
      expect.objectContaining({
        destination: webhookArn('strict'),
        bucket,
        key: 'rejected.jpg',
        eventName: 'ObjectCreated:Put',
        attempts: 1,
        lastError: expect.stringContaining('answered 400') as unknown,
      }),
    ]);

    const list = await run(process.execPath, [VIGIL_BIN, 'dlq', 'list', '--data-dir', t.dataDir]);
    expect(list.stdout).toContain(`ObjectCreated:Put  s3://${bucket}/rejected.jpg`);
    expect(list.stdout).toContain('answered 400');
    expect(list.stdout).toContain('1 dead letter(s)');
    expect(list.stdout).toContain(
      `Redrive with: npx vigil dlq redrive --all --data-dir ${t.dataDir}`,
    );

    strict.status = 200;
    const redrive = await run(process.execPath, [
      VIGIL_BIN,
      'dlq',
      'redrive',
      '--all',
      '--data-dir',
      t.dataDir,
    ]);
    expect(redrive.stdout).toContain('Redrove 1 dead letter(s).');
    const received = await strict.waitFor(2, 10_000);
    expect(keysOf([received[1]!.body])).toEqual(['rejected.jpg']);
    const after = await adminCall(t.url, credentials(), 'GET', '/_vigil/admin/dlq');
    expect(after.json['deadLetters']).toEqual([]);
  });

  it('refuses unsigned admin requests and redrives through the admin API', async () => {
    const anonymous = await fetch(`${t.url}/_vigil/admin/dlq`);
    expect(anonymous.status).toBe(403);
    const bucket = bucketName('api-redrive');
    const before = strict.received.length;
    await notify(bucket, 'strict');
    await strict.waitFor(before + 1); // the TestEvent
    strict.status = 404;
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a', Body: 'x' }));
    let id: number | undefined;
    for (let i = 0; i < 100 && id === undefined; i++) {
      await sleep(50);
      const path = `/_vigil/admin/dlq?destination=${encodeURIComponent(webhookArn('strict'))}`;
      const dlq = await adminCall(t.url, credentials(), 'GET', path);
      id = (dlq.json['deadLetters'] as { id: number; bucket: string }[]).find(
        (l) => l.bucket === bucket,
      )?.id;
    }
    expect(id).toBeDefined();
    strict.status = 200;
    const redriven = await adminCall(t.url, credentials(), 'POST', '/_vigil/admin/dlq/redrive', {
      ids: [id],
    });
    expect(redriven.json).toEqual({ redriven: 1 });
    const received = await strict.waitFor(before + 2);
    expect(keysOf([received.at(-1)!.body])).toEqual(['a']);
  });
});
