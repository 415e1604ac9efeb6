/**
 * The contract of Vigil's built-in queues: standard SQS queues (at-least-once, best-effort
 * order, visibility timeouts, receive counts, dead-letter redrive, long polling) kept in
 * SQLite. `QueueService` implements it; the SQS JSON API (`sqs-api.ts`) speaks it on the wire.
 */

/** A queue's settings, in SQS's units: seconds and bytes. */
export interface QueueSettings {
  /** Default time a received message stays hidden. 0–43200, default 30. */
  visibilityTimeout: number;
  /** How long a message is kept after it was first sent. 60–1209600, default 345600. */
  messageRetentionPeriod: number;
  /** Largest body plus message attributes accepted. 1024–1048576, default 1048576. */
  maximumMessageSize: number;
  /** Default delay of a sent message. 0–900, default 0. */
  delaySeconds: number;
  /** Default long-poll wait of a receive. 0–20, default 0. */
  receiveMessageWaitTimeSeconds: number;
  /** Where messages go once they were received more than `maxReceiveCount` times. */
  redrivePolicy?: RedrivePolicy;
}

export interface RedrivePolicy {
  /** ARN of a queue of this account and region. */
  deadLetterTargetArn: string;
  /** 1–1000. */
  maxReceiveCount: number;
}

export interface QueueInfo extends QueueSettings {
  name: string;
  arn: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds. */
  lastModifiedAt: number;
}

/**
 * Queue attributes as SQS carries them in CreateQueue, SetQueueAttributes and
 * GetQueueAttributes: attribute name to string value (`{ VisibilityTimeout: '60' }`).
 */
export type QueueAttributes = Record<string, string>;

/** A message attribute: `String`, `Number` or `Binary`, optionally with a `.label`. */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
}

export type MessageAttributes = Record<string, MessageAttributeValue>;

export interface SendOptions {
  /** 0–900; defaults to the queue's DelaySeconds. */
  delaySeconds?: number;
  messageAttributes?: MessageAttributes;
  /** The `AWSTraceHeader` message system attribute (the only one SQS accepts). */
  traceHeader?: string;
  /** Standard queues accept a MessageGroupId (fair queues); it is stored and returned. */
  messageGroupId?: string;
  /** Reported as the `SenderId` attribute; defaults to the account id. */
  senderId?: string;
}

export interface SentMessage {
  messageId: string;
  md5OfMessageBody: string;
  md5OfMessageAttributes?: string;
  md5OfMessageSystemAttributes?: string;
}

export interface ReceiveOptions {
  /** 1–10, default 1. */
  maxNumberOfMessages?: number;
  /** 0–43200; defaults to the queue's VisibilityTimeout. */
  visibilityTimeout?: number;
  /** 0–20; defaults to the queue's ReceiveMessageWaitTimeSeconds. */
  waitTimeSeconds?: number;
  /**
   * Message system attributes to return: `All`, `ApproximateReceiveCount`,
   * `ApproximateFirstReceiveTimestamp`, `SentTimestamp`, `SenderId`, `AWSTraceHeader`,
   * `MessageGroupId`, `DeadLetterQueueSourceArn`. Others are ignored, as SQS does.
   */
  attributeNames?: readonly string[];
  /** Message attributes to return: `All`, `.*`, a name, or a prefix such as `trace.*`. */
  messageAttributeNames?: readonly string[];
  /** Ends a long poll early (the client went away); no message is received after it fires. */
  signal?: AbortSignal;
}

export interface Message {
  messageId: string;
  /** Changes on every receive; only the latest one changes or deletes the message. */
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  /** The requested system attributes, values as SQS writes them (epoch ms as strings). */
  attributes: Record<string, string>;
  /** The requested message attributes, when any matched. */
  messageAttributes?: MessageAttributes;
  md5OfMessageAttributes?: string;
}

export interface VisibilityChange {
  receiptHandle: string;
  visibilityTimeout: number;
}

/** The outcome of one entry of a batch call. */
export type BatchOutcome<T = void> = { ok: true; value: T } | { ok: false; error: QueueError };

export interface MessageToSend {
  body: string;
  options?: SendOptions;
}

/**
 * The catalogue of queue errors, named by SQS's error shapes. Messages follow SQS's wording
 * where it is known; `QueueError.message` may be more specific.
 */
export const QUEUE_ERRORS = {
  QueueDoesNotExist: 'The specified queue does not exist.',
  QueueNameExists:
    'A queue already exists with the same name and a different value for an attribute.',
  InvalidAttributeName: 'The specified attribute does not exist.',
  InvalidAttributeValue: 'A queue attribute value is not valid.',
  InvalidParameterValue: 'An invalid or out-of-range value was supplied for the input parameter.',
  MissingParameter: 'A required parameter for the specified action is not supplied.',
  InvalidMessageContents:
    'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
  ReceiptHandleIsInvalid: 'The specified receipt handle is not valid.',
  MessageNotInflight: 'The specified message is not in flight.',
  PurgeQueueInProgress: 'Only one PurgeQueue operation on a queue is allowed every 60 seconds.',
  UnsupportedOperation: 'Unsupported operation.',
  InvalidAddress: 'The specified address is not valid for this endpoint.',
  EmptyBatchRequest: 'The batch request does not contain any entries.',
  TooManyEntriesInBatchRequest: 'The batch request contains more entries than permissible.',
  BatchEntryIdsNotDistinct: 'Two or more batch entries in the request have the same Id.',
  InvalidBatchEntryId:
    'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
  BatchRequestTooLong: 'The length of all the messages put together is more than the limit.',
} as const;

export type QueueErrorCode = keyof typeof QUEUE_ERRORS;

/** A queue operation refused for a reason the caller can act on. */
export class QueueError extends Error {
  constructor(
    readonly code: QueueErrorCode,
    message?: string,
  ) {
    super(message ?? QUEUE_ERRORS[code]);
    this.name = 'QueueError';
  }
}

/** SQS's wording for a parameter outside its range or format. */
export function invalidParameter(name: string, value: unknown, reason: string): QueueError {
  return new QueueError(
    'InvalidParameterValue',
    `Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`,
  );
}
