import {
  destinationProblemsError,
  missingDestinationReason,
  notificationFromXml,
  notificationToXml,
  NotificationXmlError,
  validateNotificationConfiguration,
  type DestinationConfiguration,
  type DestinationProblem,
  type NotificationConfiguration,
} from '../../events/index.js';
import {
  header,
  readSmallBody,
  requireBucket,
  sendEmpty,
  sendXml,
  type S3Context,
} from '../context.js';
import { S3Error } from '../errors.js';
import { parseXmlBody } from '../xml.js';

const NONE: NotificationConfiguration = { destinations: [], eventBridge: false };

/**
 * PutBucketNotificationConfiguration: parse, validate as S3 does, check that every
 * destination exists (unless `x-amz-skip-destination-validation: true`), replace the stored
 * configuration, then tell the notification system which destinations are new.
 */
export async function putNotification(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  ctx.deps.engine.requireBucket(bucket);
  const root = parseXmlBody(await readSmallBody(ctx), 'NotificationConfiguration');
  let config: NotificationConfiguration;
  try {
    config = notificationFromXml(root);
  } catch (error) {
    if (error instanceof NotificationXmlError) throw new S3Error('MalformedXML');
    throw error;
  }
  validateNotificationConfiguration(config);
  if (header(ctx, 'x-amz-skip-destination-validation')?.toLowerCase() !== 'true') {
    const problems = destinationProblems(ctx, bucket, config.destinations);
    if (problems.length > 0) throw destinationProblemsError(problems);
  }

  const previous = storedConfiguration(ctx, bucket);
  const empty = config.destinations.length === 0 && !config.eventBridge;
  ctx.deps.engine.putNotificationConfiguration(bucket, empty ? undefined : JSON.stringify(config));
  const known = new Set(previous.destinations.map(destinationKey));
  const added = config.destinations.filter((d) => !known.has(destinationKey(d)));
  ctx.deps.notifications?.configurationStored(bucket, added, {
    requestId: ctx.requestId,
    hostId: ctx.hostId,
  });
  sendEmpty(ctx, 200);
}

export function getNotification(ctx: S3Context): void {
  const config = storedConfiguration(ctx, requireBucket(ctx));
  sendXml(ctx, 200, 'NotificationConfiguration', notificationToXml(config));
}

/**
 * Every unusable destination, once per (kind, ARN) in configuration order. Without a
 * notification system attached no destination exists, and S3's "does not exist" reasons apply.
 */
function destinationProblems(
  ctx: S3Context,
  bucket: string,
  destinations: readonly DestinationConfiguration[],
): DestinationProblem[] {
  const problems: DestinationProblem[] = [];
  const checked = new Set<string>();
  for (const { kind, arn } of destinations) {
    const key = destinationKey({ kind, arn });
    if (checked.has(key)) continue;
    checked.add(key);
    const reason = ctx.deps.notifications
      ? ctx.deps.notifications.problemWith(kind, arn, bucket)
      : missingDestinationReason(kind, arn);
    if (reason !== undefined) problems.push({ kind, arn, reason });
  }
  return problems;
}

function storedConfiguration(ctx: S3Context, bucket: string): NotificationConfiguration {
  const stored = ctx.deps.engine.getNotificationConfiguration(bucket);
  return stored ? (JSON.parse(stored) as NotificationConfiguration) : NONE;
}

function destinationKey(d: Pick<DestinationConfiguration, 'kind' | 'arn'>): string {
  return `${d.kind} ${d.arn}`;
}
