/**
 * SQS errors on the wire (AWS JSON 1.0 with query compatibility): the status, the `__type`
 * of the body, and the legacy query error code of the `x-amzn-query-error: <code>;<fault>`
 * header, which `@aws-sdk/client-sqs` (awsQueryCompatible) reads first to pick the error
 * class. Statuses and query codes of modeled errors are the `httpError` and `awsQueryError`
 * traits of the SQS Smithy model; common errors follow the SQS API reference.
 */
import type { ServerResponse } from 'node:http';
import type { QueueErrorCode } from './types.js';

export interface WireError {
  status: number;
  /** Shape id written as `__type`. */
  type: string;
  /** Code for `x-amzn-query-error` and batch result entries. */
  queryCode: string;
  fault: 'Sender' | 'Receiver';
}

const SQS = 'com.amazonaws.sqs#';
const CORAL = 'com.amazon.coral.service#';

function modeled(shape: string, status = 400, queryCode = shape): WireError {
  return { status, type: `${SQS}${shape}`, queryCode, fault: 'Sender' };
}

export const QUEUE_WIRE_ERRORS = {
  QueueDoesNotExist: modeled('QueueDoesNotExist', 400, 'AWS.SimpleQueueService.NonExistentQueue'),
  QueueNameExists: modeled('QueueNameExists', 400, 'QueueAlreadyExists'),
  InvalidAttributeName: modeled('InvalidAttributeName'),
  InvalidAttributeValue: modeled('InvalidAttributeValue'),
  InvalidMessageContents: modeled('InvalidMessageContents'),
  ReceiptHandleIsInvalid: modeled('ReceiptHandleIsInvalid', 404),
  MessageNotInflight: modeled(
    'MessageNotInflight',
    400,
    'AWS.SimpleQueueService.MessageNotInflight',
  ),
  PurgeQueueInProgress: modeled(
    'PurgeQueueInProgress',
    403,
    'AWS.SimpleQueueService.PurgeQueueInProgress',
  ),
  UnsupportedOperation: modeled(
    'UnsupportedOperation',
    400,
    'AWS.SimpleQueueService.UnsupportedOperation',
  ),
  InvalidAddress: modeled('InvalidAddress', 404),
  EmptyBatchRequest: modeled('EmptyBatchRequest', 400, 'AWS.SimpleQueueService.EmptyBatchRequest'),
  TooManyEntriesInBatchRequest: modeled(
    'TooManyEntriesInBatchRequest',
    400,
    'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  ),
  BatchEntryIdsNotDistinct: modeled(
    'BatchEntryIdsNotDistinct',
    400,
    'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  ),
  InvalidBatchEntryId: modeled(
    'InvalidBatchEntryId',
    400,
    'AWS.SimpleQueueService.InvalidBatchEntryId',
  ),
  BatchRequestTooLong: modeled(
    'BatchRequestTooLong',
    400,
    'AWS.SimpleQueueService.BatchRequestTooLong',
  ),
  // Common errors, not in the model: SQS sends the query code in the header.
  InvalidParameterValue: {
    status: 400,
    type: `${CORAL}InvalidParameterValueException`,
    queryCode: 'InvalidParameterValue',
    fault: 'Sender',
  },
  MissingParameter: {
    status: 400,
    type: `${CORAL}MissingRequiredParameterException`,
    queryCode: 'MissingParameter',
    fault: 'Sender',
  },
} as const satisfies Record<QueueErrorCode, WireError>;

/** Errors of the protocol itself: authentication, unknown actions, server faults. */
export const PROTOCOL_WIRE_ERRORS = {
  AccessDenied: {
    status: 403,
    type: `${CORAL}AccessDeniedException`,
    queryCode: 'AccessDenied',
    fault: 'Sender',
  },
  MissingAuthenticationToken: {
    status: 403,
    type: `${CORAL}MissingAuthenticationTokenException`,
    queryCode: 'MissingAuthenticationToken',
    fault: 'Sender',
  },
  IncompleteSignature: {
    status: 400,
    type: `${CORAL}IncompleteSignatureException`,
    queryCode: 'IncompleteSignature',
    fault: 'Sender',
  },
  InvalidClientTokenId: {
    status: 403,
    type: `${CORAL}UnrecognizedClientException`,
    queryCode: 'InvalidClientTokenId',
    fault: 'Sender',
  },
  SignatureDoesNotMatch: {
    status: 403,
    type: `${CORAL}InvalidSignatureException`,
    queryCode: 'SignatureDoesNotMatch',
    fault: 'Sender',
  },
  RequestExpired: {
    status: 400,
    type: `${CORAL}InvalidSignatureException`,
    queryCode: 'RequestExpired',
    fault: 'Sender',
  },
  InvalidAction: {
    status: 400,
    type: `${CORAL}UnknownOperationException`,
    queryCode: 'InvalidAction',
    fault: 'Sender',
  },
  InternalFailure: {
    status: 500,
    type: `${CORAL}InternalFailure`,
    queryCode: 'InternalFailure',
    fault: 'Receiver',
  },
  ServiceUnavailable: {
    status: 503,
    type: `${CORAL}ServiceUnavailableException`,
    queryCode: 'ServiceUnavailable',
    fault: 'Receiver',
  },
} as const satisfies Record<string, WireError>;

export type ProtocolErrorCode = keyof typeof PROTOCOL_WIRE_ERRORS;

/** A request refused before it reaches a queue (authentication, unknown action, server fault). */
export class SqsProtocolError extends Error {
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SqsProtocolError';
  }
}

/** Writes an SQS JSON error response. */
export function sendSqsError(
  res: ServerResponse,
  wire: WireError,
  message: string,
  requestId: string,
): void {
  const body = JSON.stringify({ __type: wire.type, message });
  res.writeHead(wire.status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
    'x-amzn-query-error': `${wire.queryCode};${wire.fault}`,
  });
  res.end(body);
}
