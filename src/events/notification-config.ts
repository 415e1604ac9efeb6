import { invalidArgument, S3Error } from '../s3/errors.js';
import { eventNameMatches, isKnownEventName } from './matching.js';
import type {
  DestinationConfiguration,
  DestinationKind,
  NotificationConfiguration,
} from './types.js';

/**
 * Most destination configurations one bucket may hold. AWS's documentation only links to
 * "Amazon S3 service quotas"; 100 is the figure quoted from the AWS console by third parties
 * (reference §4.1). The EventBridge switch is not a destination and does not count.
 */
export const MAX_NOTIFICATION_CONFIGURATIONS = 100;

/** The XML element that holds each kind's ARN: S3 names it in `ArgumentName`. */
export const ARN_ELEMENT: Record<DestinationKind, 'Queue' | 'Topic' | 'CloudFunction'> = {
  queue: 'Queue',
  topic: 'Topic',
  lambda: 'CloudFunction',
};

/** A destination ARN taken apart. */
export interface DestinationArn {
  service: 'sqs' | 'sns' | 'lambda' | 'webhook' | 'nats';
  /** `aws`, `aws-cn`, `aws-us-gov`, …; `vigil` for webhooks and NATS JetStream destinations. */
  partition: string;
  /** May be empty for webhooks and NATS destinations. */
  region: string;
  /** Twelve digits; may be empty for webhooks and NATS destinations. */
  account: string;
  name: string;
  /** A Lambda version or alias (`$LATEST`, `3`, `live`). */
  qualifier?: string;
}

const PARTITION = 'aws(?:-[a-z]+)*';
const REGION = '[a-z0-9]+(?:-[a-z0-9]+)*';
const SQS = new RegExp(`^arn:(${PARTITION}):sqs:(${REGION}):(\\d{12}):([\\w-]+(?:\\.fifo)?)$`);
const SNS = new RegExp(`^arn:(${PARTITION}):sns:(${REGION}):(\\d{12}):([\\w-]+(?:\\.fifo)?)$`);
const LAMBDA = new RegExp(
  `^arn:(${PARTITION}):lambda:(${REGION}):(\\d{12}):function:([\\w-]{1,64})(?::(\\$LATEST|[\\w-]{1,128}))?$`,
);
// Vigil's own destination kind, placed in a QueueConfiguration as MinIO places its targets.
const WEBHOOK = new RegExp(`^arn:(vigil):webhook:((?:${REGION})?):((?:\\d{12})?):([\\w-]{1,80})$`);
// A NATS JetStream subject declared in the config file (`nats.destinations`), named the same way.
const NATS = new RegExp(`^arn:(vigil):nats:((?:${REGION})?):((?:\\d{12})?):([\\w-]{1,80})$`);

/**
 * Reads a destination ARN of the form its configuration kind requires, or undefined when S3
 * would answer "The ARN could not be parsed": queues take `arn:<partition>:sqs:<region>:
 * <account>:<name>` or Vigil's `arn:vigil:webhook:[<region>]:[<account>]:<name>` and
 * `arn:vigil:nats:[<region>]:[<account>]:<name>`; topics
 * `arn:<partition>:sns:<region>:<account>:<name>`; functions `arn:<partition>:lambda:
 * <region>:<account>:function:<name>[:<qualifier>]`.
 *
 * @example parseDestinationArn('queue', 'arn:aws:sqs:us-east-1:000000000000:review')
 * // { service: 'sqs', partition: 'aws', region: 'us-east-1', account: '000000000000', name: 'review' }
 */
export function parseDestinationArn(
  kind: DestinationKind,
  arn: string,
): DestinationArn | undefined {
  const read = (service: DestinationArn['service'], pattern: RegExp, maxName: number) => {
    const m = pattern.exec(arn);
    if (!m || m[4]!.length > maxName) return undefined;
    const parsed: DestinationArn = {
      service,
      partition: m[1]!,
      region: m[2]!,
      account: m[3]!,
      name: m[4]!,
    };
    if (m[5] !== undefined) parsed.qualifier = m[5];
    return parsed;
  };
  switch (kind) {
    case 'queue':
      return read('sqs', SQS, 80) ?? read('webhook', WEBHOOK, 80) ?? read('nats', NATS, 80);
    case 'topic':
      return read('sns', SNS, 256);
    case 'lambda':
      return read('lambda', LAMBDA, 64);
  }
}

/**
 * Checks a parsed configuration as S3 does before it looks at any destination, throwing the
 * first problem as S3's error. In order: the number of configurations; then each
 * configuration's ARN, event names and filter rules; then duplicate Ids; then overlaps.
 * ARNs of every configuration are checked before any destination is looked up (LocalStack's
 * `test_multiple_invalid_sqs_arns` recording: a malformed second ARN wins over a missing
 * first queue), which is why existence checks live in the handler, after this.
 */
export function validateNotificationConfiguration(config: NotificationConfiguration): void {
  const { destinations } = config;
  if (destinations.length > MAX_NOTIFICATION_CONFIGURATIONS) {
    // Vigil's wording: AWS's response to the 101st configuration is not recorded anywhere.
    throw invalidArgument(
      `A bucket can have at most ${MAX_NOTIFICATION_CONFIGURATIONS} notification configurations.`,
      'NotificationConfiguration',
      String(destinations.length),
    );
  }
  for (const destination of destinations) validateOne(destination);
  rejectDuplicateIds(destinations);
  rejectOverlaps(destinations);
}

function validateOne({ kind, arn, events, filterRules }: DestinationConfiguration): void {
  if (parseDestinationArn(kind, arn) === undefined)
    throw invalidArgument('The ARN could not be parsed', ARN_ELEMENT[kind], arn);
  for (const event of events) {
    if (!isKnownEventName(event))
      throw invalidArgument('The event is not supported for notifications', 'Event', event);
  }
  const seen = new Set<string>();
  for (const rule of filterRules) {
    const name = rule.name.toLowerCase();
    if (name !== 'prefix' && name !== 'suffix')
      throw invalidArgument(
        'filter rule name must be either prefix or suffix',
        'FilterRule.Name',
        rule.name,
      );
    if (seen.has(name))
      throw new S3Error(
        'InvalidArgument',
        `Cannot specify more than one ${name} rule in a filter.`,
      );
    seen.add(name);
  }
}

/**
 * Ids name configurations in every event (`s3.configurationId`), so two configurations with
 * one Id would be indistinguishable to consumers. AWS's answer is not recorded; Vigil refuses
 * with InvalidArgument naming the Id.
 */
function rejectDuplicateIds(destinations: readonly DestinationConfiguration[]): void {
  const ids = new Set<string>();
  for (const { id } of destinations) {
    if (ids.has(id))
      throw invalidArgument(
        'Configuration Ids must be unique within a notification configuration.',
        'Id',
        id,
      );
    ids.add(id);
  }
}

/**
 * Two configurations conflict when they share an event type (a wildcard shares with every
 * name it covers), their prefixes overlap (one starts the other; a missing prefix is `""`
 * and overlaps every prefix) and their suffixes overlap (one ends the other). Source: S3 User
 * Guide, "Configuring event notifications using object key name filtering".
 *
 * Which of S3's two messages: when the two filters are the same (both absent, or the same
 * prefix and suffix), nothing tells the configurations apart and S3 reports the shared event
 * types: "Configurations overlap…", ArgumentName `Event`, ArgumentValue `<a's>, <b's>` (real
 * S3 response for one configuration put twice, quoted in minio/minio#2472). When the filters
 * differ but still overlap, S3 reports "Configuration is ambiguously defined…" with no
 * argument: seen for a filterless rule beside a filtered one
 * (aws-solutions/aws-waf-security-automations#49, DataDog/datadog-serverless-functions#262)
 * and for overlapping suffixes (hashicorp/terraform-provider-aws#1582).
 */
function rejectOverlaps(destinations: readonly DestinationConfiguration[]): void {
  for (let i = 0; i < destinations.length; i++) {
    for (let j = i + 1; j < destinations.length; j++) {
      const a = destinations[i]!;
      const b = destinations[j]!;
      const shared = sharedEvent(a.events, b.events);
      if (shared === undefined) continue;
      const fa = keyFilter(a);
      const fb = keyFilter(b);
      const prefixesOverlap = fa.prefix.startsWith(fb.prefix) || fb.prefix.startsWith(fa.prefix);
      const suffixesOverlap = fa.suffix.endsWith(fb.suffix) || fb.suffix.endsWith(fa.suffix);
      if (!prefixesOverlap || !suffixesOverlap) continue;
      if (fa.prefix === fb.prefix && fa.suffix === fb.suffix) {
        throw invalidArgument(
          'Configurations overlap. Configurations on the same bucket cannot share a common event type.',
          'Event',
          `${shared[0]}, ${shared[1]}`,
        );
      }
      throw new S3Error(
        'InvalidArgument',
        'Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are overlapping for the same event type.',
      );
    }
  }
}

/** The first pair of event names, one from each list, that select a common event. */
function sharedEvent(a: readonly string[], b: readonly string[]): [string, string] | undefined {
  for (const x of a) {
    for (const y of b) {
      if (eventNameMatches(x, y) || eventNameMatches(y, x)) return [x, y];
    }
  }
  return undefined;
}

/** A validated filter as one prefix and one suffix; absent rules match everything (`""`). */
function keyFilter(d: DestinationConfiguration): { prefix: string; suffix: string } {
  const value = (name: string) =>
    d.filterRules.find((r) => r.name.toLowerCase() === name)?.value ?? '';
  return { prefix: value('prefix'), suffix: value('suffix') };
}

/** A destination `NotificationDestinations.problemWith` found unusable, and why. */
export interface DestinationProblem {
  kind: DestinationKind;
  arn: string;
  reason: string;
}

/**
 * S3's reason for a destination that does not exist: what Vigil answers when no
 * notification system is attached. Texts from LocalStack's AWS recordings (reference §4.3).
 */
export function missingDestinationReason(kind: DestinationKind, arn: string): string {
  switch (kind) {
    case 'queue':
      return 'The destination queue does not exist';
    case 'topic':
      return 'The destination topic does not exist';
    case 'lambda':
      return `Not authorized to invoke function [${arn}]`;
  }
}

/**
 * The one error S3 returns for every unusable destination of a configuration, numbered from
 * 1 in configuration order: `ArgumentName<n>` is the ARN (for a function, `<arn>, null`, as
 * S3 writes it) and `ArgumentValue<n>` the reason.
 */
export function destinationProblemsError(problems: readonly DestinationProblem[]): S3Error {
  const details: Record<string, string> = {};
  problems.forEach(({ kind, arn, reason }, index) => {
    details[`ArgumentName${index + 1}`] = kind === 'lambda' ? `${arn}, null` : arn;
    details[`ArgumentValue${index + 1}`] = reason;
  });
  return new S3Error(
    'InvalidArgument',
    'Unable to validate the following destination configurations',
    details,
  );
}
