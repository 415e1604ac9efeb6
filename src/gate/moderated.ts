/**
 * Which buckets the moderation pipeline watches, read from their notification configuration:
 * the gate's default mode follows from it (closed when watched, open otherwise).
 */
import {
  eventNameMatches,
  parseDestinationArn,
  type NotificationConfiguration,
} from '../events/index.js';

/**
 * Whether the configuration sends the bucket's uploads (`s3:ObjectCreated:*` events, or any
 * of them) to the Lambda-style function `functionName`.
 *
 * @example
 * sendsUploadsTo(seedConfiguration, 'moderate-image') // true
 */
export function sendsUploadsTo(
  configuration: NotificationConfiguration | undefined,
  functionName: string,
): boolean {
  return (configuration?.destinations ?? []).some(
    (destination) =>
      destination.kind === 'lambda' &&
      parseDestinationArn('lambda', destination.arn)?.name === functionName &&
      destination.events.some((event) =>
        CREATED_EVENTS.some((created) => eventNameMatches(event, created)),
      ),
  );
}

const CREATED_EVENTS = [
  's3:ObjectCreated:Put',
  's3:ObjectCreated:Post',
  's3:ObjectCreated:Copy',
  's3:ObjectCreated:CompleteMultipartUpload',
];
