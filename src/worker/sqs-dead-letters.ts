/**
 * The dead letters of an SQS source: the queue `deadLetterQueueUrl`, each message the body a
 * worker gave up on with the reason, its source queue and its receives as message attributes
 * (see sqs-source.ts). Redriving sends a dead letter back to its source queue, then deletes it.
 *
 * SQS has no way to read a queue without receiving: listing receives the messages with a
 * short visibility timeout and makes them visible again at once (as the AWS console's "poll
 * for messages" does), so a listing taken while another one runs may miss messages.
 *
 * Facts (Amazon SQS API reference: ReceiveMessage `MaxNumberOfMessages` ≤ 10, the
 * `SentTimestamp` system attribute, ChangeMessageVisibility 0 makes a message visible again).
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeadLetterStore, WorkerDeadLetter } from './types.js';

export interface SqsDeadLettersOptions {
  /** The queue dead letters are in. */
  deadLetterQueueUrl: string;
  /** Where a dead letter that does not name its source queue goes back to. */
  queueUrl: string;
}

/** Seconds a listed or redriven message is hidden from other readers while this one works. */
const HOLD_SECONDS = 30;

export class SqsDeadLetters implements DeadLetterStore {
  readonly name: string;

  constructor(
    private readonly sqs: SQSClient,
    private readonly options: SqsDeadLettersOptions,
  ) {
    this.name = `sqs:${options.deadLetterQueueUrl}`;
  }

  async list(limit: number): Promise<WorkerDeadLetter[]> {
    const held = await this.receiveAll(limit);
    await this.release(held);
    return held
      .map((m) => letter(m))
      .sort((a, b) => (a.deadAt ?? 0) - (b.deadAt ?? 0))
      .slice(0, limit);
  }

  async redrive(ids: readonly string[] | 'all'): Promise<number> {
    const wanted = ids === 'all' ? undefined : new Set(ids);
    const held = await this.receiveAll(Number.MAX_SAFE_INTEGER, wanted);
    const chosen = held.filter((m) => !wanted || wanted.has(m.MessageId ?? ''));
    const missing = wanted
      ? [...wanted].filter((id) => !chosen.some((m) => m.MessageId === id))
      : [];
    let redriven = 0;
    try {
      for (const message of chosen) {
        // Sent before the dead letter is deleted: a crash between the two leaves a copy,
        // never none (workers judge a write once however often its event comes).
        await this.sqs.send(
          new SendMessageCommand({
            QueueUrl:
              message.MessageAttributes?.['VigilSourceQueue']?.StringValue ?? this.options.queueUrl,
            MessageBody: message.Body ?? '',
          }),
        );
        await this.sqs.send(
          new DeleteMessageCommand({
            QueueUrl: this.options.deadLetterQueueUrl,
            ReceiptHandle: message.ReceiptHandle!,
          }),
        );
        redriven += 1;
      }
    } finally {
      await this.release(held.filter((m) => !chosen.includes(m)));
    }
    if (missing.length > 0)
      throw new Error(
        `redrove ${redriven}; no dead letter ${missing.join(', ')} in ${this.name} (already redriven, or held by another reader)`,
      );
    return redriven;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Receives (holding them `HOLD_SECONDS`) until the queue gives nothing more, `limit`
   * messages are held, or every id in `wanted` is.
   */
  private async receiveAll(limit: number, wanted?: ReadonlySet<string>): Promise<Message[]> {
    const held = new Map<string, Message>();
    while (held.size < limit) {
      const { Messages = [] } = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.options.deadLetterQueueUrl,
          MaxNumberOfMessages: 10,
          // Long polling asks every SQS server, so a short queue is read whole; only the last,
          // empty receive waits.
          WaitTimeSeconds: 1,
          VisibilityTimeout: HOLD_SECONDS,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['SentTimestamp'],
        }),
      );
      if (Messages.length === 0) break;
      for (const m of Messages) held.set(m.MessageId ?? m.ReceiptHandle!, m);
      if (wanted && [...wanted].every((id) => held.has(id))) break;
    }
    return [...held.values()];
  }

  /** Makes held messages visible again at once. */
  private async release(messages: readonly Message[]): Promise<void> {
    await Promise.all(
      messages.map((m) =>
        this.sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: this.options.deadLetterQueueUrl,
            ReceiptHandle: m.ReceiptHandle!,
            VisibilityTimeout: 0,
          }),
        ),
      ),
    );
  }
}

function letter(message: Message): WorkerDeadLetter {
  const attribute = (name: string) => message.MessageAttributes?.[name]?.StringValue;
  const attempts = Number(attribute('VigilAttempts'));
  const sent = Number(message.Attributes?.SentTimestamp);
  return {
    id: message.MessageId ?? '',
    reason:
      attribute('VigilDeadLetterReason') ?? '(no reason given: sent by the queue redrive policy?)',
    attempts: Number.isInteger(attempts) && attempts > 0 ? attempts : null,
    deadAt: Number.isFinite(sent) && sent > 0 ? sent : null,
    body: message.Body ?? '',
  };
}
