import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { TestVigil } from './vigil.js';

/** An S3 event record as a queue receives it (the fields tests look at, and the rest). */
export interface EventRecord {
  eventName: string;
  s3: { object: Record<string, unknown> & { key: string } };
  [field: string]: unknown;
}

/**
 * Receives (and deletes) `count` S3 event records from a Vigil queue, skipping the
 * `s3:TestEvent` a configuration sends; fewer if 20 s pass first.
 */
export async function receiveRecords(
  vigil: TestVigil,
  queue: string,
  count: number,
): Promise<EventRecord[]> {
  const sqs = new SQSClient({
    endpoint: vigil.url,
    region: 'us-east-1',
    credentials: { accessKeyId: vigil.accessKeyId, secretAccessKey: vigil.secretAccessKey },
  });
  const QueueUrl = `${vigil.url}/000000000000/${queue}`;
  const records: EventRecord[] = [];
  try {
    const deadline = Date.now() + 20_000;
    while (records.length < count && Date.now() < deadline) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const m of Messages) {
        records.push(...((JSON.parse(m.Body!) as { Records?: EventRecord[] }).Records ?? []));
        await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
      }
    }
  } finally {
    sqs.destroy();
  }
  return records;
}
