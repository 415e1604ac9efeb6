/** Queue names, ARNs and URLs (pure). */
import { QueueError } from './types.js';

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** Where a queue lives: ARNs and URLs carry the region and account. */
export interface QueueScope {
  region: string;
  accountId: string;
}

export const FIFO_UNSUPPORTED =
  'Vigil supports standard queues only: FIFO queues (names ending in .fifo and the FifoQueue, ' +
  'ContentBasedDeduplication, DeduplicationScope and FifoThroughputLimit attributes) are not supported.';

/**
 * Checks a new queue's name against SQS's rules: 1–80 letters, digits, hyphens or underscores.
 * A `.fifo` name asks for a FIFO queue, which Vigil does not have: it is refused the way SQS
 * refuses an attribute it does not know (`InvalidAttributeName`).
 *
 * @throws QueueError `InvalidAttributeName` for `.fifo`, `InvalidParameterValue` otherwise.
 */
export function assertQueueName(name: string): void {
  if (name.endsWith('.fifo')) {
    throw new QueueError(
      'InvalidAttributeName',
      `Unknown Attribute FifoQueue. ${FIFO_UNSUPPORTED}`,
    );
  }
  if (!QUEUE_NAME.test(name)) {
    throw new QueueError(
      'InvalidParameterValue',
      'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    );
  }
}

/** `arn:aws:sqs:<region>:<account>:<name>`. */
export function queueArn(scope: QueueScope, name: string): string {
  return `arn:aws:sqs:${scope.region}:${scope.accountId}:${name}`;
}

/** The queue name an ARN of this scope designates, or undefined for any other ARN. */
export function queueNameFromArn(scope: QueueScope, arn: string): string | undefined {
  const prefix = `arn:aws:sqs:${scope.region}:${scope.accountId}:`;
  if (!arn.startsWith(prefix)) return undefined;
  const name = arn.slice(prefix.length);
  return QUEUE_NAME.test(name) ? name : undefined;
}

/** `http://<host>/<account>/<name>`, `host` being the Host header the client used. */
export function queueUrl(host: string, accountId: string, name: string): string {
  return `http://${host}/${accountId}/${name}`;
}

/**
 * The queue name in a queue URL. Any scheme and host are accepted (clients reach Vigil under
 * many names); the path must be `/<account>/<name>`.
 *
 * @throws QueueError `InvalidAddress` when the URL is not a queue URL, `QueueDoesNotExist` when
 *   it names another account.
 */
export function queueNameFromUrl(url: string, accountId: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    throw new QueueError('InvalidAddress', `The address ${url} is not valid for this endpoint.`);
  }
  const match = /^\/([^/]+)\/([^/]+)\/?$/.exec(path);
  if (!match) {
    throw new QueueError('InvalidAddress', `The address ${url} is not valid for this endpoint.`);
  }
  const [, account, name] = match as unknown as [string, string, string];
  if (account !== accountId) throw new QueueError('QueueDoesNotExist');
  return name;
}
