/**
 * Event messages from an SQS queue (Amazon SQS, or Vigil's own queues): long polling;
 * a message received stays invisible to other workers for `visibilitySeconds`, extended while
 * an image is judged; done is DeleteMessage; a failure makes it visible again after the
 * back-off (ChangeMessageVisibility); dead letters are sent to `deadLetterQueueUrl` (with the
 * reason as a message attribute) and deleted from the source. A queue's own redrive policy,
 * when it has one, still catches messages whose worker died every time.
 *
 * Facts (Amazon SQS API reference: ReceiveMessage `WaitTimeSeconds` ≤ 20,
 * `MaxNumberOfMessages` ≤ 10, the `ApproximateReceiveCount` system attribute;
 * ChangeMessageVisibility 0–43,200 s; DeleteMessage by receipt handle).
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Delivery, EventSource } from './types.js';

export interface SqsSourceOptions {
  queueUrl: string;
  /** How long a received message stays with this worker without an extension (s). */
  visibilitySeconds: number;
  /** Receives of one message before it is dead-lettered. */
  maxReceives: number;
  deadLetterQueueUrl: string;
}

export class SqsSource implements EventSource {
  readonly name: string;
  readonly maxAttempts: number;
  readonly leaseMs: number;

  constructor(
    private readonly sqs: SQSClient,
    private readonly options: SqsSourceOptions,
  ) {
    this.name = `sqs:${options.queueUrl}`;
    this.maxAttempts = options.maxReceives;
    this.leaseMs = options.visibilitySeconds * 1000;
  }

  async receive(max: number, waitMs: number, signal: AbortSignal): Promise<Delivery[]> {
    if (signal.aborted) return [];
    const { Messages = [] } = await this.sqs
      .send(
        new ReceiveMessageCommand({
          QueueUrl: this.options.queueUrl,
          MaxNumberOfMessages: Math.min(10, max),
          WaitTimeSeconds: Math.min(20, Math.floor(waitMs / 1000)),
          VisibilityTimeout: this.options.visibilitySeconds,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
        { abortSignal: signal },
      )
      .catch((error: unknown) => {
        if (signal.aborted) return { Messages: [] };
        throw error;
      });
    return Messages.map((message) => this.delivery(message));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private delivery(message: {
    MessageId?: string;
    Body?: string;
    ReceiptHandle?: string;
    Attributes?: Partial<Record<string, string>>;
  }): Delivery {
    const { sqs, options } = this;
    const QueueUrl = options.queueUrl;
    const ReceiptHandle = message.ReceiptHandle!;
    const visibility = (seconds: number) =>
      sqs
        .send(
          new ChangeMessageVisibilityCommand({
            QueueUrl,
            ReceiptHandle,
            VisibilityTimeout: Math.min(43_200, Math.max(0, Math.round(seconds))),
          }),
        )
        .then(() => undefined);
    return {
      id: message.MessageId ?? '(no id)',
      body: new TextEncoder().encode(message.Body ?? ''),
      attempt: Number(message.Attributes?.['ApproximateReceiveCount'] ?? '1'),
      ack: () =>
        sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle })).then(() => undefined),
      retry: (delayMs) => visibility(delayMs / 1000),
      deadLetter: async (reason) => {
        // Sent (and acknowledged) before the original is deleted: a crash between the two
        // leaves a second copy, never none.
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: options.deadLetterQueueUrl,
            MessageBody: message.Body ?? '',
            MessageAttributes: {
              VigilDeadLetterReason: { DataType: 'String', StringValue: reason.slice(0, 1000) },
              VigilSourceQueue: { DataType: 'String', StringValue: QueueUrl },
              VigilAttempts: {
                DataType: 'Number',
                StringValue: message.Attributes?.['ApproximateReceiveCount'] ?? '1',
              },
            },
          }),
        );
        await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle }));
      },
      extend: () => visibility(options.visibilitySeconds),
    };
  }
}
