import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCall } from './support/admin.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

let t: TestVigil;
let hook: WebhookReceiver;

beforeAll(async () => {
  hook = await WebhookReceiver.start();
  t = await startTestVigil();
});

afterAll(async () => {
  await t?.stop();
  await hook?.stop();
});

const admin = (method: string, path: string, body?: unknown) =>
  adminCall(
    t.url,
    { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey },
    method,
    path,
    body,
  );

describe('admin API', () => {
  it('creates a webhook with a generated secret shown once, which then receives events', async () => {
    const created = await admin('PUT', '/_vigil/admin/webhooks/made-at-runtime', { url: hook.url });
    expect(created.status).toBe(200);
    const secret = created.json['secret'] as string;
    expect(secret.length).toBeGreaterThanOrEqual(24);
    expect(created.json['arn']).toBe('arn:vigil:webhook:us-east-1:000000000000:made-at-runtime');

    const listed = await admin('GET', '/_vigil/admin/webhooks');
    expect(listed.json['webhooks']).toEqual([
      { name: 'made-at-runtime', arn: created.json['arn'], url: hook.url, timeoutMs: 5000 },
    ]);
    expect(JSON.stringify(listed.json)).not.toContain(secret);

    const bucket = bucketName('admin');
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await t.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          QueueConfigurations: [
            { QueueArn: created.json['arn'] as string, Events: ['s3:ObjectCreated:*'] },
          ],
        },
      }),
    );
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x' }));
    const [, event] = await hook.waitFor(2);
    expect(event!.headers['x-vigil-signature']).toBe(
      `sha256=${createHmac('sha256', secret).update(event!.body).digest('hex')}`,
    );

    expect((await admin('DELETE', '/_vigil/admin/webhooks/made-at-runtime')).status).toBe(200);
    expect((await admin('DELETE', '/_vigil/admin/webhooks/made-at-runtime')).status).toBe(404);
  });

  it('manages topics and queues, and validates input', async () => {
    const queue = await admin('PUT', '/_vigil/admin/queues/admin-q', {
      visibilityTimeoutSeconds: 45,
    });
    expect(queue.json).toEqual({
      name: 'admin-q',
      arn: 'arn:aws:sqs:us-east-1:000000000000:admin-q',
    });
    const queues = await admin('GET', '/_vigil/admin/queues');
    expect(queues.json['queues']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'admin-q',
          attributes: expect.objectContaining({ VisibilityTimeout: '45' }) as unknown,
        }),
      ]),
    );
    const topic = await admin('PUT', '/_vigil/admin/topics/admin-t', {
      subscriptions: [{ endpoint: 'arn:aws:sqs:us-east-1:000000000000:admin-q' }],
    });
    expect(topic.json).toMatchObject({ arn: 'arn:aws:sns:us-east-1:000000000000:admin-t' });
    expect((await admin('GET', '/_vigil/admin/topics')).json['topics']).toEqual([
      {
        name: 'admin-t',
        arn: 'arn:aws:sns:us-east-1:000000000000:admin-t',
        subscriptions: [{ endpoint: 'arn:aws:sqs:us-east-1:000000000000:admin-q', raw: false }],
      },
    ]);

    const badUrl = await admin('PUT', '/_vigil/admin/webhooks/x', { url: 'ftp://example' });
    expect(badUrl.status).toBe(400);
    expect(badUrl.json['error']).toMatchObject({ code: 'InvalidInput' });
    const badName = await admin('PUT', '/_vigil/admin/queues/bad.name', {});
    expect(badName.json['error']).toMatchObject({ code: 'InvalidName' });
    const tooShort = await admin('PUT', '/_vigil/admin/queues/q', { messageRetentionSeconds: 59 });
    expect(tooShort.status).toBe(400);
    const unknown = await admin('GET', '/_vigil/admin/nothing-here');
    expect(unknown.status).toBe(404);
    expect((await admin('DELETE', '/_vigil/admin/topics/admin-t')).status).toBe(200);
    expect((await admin('DELETE', '/_vigil/admin/queues/admin-q')).status).toBe(200);
  });

  it('refuses requests signed for another service or with a wrong secret', async () => {
    const wrong = await adminCall(
      t.url,
      { accessKeyId: t.accessKeyId, secretAccessKey: 'not-the-secret-at-all' },
      'GET',
      '/_vigil/admin/outbox',
    );
    expect(wrong.status).toBe(403);
    expect(wrong.json['error']).toMatchObject({ code: 'SignatureDoesNotMatch' });
  });
});
