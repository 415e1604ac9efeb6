/** The message operations of the SQS JSON API: requests in, response members out. */
import { messageSize } from './message-content.js';
import { batchEntries, batchResult, parseEntry } from './sqs-batch.js';
import type { Input } from './sqs-input.js';
import { queueOf, type Operation, type OperationContext } from './sqs-queue-operations.js';
import {
  QueueError,
  invalidParameter,
  type BatchOutcome,
  type Message,
  type MessageAttributes,
  type MessageToSend,
  type SentMessage,
} from './types.js';

/** SendMessageBatch's limit on the sum of its messages' sizes. */
const MAX_BATCH_BYTES = 1_048_576;

export const MESSAGE_OPERATIONS: Record<string, Operation> = {
  async SendMessage(ctx, input) {
    const queue = queueOf(ctx, input);
    const message = messageToSend(ctx, input);
    return sentMembers(await ctx.queues.send(queue, message.body, message.options));
  },

  async SendMessageBatch(ctx, input) {
    const queue = queueOf(ctx, input);
    const { entries, ids } = batchEntries(input, 'SendMessageBatchRequestEntry');
    const parsed = entries.map((entry) => parseEntry(() => messageToSend(ctx, entry)));
    const total = parsed.reduce(
      (sum, p) => sum + (p.ok ? messageSize(p.value.body, p.value.options?.messageAttributes) : 0),
      0,
    );
    if (total > MAX_BATCH_BYTES) {
      throw new QueueError(
        'BatchRequestTooLong',
        `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${total} bytes.`,
      );
    }
    const valid = parsed.flatMap((p) => (p.ok ? [p.value] : []));
    const sent = await ctx.queues.sendBatch(queue, valid);
    let next = 0;
    const outcomes: BatchOutcome<SentMessage>[] = parsed.map((p) => (p.ok ? sent[next++]! : p));
    return batchResult(ids, outcomes, (Id, value) => ({ Id, ...sentMembers(value) }));
  },

  async ReceiveMessage(ctx, input) {
    const messages = await ctx.queues.receive(queueOf(ctx, input), {
      maxNumberOfMessages: input.optionalInteger('MaxNumberOfMessages'),
      visibilityTimeout: input.optionalInteger('VisibilityTimeout'),
      waitTimeSeconds: input.optionalInteger('WaitTimeSeconds'),
      attributeNames: [
        ...input.stringList('AttributeNames'),
        ...input.stringList('MessageSystemAttributeNames'),
      ],
      messageAttributeNames: input.stringList('MessageAttributeNames'),
      signal: ctx.signal,
    });
    return messages.length > 0 ? { Messages: messages.map(messageMembers) } : {};
  },

  async DeleteMessage(ctx, input) {
    await ctx.queues.delete(queueOf(ctx, input), input.string('ReceiptHandle'));
    return {};
  },

  async DeleteMessageBatch(ctx, input) {
    const queue = queueOf(ctx, input);
    const { entries, ids } = batchEntries(input, 'DeleteMessageBatchRequestEntry');
    const handles = entries.map((entry) => parseEntry(() => entry.string('ReceiptHandle')));
    const valid = handles.flatMap((h) => (h.ok ? [h.value] : []));
    const deleted = await ctx.queues.deleteBatch(queue, valid);
    let next = 0;
    const outcomes = handles.map((h): BatchOutcome => (h.ok ? deleted[next++]! : h));
    return batchResult(ids, outcomes, (Id) => ({ Id }));
  },

  async ChangeMessageVisibility(ctx, input) {
    await ctx.queues.changeVisibility(
      queueOf(ctx, input),
      input.string('ReceiptHandle'),
      input.integer('VisibilityTimeout'),
    );
    return {};
  },

  async ChangeMessageVisibilityBatch(ctx, input) {
    const queue = queueOf(ctx, input);
    const { entries, ids } = batchEntries(input, 'ChangeMessageVisibilityBatchRequestEntry');
    const changes = entries.map((entry) =>
      parseEntry(() => ({
        receiptHandle: entry.string('ReceiptHandle'),
        visibilityTimeout: entry.integer('VisibilityTimeout'),
      })),
    );
    const valid = changes.flatMap((c) => (c.ok ? [c.value] : []));
    const changed = await ctx.queues.changeVisibilityBatch(queue, valid);
    let next = 0;
    const outcomes = changes.map((c): BatchOutcome => (c.ok ? changed[next++]! : c));
    return batchResult(ids, outcomes, (Id) => ({ Id }));
  },
};

function messageToSend(ctx: OperationContext, input: Input): MessageToSend {
  const deduplicationId = input.optionalString('MessageDeduplicationId');
  if (deduplicationId !== undefined) {
    throw invalidParameter(
      'MessageDeduplicationId',
      deduplicationId,
      'The request include parameter that is not valid for this queue type.',
    );
  }
  const system = input.messageAttributes('MessageSystemAttributes') ?? {};
  const { AWSTraceHeader: trace, ...others } = system;
  const unknown = Object.keys(others)[0];
  if (unknown !== undefined) {
    throw new QueueError(
      'InvalidParameterValue',
      `Message system attribute name '${unknown}' is invalid: the only supported message system attribute is AWSTraceHeader.`,
    );
  }
  if (trace && (trace.DataType !== 'String' || trace.StringValue === undefined)) {
    throw new QueueError(
      'InvalidParameterValue',
      "The message system attribute AWSTraceHeader must have DataType 'String' and a StringValue.",
    );
  }
  const delaySeconds = input.optionalInteger('DelaySeconds');
  const messageAttributes = input.messageAttributes('MessageAttributes');
  const messageGroupId = input.optionalString('MessageGroupId');
  return {
    body: input.string('MessageBody'),
    options: {
      senderId: ctx.senderId,
      ...(delaySeconds !== undefined ? { delaySeconds } : {}),
      ...(messageAttributes ? { messageAttributes } : {}),
      ...(trace?.StringValue !== undefined ? { traceHeader: trace.StringValue } : {}),
      ...(messageGroupId !== undefined ? { messageGroupId } : {}),
    },
  };
}

function sentMembers(sent: SentMessage) {
  return {
    MessageId: sent.messageId,
    MD5OfMessageBody: sent.md5OfMessageBody,
    ...(sent.md5OfMessageAttributes ? { MD5OfMessageAttributes: sent.md5OfMessageAttributes } : {}),
    ...(sent.md5OfMessageSystemAttributes
      ? { MD5OfMessageSystemAttributes: sent.md5OfMessageSystemAttributes }
      : {}),
  };
}

function messageMembers(message: Message) {
  return {
    MessageId: message.messageId,
    ReceiptHandle: message.receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
    ...(Object.keys(message.attributes).length > 0 ? { Attributes: message.attributes } : {}),
    ...(message.messageAttributes
      ? {
          MD5OfMessageAttributes: message.md5OfMessageAttributes,
          MessageAttributes: attributesMembers(message.messageAttributes),
        }
      : {}),
  };
}

function attributesMembers(attributes: MessageAttributes) {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      value.BinaryValue !== undefined
        ? {
            DataType: value.DataType,
            BinaryValue: Buffer.from(value.BinaryValue).toString('base64'),
          }
        : { DataType: value.DataType, StringValue: value.StringValue },
    ]),
  );
}
