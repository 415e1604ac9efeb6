/** A received row as the `Message` a receive returns: requested attributes only (pure). */
import { md5Hex, md5OfMessageAttributes } from './md5.js';
import { decodeAttributes, type MessageRow } from './message-table.js';
import { selectMessageAttributes } from './message-content.js';
import { encodeReceipt } from './receipt.js';
import type { Message } from './types.js';

export function toMessage(
  row: MessageRow,
  attributeNames: readonly string[],
  messageAttributeNames: readonly string[],
): Message {
  const message: Message = {
    messageId: row.message_id,
    receiptHandle: encodeReceipt({ queue: row.queue, seq: row.seq, token: row.receipt_token! }),
    body: row.body,
    md5OfBody: md5Hex(row.body),
    attributes: systemAttributes(row, attributeNames),
  };
  if (messageAttributeNames.length > 0 && row.message_attributes !== null) {
    const selected = selectMessageAttributes(
      decodeAttributes(row.message_attributes),
      messageAttributeNames,
    );
    const md5 = md5OfMessageAttributes(selected);
    if (md5 !== undefined) {
      message.messageAttributes = selected;
      message.md5OfMessageAttributes = md5;
    }
  }
  return message;
}

function systemAttributes(row: MessageRow, names: readonly string[]): Record<string, string> {
  const all = names.includes('All');
  const wanted = (name: string) => all || names.includes(name);
  const attributes: Record<string, string> = {};
  if (wanted('SenderId')) attributes['SenderId'] = row.sender_id;
  if (wanted('ApproximateFirstReceiveTimestamp') && row.first_received_at !== null) {
    attributes['ApproximateFirstReceiveTimestamp'] = String(row.first_received_at);
  }
  if (wanted('ApproximateReceiveCount')) {
    attributes['ApproximateReceiveCount'] = String(row.receive_count);
  }
  if (wanted('SentTimestamp')) attributes['SentTimestamp'] = String(row.sent_at);
  if (wanted('AWSTraceHeader') && row.trace_header !== null) {
    attributes['AWSTraceHeader'] = row.trace_header;
  }
  if (wanted('MessageGroupId') && row.message_group_id !== null) {
    attributes['MessageGroupId'] = row.message_group_id;
  }
  if (wanted('DeadLetterQueueSourceArn') && row.dead_letter_source_arn !== null) {
    attributes['DeadLetterQueueSourceArn'] = row.dead_letter_source_arn;
  }
  return attributes;
}
