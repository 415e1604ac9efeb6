/**
 * Queue attributes (pure): SQS's string map parsed into settings and validated as SQS does,
 * and settings written back as the strings GetQueueAttributes returns.
 */
import { FIFO_UNSUPPORTED, queueNameFromArn, type QueueScope } from './names.js';
import {
  QueueError,
  invalidParameter,
  type QueueAttributes,
  type QueueInfo,
  type QueueSettings,
  type RedrivePolicy,
} from './types.js';

export const DEFAULT_SETTINGS: Readonly<QueueSettings> = {
  visibilityTimeout: 30,
  messageRetentionPeriod: 345_600,
  maximumMessageSize: 1_048_576,
  delaySeconds: 0,
  receiveMessageWaitTimeSeconds: 0,
};

type IntegerSetting = Exclude<keyof QueueSettings, 'redrivePolicy'>;

const INTEGER_ATTRIBUTES: Record<string, { key: IntegerSetting; min: number; max: number }> = {
  VisibilityTimeout: { key: 'visibilityTimeout', min: 0, max: 43_200 },
  MessageRetentionPeriod: { key: 'messageRetentionPeriod', min: 60, max: 1_209_600 },
  MaximumMessageSize: { key: 'maximumMessageSize', min: 1024, max: 1_048_576 },
  DelaySeconds: { key: 'delaySeconds', min: 0, max: 900 },
  ReceiveMessageWaitTimeSeconds: { key: 'receiveMessageWaitTimeSeconds', min: 0, max: 20 },
};

const COUNTS = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
] as const;

/** Every attribute GetQueueAttributes can return, in the order `All` lists them. */
export const READABLE_ATTRIBUTES = [
  'QueueArn',
  ...COUNTS,
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'VisibilityTimeout',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'RedrivePolicy',
] as const;

const FIFO_ATTRIBUTES = new Set([
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);
const UNSUPPORTED_ATTRIBUTES = new Set([
  'Policy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
]);

/** Setting changes parsed from an attribute map; `redrivePolicy: null` removes the policy. */
export type SettingChanges = Partial<Omit<QueueSettings, 'redrivePolicy'>> & {
  redrivePolicy?: RedrivePolicy | null;
};

/**
 * Parses the attributes of CreateQueue or SetQueueAttributes.
 *
 * @example
 * parseQueueAttributes({ VisibilityTimeout: '60' }, scope); // { visibilityTimeout: 60 }
 * @throws QueueError `InvalidAttributeName` (unknown, read-only or unsupported attribute),
 *   `InvalidAttributeValue` (integer out of range), `InvalidParameterValue` (RedrivePolicy).
 */
export function parseQueueAttributes(
  attributes: QueueAttributes,
  scope: QueueScope,
): SettingChanges {
  const changes: SettingChanges = {};
  for (const [name, value] of Object.entries(attributes)) {
    const integer = INTEGER_ATTRIBUTES[name];
    if (integer) {
      changes[integer.key] = parseInteger(name, value, integer.min, integer.max);
    } else if (name === 'RedrivePolicy') {
      changes.redrivePolicy = value === '' ? null : parseRedrivePolicy(value, scope);
    } else if (name === 'FifoQueue' && value === 'false') {
      // A standard queue is what SQS creates without FifoQueue: nothing to change.
    } else if (FIFO_ATTRIBUTES.has(name)) {
      throw new QueueError(
        'InvalidAttributeName',
        `Unknown Attribute ${name}. ${FIFO_UNSUPPORTED}`,
      );
    } else if (UNSUPPORTED_ATTRIBUTES.has(name)) {
      throw new QueueError(
        'InvalidAttributeName',
        `Unknown Attribute ${name}. Vigil does not support queue policies or server-side encryption attributes.`,
      );
    } else {
      throw new QueueError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
  }
  return changes;
}

function parseInteger(name: string, value: string, min: number, max: number): number {
  const parsed = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!(parsed >= min && parsed <= max)) {
    throw new QueueError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
  }
  return parsed;
}

function parseRedrivePolicy(value: string, scope: QueueScope): RedrivePolicy {
  const invalid = (reason: string) => invalidParameter('RedrivePolicy', value, reason);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalid('Redrive policy is not a valid JSON map.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid('Redrive policy is not a valid JSON map.');
  }
  const { deadLetterTargetArn, maxReceiveCount } = parsed as Record<string, unknown>;
  if (typeof deadLetterTargetArn !== 'string' || !queueNameFromArn(scope, deadLetterTargetArn)) {
    throw invalid('Invalid value for deadLetterTargetArn.');
  }
  const count =
    typeof maxReceiveCount === 'number'
      ? maxReceiveCount
      : typeof maxReceiveCount === 'string' && /^\d{1,4}$/.test(maxReceiveCount)
        ? Number(maxReceiveCount)
        : NaN;
  if (!(Number.isInteger(count) && count >= 1 && count <= 1000)) {
    throw invalid('Invalid value for maxReceiveCount.');
  }
  return { deadLetterTargetArn, maxReceiveCount: count };
}

/**
 * The name of the first requested attribute whose value differs from the queue's, for
 * CreateQueue on an existing name (SQS compares only the attributes the request carries).
 */
export function firstDifference(queue: QueueSettings, changes: SettingChanges): string | undefined {
  for (const [name, { key }] of Object.entries(INTEGER_ATTRIBUTES)) {
    if (changes[key] !== undefined && changes[key] !== queue[key]) return name;
  }
  if (changes.redrivePolicy !== undefined) {
    const wanted = changes.redrivePolicy;
    const current = queue.redrivePolicy;
    const same =
      wanted === null
        ? current === undefined
        : current?.deadLetterTargetArn === wanted.deadLetterTargetArn &&
          current.maxReceiveCount === wanted.maxReceiveCount;
    if (!same) return 'RedrivePolicy';
  }
  return undefined;
}

/** The attribute names a GetQueueAttributes request asks for, `All` expanded. */
export function requestedAttributes(names: readonly string[]): string[] {
  const known = new Set<string>(READABLE_ATTRIBUTES);
  for (const name of names) {
    if (name !== 'All' && !known.has(name)) {
      throw new QueueError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
  }
  if (names.includes('All')) return [...READABLE_ATTRIBUTES];
  return READABLE_ATTRIBUTES.filter((name) => names.includes(name));
}

export type QueueCounts = Record<(typeof COUNTS)[number], number>;

/** One readable attribute's value as GetQueueAttributes writes it, or undefined when unset. */
export function attributeValue(
  queue: QueueInfo,
  counts: QueueCounts,
  name: string,
): string | undefined {
  const integer = INTEGER_ATTRIBUTES[name];
  if (integer) return String(queue[integer.key]);
  switch (name) {
    case 'QueueArn':
      return queue.arn;
    case 'CreatedTimestamp':
      return String(Math.floor(queue.createdAt / 1000));
    case 'LastModifiedTimestamp':
      return String(Math.floor(queue.lastModifiedAt / 1000));
    case 'RedrivePolicy':
      return queue.redrivePolicy && JSON.stringify(queue.redrivePolicy);
    default:
      return (COUNTS as readonly string[]).includes(name)
        ? String(counts[name as keyof QueueCounts])
        : undefined;
  }
}
