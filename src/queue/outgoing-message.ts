/**
 * A message about to be sent: checked as SendMessage checks it, and turned into its row and
 * the digests SendMessage returns (pure but for the new message id).
 */
import { randomUUID } from 'node:crypto';
import { assertLimit, assertMessageGroupId, assertTraceHeader } from './limits.js';
import { md5Hex, md5OfMessageAttributes } from './md5.js';
import { assertValidBody, assertValidMessageAttributes, messageSize } from './message-content.js';
import type { NewMessage } from './message-table.js';
import { QueueError, type QueueInfo, type SendOptions, type SentMessage } from './types.js';

/**
 * @throws QueueError `MissingParameter`, `InvalidMessageContents` or `InvalidParameterValue`
 *   (attributes, delay, size against the queue's MaximumMessageSize).
 */
export function prepareMessage(
  queue: QueueInfo,
  body: string,
  options: SendOptions,
  context: { now: number; defaultSenderId: string },
): { row: NewMessage; sent: SentMessage } {
  assertValidBody(body);
  const attributes = options.messageAttributes ?? {};
  assertValidMessageAttributes(attributes);
  if (options.delaySeconds !== undefined) assertLimit('DelaySeconds', options.delaySeconds);
  if (options.traceHeader !== undefined) assertTraceHeader(options.traceHeader);
  if (options.messageGroupId !== undefined) assertMessageGroupId(options.messageGroupId);
  if (messageSize(body, attributes) > queue.maximumMessageSize) {
    throw new QueueError(
      'InvalidParameterValue',
      `One or more parameters are invalid. Reason: Message must be shorter than ${queue.maximumMessageSize} bytes.`,
    );
  }
  const messageId = randomUUID();
  const row: NewMessage = {
    queue: queue.name,
    messageId,
    body,
    messageAttributes: attributes,
    traceHeader: options.traceHeader,
    messageGroupId: options.messageGroupId,
    senderId: options.senderId ?? context.defaultSenderId,
    sentAt: context.now,
    visibleAt: context.now + (options.delaySeconds ?? queue.delaySeconds) * 1000,
  };
  const sent: SentMessage = { messageId, md5OfMessageBody: md5Hex(body) };
  const md5OfAttributes = md5OfMessageAttributes(attributes);
  if (md5OfAttributes) sent.md5OfMessageAttributes = md5OfAttributes;
  if (options.traceHeader !== undefined) {
    sent.md5OfMessageSystemAttributes = md5OfMessageAttributes({
      AWSTraceHeader: { DataType: 'String', StringValue: options.traceHeader },
    })!;
  }
  return { row, sent };
}
