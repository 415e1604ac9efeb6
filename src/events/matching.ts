import type { DestinationConfiguration, FilterRule, NotificationConfiguration } from './types.js';

/**
 * Every event name a notification configuration may name: botocore's `Event` enum for S3
 * (`botocore/data/s3/2006-03-01/service-2.json`, shape `Event`), plus `s3:ObjectAnnotation:*`
 * (the S3 API reference's `CloudFunctionConfiguration` valid values) and
 * `s3:ObjectRetention:Put`, both present in the `Event` enum of the @aws-sdk/client-s3
 * this repository installs. `s3:TestEvent` is sent by S3 but cannot be configured.
 */
export const KNOWN_EVENT_NAMES = [
  's3:ReducedRedundancyLostObject',
  's3:ObjectCreated:*',
  's3:ObjectCreated:Put',
  's3:ObjectCreated:Post',
  's3:ObjectCreated:Copy',
  's3:ObjectCreated:CompleteMultipartUpload',
  's3:ObjectRemoved:*',
  's3:ObjectRemoved:Delete',
  's3:ObjectRemoved:DeleteMarkerCreated',
  's3:ObjectRestore:*',
  's3:ObjectRestore:Post',
  's3:ObjectRestore:Completed',
  's3:ObjectRestore:Delete',
  's3:Replication:*',
  's3:Replication:OperationFailedReplication',
  's3:Replication:OperationNotTracked',
  's3:Replication:OperationMissedThreshold',
  's3:Replication:OperationReplicatedAfterThreshold',
  's3:LifecycleTransition',
  's3:IntelligentTiering',
  's3:ObjectAcl:Put',
  's3:LifecycleExpiration:*',
  's3:LifecycleExpiration:Delete',
  's3:LifecycleExpiration:DeleteMarkerCreated',
  's3:ObjectTagging:*',
  's3:ObjectTagging:Put',
  's3:ObjectTagging:Delete',
  's3:ObjectAnnotation:*',
  's3:ObjectAnnotation:Put',
  's3:ObjectAnnotation:Delete',
  's3:ObjectRetention:Put',
] as const;

export type KnownEventName = (typeof KNOWN_EVENT_NAMES)[number];

const KNOWN = new Set<string>(KNOWN_EVENT_NAMES);

/** Whether `name` may appear in a configuration's `Event` list (case-sensitive, as in S3). */
export function isKnownEventName(name: string): name is KnownEventName {
  return KNOWN.has(name);
}

/**
 * Whether a configured event name selects an event. A trailing `*` stands for any last
 * segment, so `s3:ObjectCreated:*` matches `s3:ObjectCreated:Put` and
 * `s3:ObjectCreated:CompleteMultipartUpload`, but not `s3:ObjectRemoved:Delete`.
 *
 * @example eventNameMatches('s3:ObjectCreated:*', 's3:ObjectCreated:Copy') // true
 */
export function eventNameMatches(configured: string, eventName: string): boolean {
  if (configured === eventName) return true;
  if (!configured.endsWith(':*')) return false;
  const family = configured.slice(0, -1); // keeps the colon: `s3:ObjectCreated:`
  return eventName.startsWith(family) && eventName.length > family.length;
}

/**
 * Whether a key passes a configuration's filter: every `Prefix` rule must start it and every
 * `Suffix` rule must end it, byte for byte (values are case-sensitive; rule names are not).
 * No rules means every key passes.
 *
 * @example keyMatchesFilter([{ name: 'Prefix', value: 'images/' }], 'images/a.jpg') // true
 */
export function keyMatchesFilter(rules: readonly FilterRule[], key: string): boolean {
  return rules.every((rule) => {
    const name = rule.name.toLowerCase();
    if (name === 'prefix') return key.startsWith(rule.value);
    if (name === 'suffix') return key.endsWith(rule.value);
    return false;
  });
}

/**
 * The destination configurations an event on `key` goes to: those with an event name that
 * matches and a filter the key passes, in configuration order.
 *
 * @example matchingDestinations(config, 's3:ObjectCreated:Put', 'uploads/cat.jpg')
 */
export function matchingDestinations(
  config: NotificationConfiguration,
  eventName: string,
  key: string,
): DestinationConfiguration[] {
  return config.destinations.filter(
    (d) =>
      d.events.some((configured) => eventNameMatches(configured, eventName)) &&
      keyMatchesFilter(d.filterRules, key),
  );
}
