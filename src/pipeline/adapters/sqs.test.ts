import {
  CreateQueueCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestVigil, type TestVigil } from '../../../test/support/vigil.js';
import type { ReviewMessage } from '../review-message.js';
import { SqsReviewQueue } from './sqs.js';

let vigil: TestVigil;
let sqs: SQSClient;

const MESSAGE: ReviewMessage = {
  version: 1,
  reviewItemId: 7,
  bucket: 'uploads',
  key: 'content/images/a b+c.jpg',
  etag: '0cc175b9c0f1b6a831c399e269772661',
  size: 1234,
  contentType: 'image/jpeg',
  decision: 'blocked',
  reason: 'Explicit Nudity 97.5 ≥ 80: block (default)',
  labels: [{ Confidence: 97.5, Name: 'Explicit Nudity', ParentName: 'Explicit', TaxonomyLevel: 2 }],
  modelVersion: 'vigil-nsfwjs/MobileNetV2',
  eventTime: '2026-03-01T09:29:59.120Z',
};

beforeAll(async () => {
  vigil = await startTestVigil({
    fsync: false,
    config: { queues: [{ name: 'moderation-review' }] },
  });
  sqs = new SQSClient({
    endpoint: vigil.url,
    region: 'us-east-1',
    credentials: { accessKeyId: vigil.accessKeyId, secretAccessKey: vigil.secretAccessKey },
  });
});
afterAll(async () => {
  sqs.destroy();
  await vigil.stop();
});

async function receiveAll(queueUrl: string) {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      MessageAttributeNames: ['All'],
    }),
  );
  return Messages;
}

describe('SqsReviewQueue against Vigil', () => {
  it('sends the message as JSON to a queue named in config, with its decision attribute', async () => {
    await new SqsReviewQueue(sqs, 'moderation-review').send(MESSAGE);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'moderation-review' }));
    const [received, ...more] = await receiveAll(QueueUrl!);
    expect(more).toEqual([]);
    expect(JSON.parse(received!.Body!)).toEqual(MESSAGE);
    expect(received!.MessageAttributes).toEqual({
      decision: { DataType: 'String', StringValue: 'blocked' },
    });
  });

  it('sends to a queue URL as given', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'by-url' }));
    await new SqsReviewQueue(sqs, QueueUrl!).send({ ...MESSAGE, decision: 'failed' });
    const [received] = await receiveAll(QueueUrl!);
    expect(JSON.parse(received!.Body!)).toMatchObject({ decision: 'failed' });
  });

  it('fails while the queue is missing, and finds it once created', async () => {
    const queue = new SqsReviewQueue(sqs, 'created-later');
    await expect(queue.send(MESSAGE)).rejects.toMatchObject({
      name: expect.stringMatching(/QueueDoesNotExist/) as string,
    });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'created-later' }));
    await queue.send(MESSAGE);
    expect(await receiveAll(QueueUrl!)).toHaveLength(1);
  });
});
