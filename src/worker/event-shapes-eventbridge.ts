/**
 * An S3 event in EventBridge's envelope (what an EventBridge rule with an SQS target puts on
 * the queue), turned into the S3 event record S3 would have sent to SQS for the same change.
 * Facts and sources: the header of event-shapes.ts and src/eventbridge/s3-event.ts.
 */
import { encodeEventKey } from '../events/index.js';
import type { S3EventRecordInput } from '../pipeline/index.js';
import {
  optionalSize,
  optionalString,
  requiredObject,
  requiredString,
  type Outcome,
} from './event-shapes-json.js';

/**
 * `detail.reason` of Object Created events: "the S3 API used to create the object" (S3 User
 * Guide, ev-events, "Event message detail field").
 */
const CREATED_BY_REASON: Readonly<Record<string, string>> = {
  PutObject: 'ObjectCreated:Put',
  'POST Object': 'ObjectCreated:Post',
  CopyObject: 'ObjectCreated:Copy',
  CompleteMultipartUpload: 'ObjectCreated:CompleteMultipartUpload',
};

/** Object Deleted: `reason` names the family, `deletion-type` the event (ev-events). */
const DELETED_BY_REASON: Readonly<Record<string, string>> = {
  DeleteObject: 'ObjectRemoved',
  'Lifecycle Expiration': 'LifecycleExpiration',
};
const DELETION_TYPES: Readonly<Record<string, string>> = {
  'Permanently Deleted': 'Delete',
  'Delete Marker Created': 'DeleteMarkerCreated',
};

/**
 * The other detail types, each the image of one S3 event name in the S3 User Guide's mapping
 * table ("Amazon EventBridge mapping and troubleshooting"), as src/eventbridge/s3-event.ts
 * builds them.
 */
const BY_DETAIL_TYPE: Readonly<Record<string, string>> = {
  'Object Restore Initiated': 'ObjectRestore:Post',
  'Object Restore Completed': 'ObjectRestore:Completed',
  'Object Restore Expired': 'ObjectRestore:Delete',
  'Object Storage Class Changed': 'LifecycleTransition',
  'Object Access Tier Changed': 'IntelligentTiering',
  'Object ACL Updated': 'ObjectAcl:Put',
  'Object Tags Added': 'ObjectTagging:Put',
  'Object Tags Deleted': 'ObjectTagging:Delete',
};

/** Whether a body is an EventBridge event (of any source). */
export function isEventBridgeEvent(body: Record<string, unknown>): boolean {
  return 'detail-type' in body && 'source' in body && 'detail' in body;
}

/** The record for an `aws.s3` EventBridge event. */
export function readEventBridgeEvent(body: Record<string, unknown>): Outcome<S3EventRecordInput> {
  const source = requiredString(body, 'source', 'event');
  if ('reason' in source) return source;
  if (source.value !== 'aws.s3') {
    return { reason: `EventBridge event from source "${source.value}", not aws.s3` };
  }
  const time = requiredString(body, 'time', 'event');
  if ('reason' in time) return time;
  const detail = requiredObject(body, 'detail', 'event');
  if ('reason' in detail) return detail;
  const eventName = eventNameOf(body, detail.value);
  if ('reason' in eventName) return eventName;
  const bucket = requiredObject(detail.value, 'bucket', 'detail');
  if ('reason' in bucket) return bucket;
  const bucketName = requiredString(bucket.value, 'name', 'detail.bucket');
  if ('reason' in bucketName) return bucketName;
  const object = requiredObject(detail.value, 'object', 'detail');
  if ('reason' in object) return object;
  const key = requiredString(object.value, 'key', 'detail.object');
  if ('reason' in key) return key;
  const size = optionalSize(object.value, 'size', 'detail.object', false);
  if ('reason' in size) return size;
  const etag = optionalString(object.value, 'etag', 'detail.object');
  if ('reason' in etag) return etag;
  const versionId = optionalString(object.value, 'version-id', 'detail.object');
  if ('reason' in versionId) return versionId;
  const sequencer = optionalString(object.value, 'sequencer', 'detail.object');
  if ('reason' in sequencer) return sequencer;
  return {
    value: {
      eventName: eventName.value,
      eventTime: time.value,
      s3: {
        bucket: { name: bucketName.value },
        object: {
          // EventBridge keys are as stored; S3 event records carry them form-URL-encoded.
          key: encodeEventKey(key.value),
          ...(size.value !== undefined ? { size: size.value } : {}),
          ...(etag.value !== undefined ? { eTag: etag.value } : {}),
          ...(versionId.value !== undefined ? { versionId: versionId.value } : {}),
          ...(sequencer.value !== undefined ? { sequencer: sequencer.value } : {}),
        },
      },
    },
  };
}

function eventNameOf(
  body: Record<string, unknown>,
  detail: Record<string, unknown>,
): Outcome<string> {
  const detailType = requiredString(body, 'detail-type', 'event');
  if ('reason' in detailType) return detailType;
  if (detailType.value === 'Object Created') {
    const reason = requiredString(detail, 'reason', 'detail');
    if ('reason' in reason) return reason;
    const name = CREATED_BY_REASON[reason.value];
    return name !== undefined
      ? { value: name }
      : {
          reason: `Object Created with detail.reason "${reason.value}", not an S3 API Vigil knows`,
        };
  }
  if (detailType.value === 'Object Deleted') {
    const reason = requiredString(detail, 'reason', 'detail');
    if ('reason' in reason) return reason;
    const deletion = requiredString(detail, 'deletion-type', 'detail');
    if ('reason' in deletion) return deletion;
    const family = DELETED_BY_REASON[reason.value];
    const type = DELETION_TYPES[deletion.value];
    if (family === undefined) {
      return { reason: `Object Deleted with detail.reason "${reason.value}", not one Vigil knows` };
    }
    if (type === undefined) {
      return {
        reason: `Object Deleted with detail.deletion-type "${deletion.value}", not one Vigil knows`,
      };
    }
    return { value: `${family}:${type}` };
  }
  const name = BY_DETAIL_TYPE[detailType.value];
  return name !== undefined
    ? { value: name }
    : { reason: `EventBridge detail-type "${detailType.value}" has no S3 event name Vigil knows` };
}
