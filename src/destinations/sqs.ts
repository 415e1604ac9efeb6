import { createHash } from 'node:crypto';
import {
  SendMessageCommand,
  SQSClient,
  type SendMessageCommandInput,
  type SQSClientConfig,
} from '@aws-sdk/client-sqs';
import type { DeliveryOutcome, DestinationAdapter, OutboxEntry } from '../delivery/types.js';
import type { DestinationArn } from '../events/index.js';

export interface SqsQueueSettings {
  /** The queue's ARN, parsed. */
  arn: DestinationArn;
  url?: string | undefined;
  region?: string | undefined;
  endpoint?: string | undefined;
  /** Unset: the AWS SDK's default credential chain. */
  credentials?:
    { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined } | undefined;
  timeoutMs: number;
}

/** An SQS queue of another account, and the client that reaches it. */
export interface SqsDestination {
  url: string;
  adapter: DestinationAdapter;
  close(): void;
}

/**
 * The queue URL of an ARN: under `endpoint` when one is set, else AWS's own
 * (`https://sqs.<region>.amazonaws.com/<account>/<name>`, `.com.cn` in China).
 *
 * @example sqsQueueUrl(parseDestinationArn('queue', 'arn:aws:sqs:eu-west-1:111122223333:q')!)
 * // 'https://sqs.eu-west-1.amazonaws.com/111122223333/q'
 */
export function sqsQueueUrl(arn: DestinationArn, endpoint?: string): string {
  const base =
    endpoint?.replace(/\/+$/, '') ??
    `https://sqs.${arn.region}.amazonaws.com${arn.partition === 'aws-cn' ? '.cn' : ''}`;
  return `${base}/${arn.account}/${arn.name}`;
}

/**
 * SendMessage's input for one outbox row: the event message as the body, unchanged, and the
 * row's event id as the `VigilEventId` attribute to deduplicate on. FIFO queues also get
 * the event id as MessageDeduplicationId (SQS drops a redelivery within 5 minutes) and one
 * message group per object key, which keeps Vigil's per-key order.
 */
export function sqsSendInput(
  url: string,
  fifo: boolean,
  entry: OutboxEntry,
): SendMessageCommandInput {
  return {
    QueueUrl: url,
    MessageBody: entry.body,
    MessageAttributes: { VigilEventId: { DataType: 'String', StringValue: entry.eventId } },
    ...(fifo
      ? {
          MessageDeduplicationId: entry.eventId,
          MessageGroupId: createHash('sha256').update(`${entry.bucket}/${entry.key}`).digest('hex'),
        }
      : {}),
  };
}

/**
 * Sends the event message to an SQS queue with `SendMessage`; delivered once SQS answers
 * with a MessageId. One attempt per delivery (the SDK does not retry): the outbox owns
 * retries, so they are counted, backed off and dead-lettered like every destination's.
 */
export function sqsDestination(settings: SqsQueueSettings): SqsDestination {
  const url = settings.url ?? sqsQueueUrl(settings.arn, settings.endpoint);
  const config: SQSClientConfig = {
    region: settings.region ?? settings.arn.region,
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: settings.timeoutMs,
      requestTimeout: settings.timeoutMs,
    },
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
  };
  const client = new SQSClient(config);
  const fifo = settings.arn.name.endsWith('.fifo');
  return {
    url,
    adapter: {
      kind: 'async',
      async deliver(entry: OutboxEntry): Promise<DeliveryOutcome> {
        try {
          await client.send(new SendMessageCommand(sqsSendInput(url, fifo, entry)));
          return { ok: true };
        } catch (error) {
          return sqsOutcome(error, url);
        }
      },
    },
    close: () => client.destroy(),
  };
}

// Errors that say "later": throttling, expired signatures (the SDK corrects its clock from
// the answer), and the service's own failures.
const TRANSIENT = new Set([
  'RequestThrottled',
  'KmsThrottled',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestTimeout',
  'RequestTimeoutException',
  'RequestExpired',
  'RequestTimeTooSkewed',
  'ExpiredToken',
  'ExpiredTokenException',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalError',
]);

/**
 * What a failed SendMessage means for the event. No HTTP answer (refused connection, DNS,
 * timeout), throttling, 5xx, 408 and 429 are retried; every other 4xx — AccessDenied,
 * QueueDoesNotExist (AWS.SimpleQueueService.NonExistentQueue), InvalidMessageContents, KMS
 * keys that are disabled or not allowed, bad credentials — is permanent: the event is
 * dead-lettered at once, to be redriven once the queue or its policy is fixed.
 */
export function sqsOutcome(error: unknown, url: string): DeliveryOutcome {
  const e = error as {
    name?: string;
    Code?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const status = e.$metadata?.httpStatusCode;
  // The SDK names modeled errors (QueueDoesNotExist) and keeps SQS's query code
  // (AWS.SimpleQueueService.NonExistentQueue) in Code; network errors carry Node's code.
  const name = e.name && e.name !== 'Error' ? e.name : (e.code ?? e.Code ?? 'Error');
  const details = [...(e.Code && e.Code !== name ? [e.Code] : []), ...(status ? [status] : [])];
  const what = `SendMessage to ${url} failed: ${name}${details.length ? ` (${details.join(', ')})` : ''}`;
  const transient =
    status === undefined ||
    status >= 500 ||
    status === 408 ||
    status === 429 ||
    TRANSIENT.has(name) ||
    TRANSIENT.has(e.Code ?? '');
  return { ok: false, permanent: !transient, error: e.message ? `${what}: ${e.message}` : what };
}
