import {
  notificationFromXml,
  notificationToXml,
  NotificationXmlError,
  type NotificationConfiguration,
} from '../../events/index.js';
import { readSmallBody, requireBucket, sendEmpty, sendXml, type S3Context } from '../context.js';
import { S3Error } from '../errors.js';
import { parseXmlBody } from '../xml.js';

export async function putNotification(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  ctx.deps.engine.requireBucket(bucket);
  const root = parseXmlBody(await readSmallBody(ctx), 'NotificationConfiguration');
  let config: NotificationConfiguration;
  try {
    config = notificationFromXml(root);
  } catch (error) {
    if (error instanceof NotificationXmlError) throw new S3Error('MalformedXML', error.message);
    throw error;
  }
  const empty = config.destinations.length === 0 && !config.eventBridge;
  ctx.deps.engine.putNotificationConfiguration(bucket, empty ? undefined : JSON.stringify(config));
  sendEmpty(ctx, 200);
}

export function getNotification(ctx: S3Context): void {
  const stored = ctx.deps.engine.getNotificationConfiguration(requireBucket(ctx));
  const config = stored
    ? (JSON.parse(stored) as NotificationConfiguration)
    : { destinations: [], eventBridge: false };
  sendXml(ctx, 200, 'NotificationConfiguration', notificationToXml(config));
}
