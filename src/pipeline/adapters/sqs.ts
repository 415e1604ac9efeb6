import { GetQueueUrlCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ReviewQueue } from '../ports.js';
import type { ReviewMessage } from '../review-message.js';

/**
 * The review queue over the AWS SDK's SQS client: a Vigil queue or an SQS queue. The message
 * body is the `ReviewMessage` as JSON, with its decision also as the `decision` attribute.
 *
 * @example
 * const queue = new SqsReviewQueue(new SQSClient({}), 'moderation-review');
 * await queue.send(message);
 */
export class SqsReviewQueue implements ReviewQueue {
  private url: Promise<string> | undefined;

  /** @param queue a queue name (looked up once with GetQueueUrl) or a queue URL. */
  constructor(
    private readonly sqs: SQSClient,
    private readonly queue: string,
  ) {}

  async send(message: ReviewMessage): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: await this.queueUrl(),
        MessageBody: JSON.stringify(message),
        MessageAttributes: { decision: { DataType: 'String', StringValue: message.decision } },
      }),
    );
  }

  private queueUrl(): Promise<string> {
    if (/^https?:\/\//.test(this.queue)) return Promise.resolve(this.queue);
    if (this.url) return this.url;
    const lookup = this.sqs
      .send(new GetQueueUrlCommand({ QueueName: this.queue }))
      .then(({ QueueUrl }) => {
        if (!QueueUrl) throw new Error(`GetQueueUrl ${this.queue} returned no URL`);
        return QueueUrl;
      });
    this.url = lookup;
    // A failed look-up (the queue is not there yet) is tried again on the next send.
    lookup.catch(() => {
      if (this.url === lookup) this.url = undefined;
    });
    return lookup;
  }
}
