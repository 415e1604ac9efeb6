/**
 * S3 events as S3 sends them to Amazon EventBridge: the envelope and its `detail`, field for
 * field and in AWS's key order. Pure: no I/O; the caller supplies the event id.
 *
 * Sources (copies and notes in test/fixtures/aws-events/eventbridge-*.json):
 * - S3 User Guide, "EventBridge event message structure" (ev-events), "Using EventBridge" and
 *   "Amazon EventBridge mapping and troubleshooting": the detail types, the mapping from S3 event
 *   names, the field list and its order, and four examples (awsdocs/amazon-s3-userguide
 *   doc_source/ev-events.md at 0bd3dc39; the live page adds `event-version`).
 * - LocalStack's AWS-validated snapshot tests/aws/services/s3/test_s3_notifications_eventbridge
 *   (recorded 2023 against real AWS): Object Created, Object Deleted, Object ACL Updated, Object
 *   Restore Initiated/Completed, each with exactly the fields it carries.
 * - For the detail types nobody recorded (tags, restore expired, storage class, access tier): the
 *   EventBridge schema registry's aws.s3 shapes, as AWS CDK's generated `@aws-cdk/mixins-preview`
 *   aws_s3 events publish them (field names only, not order or presence rules). UNVERIFIED
 *   against a real event.
 *
 * Keys are NOT URL-encoded here, unlike `s3.object.key` in SQS/SNS/Lambda records. Neither the
 * docs nor the LocalStack recordings say so (every key there is plain ASCII); the evidence is
 * third-party: a captured event whose key keeps `:` (gist vincentclaes/7a5eb53a, 2023), one in
 * AWS's clickstream solution that keeps `=`, and aws-samples/s3-to-lambda-patterns 6071ada
 * ("object keys in S3 EventBridge events are not URL-encoded"), against an older commit of the
 * same repo that decoded them.
 */
import { sequencerOf, type EventOrigin } from '../events/index.js';

/** An event on an EventBridge bus, envelope keys in AWS's order. */
export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/**
 * The S3 event names S3 sends to EventBridge (ev-mapping-troubleshooting), without `s3:`. Listed
 * here rather than derived from S3EventName: AWS's mapping table, not Vigil's, decides it.
 */
export type S3EventBridgeEventName =
  | 'ObjectCreated:Put'
  | 'ObjectCreated:Post'
  | 'ObjectCreated:Copy'
  | 'ObjectCreated:CompleteMultipartUpload'
  | 'ObjectRemoved:Delete'
  | 'ObjectRemoved:DeleteMarkerCreated'
  | 'ObjectTagging:Put'
  | 'ObjectTagging:Delete'
  | 'ObjectRestore:Post'
  | 'ObjectRestore:Completed'
  | 'ObjectRestore:Delete'
  | 'LifecycleExpiration:Delete'
  | 'LifecycleExpiration:DeleteMarkerCreated'
  | 'LifecycleTransition'
  | 'IntelligentTiering'
  | 'ObjectAcl:Put';

export interface S3EventBridgeInput {
  eventName: S3EventBridgeEventName;
  bucket: string;
  object: {
    /** The key as stored; EventBridge carries it as is (see the note on keys above). */
    key: string;
    size?: number;
    /** With or without the quotes of the `ETag` header; the event carries it without. */
    etag?: string;
    /** Left out when absent or `"null"` (unversioned or suspended bucket). */
    versionId?: string;
    /** Becomes `sequencer`, formatted as in the SQS/SNS/Lambda records (sequencerOf). */
    sequence?: number;
  };
  /** `request-id`, `source-ip-address`, `region` (the bucket's) and `time`. */
  origin: EventOrigin;
  /** `account`: the 12-digit account id of the bucket owner. */
  account: string;
  /**
   * `requester`: "AWS account ID or AWS service principal of requester". Defaults to `account`
   * for events a request causes and to `s3.amazonaws.com` for those S3 starts itself.
   */
  requester?: string;
  /** Object Restore Initiated and Completed: the archived copy's class; Completed: its expiry. */
  restore?: { sourceStorageClass: string; expiryTime?: Date };
  /** Object Storage Class Changed: the class the object moved to. */
  destinationStorageClass?: string;
  /** Object Access Tier Changed: the Intelligent-Tiering tier the object moved to. */
  destinationAccessTier?: 'ARCHIVE_ACCESS' | 'DEEP_ARCHIVE_ACCESS';
  /** Supplies the event's UUID. */
  id: () => string;
  /**
   * `detail.event-version`. Defaults to S3_EVENTBRIDGE_EVENT_VERSION; `null` leaves the field
   * out, as S3 did when LocalStack recorded its events (2023).
   */
  eventVersion?: string | null;
}

/**
 * The `event-version` Vigil claims. The live ev-events page added the field (`major.minor`,
 * "equal-to comparison on the major version", ">=" on the minor) after 2023; it showed "1.0",
 * later "1.1", whose additions (`aws-generated-tags`, annotation events, `has-object-annotation`
 * on CopyObject) Vigil does not produce. UNVERIFIED: which value real S3 sends today.
 */
export const S3_EVENTBRIDGE_EVENT_VERSION = '1.0';

type DetailType =
  | 'Object Created'
  | 'Object Deleted'
  | 'Object Restore Initiated'
  | 'Object Restore Completed'
  | 'Object Restore Expired'
  | 'Object Storage Class Changed'
  | 'Object Access Tier Changed'
  | 'Object ACL Updated'
  | 'Object Tags Added'
  | 'Object Tags Deleted';

/** What one event name's `detail` carries. */
interface DetailShape {
  detailType: DetailType;
  /** S3 starts it, not a request: `requester` is S3's principal, no `source-ip-address`. */
  byS3: boolean;
  size: boolean;
  etag: boolean;
  sequencer: boolean;
  reason?: string;
  deletionType?: 'Permanently Deleted' | 'Delete Marker Created';
  extra?: 'restore-initiated' | 'restore-completed' | 'storage-class' | 'access-tier';
}

const created = (reason: string): DetailShape => ({
  detailType: 'Object Created',
  byS3: false,
  size: true,
  etag: true,
  sequencer: true,
  reason,
});

/** Permanent deletes carry neither size nor etag (recorded); markers the empty MD5 (docs). */
const deleted = (byS3: boolean, marker: boolean): DetailShape => ({
  detailType: 'Object Deleted',
  byS3,
  size: false,
  etag: marker,
  sequencer: true,
  reason: byS3 ? 'Lifecycle Expiration' : 'DeleteObject',
  deletionType: marker ? 'Delete Marker Created' : 'Permanently Deleted',
});

/** Object ACL Updated is recorded (key and etag only); the tag events share its schema. */
const aboutObject = (detailType: DetailType): DetailShape => ({
  detailType,
  byS3: false,
  size: false,
  etag: true,
  sequencer: false,
});

/**
 * One row per event name. Recorded from AWS (LocalStack): ObjectCreated:Put, ObjectRemoved:Delete
 * (unversioned), ObjectAcl:Put, ObjectRestore:Post/Completed. Documented with an example:
 * ObjectCreated:Put, both DeleteMarkerCreated, ObjectRestore:Completed. The reasons of Post, Copy
 * and CompleteMultipartUpload are the docs' list (CompleteMultipartUpload also captured). The
 * rest is UNVERIFIED: LifecycleExpiration:Delete is taken to look like ObjectRemoved:Delete;
 * ObjectRestore:Delete, LifecycleTransition, IntelligentTiering and tagging follow the schema
 * registry's field lists, with S3's principal as requester where the schema has no
 * source-ip-address; DeleteObjects is taken to say "DeleteObject" like DeleteObject does.
 */
const SHAPES: Record<S3EventBridgeEventName, DetailShape> = {
  'ObjectCreated:Put': created('PutObject'),
  'ObjectCreated:Post': created('POST Object'),
  'ObjectCreated:Copy': created('CopyObject'),
  'ObjectCreated:CompleteMultipartUpload': created('CompleteMultipartUpload'),
  'ObjectRemoved:Delete': deleted(false, false),
  'ObjectRemoved:DeleteMarkerCreated': deleted(false, true),
  'LifecycleExpiration:Delete': deleted(true, false),
  'LifecycleExpiration:DeleteMarkerCreated': deleted(true, true),
  'ObjectRestore:Post': {
    ...aboutObject('Object Restore Initiated'),
    size: true,
    extra: 'restore-initiated',
  },
  'ObjectRestore:Completed': {
    ...aboutObject('Object Restore Completed'),
    byS3: true,
    size: true,
    extra: 'restore-completed',
  },
  'ObjectRestore:Delete': { ...aboutObject('Object Restore Expired'), byS3: true },
  LifecycleTransition: {
    ...aboutObject('Object Storage Class Changed'),
    byS3: true,
    size: true,
    extra: 'storage-class',
  },
  IntelligentTiering: {
    ...aboutObject('Object Access Tier Changed'),
    byS3: true,
    size: true,
    extra: 'access-tier',
  },
  'ObjectAcl:Put': aboutObject('Object ACL Updated'),
  'ObjectTagging:Put': aboutObject('Object Tags Added'),
  'ObjectTagging:Delete': aboutObject('Object Tags Deleted'),
};

/** Whether S3 sends events of this name (no `s3:` prefix) to EventBridge. */
export function isS3EventBridgeEventName(name: string): name is S3EventBridgeEventName {
  return Object.hasOwn(SHAPES, name);
}

/**
 * The EventBridge detail-type for an S3 event name, per the S3 User Guide's mapping table.
 * Throws a RangeError for names S3 does not send to EventBridge (replication, RRS loss, wildcards).
 *
 * @example detailTypeOf('ObjectCreated:Put') // 'Object Created'
 */
export function detailTypeOf(eventName: string): string {
  return shapeOf(eventName).detailType;
}

function shapeOf(eventName: string): DetailShape {
  if (!isS3EventBridgeEventName(eventName)) {
    throw new RangeError(`S3 sends no "${eventName}" events to EventBridge`);
  }
  return SHAPES[eventName];
}

/** S3's service principal, the `requester` of what S3 does by itself (docs' lifecycle example). */
const S3_PRINCIPAL = 's3.amazonaws.com';
/** MD5 of zero bytes: the etag of a delete marker (docs' examples). */
const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

/**
 * Builds the event S3 puts on the default bus for one S3 event.
 *
 * @example
 * buildS3EventBridgeEvent({
 *   eventName: 'ObjectCreated:Put', bucket: 'photos', account: '111122223333', origin,
 *   object: { key: 'red flower.jpg', size: 5, etag: '"b1946ac92492d2347c6235b4d2611184"', sequence: 7 },
 *   id: () => crypto.randomUUID(),
 * }).detail // { version: '0', 'event-version': '1.0', bucket: { name: 'photos' },
 *           //   object: { key: 'red flower.jpg', size: 5, etag: 'b1946…', sequencer: '0000…07' },
 *           //   'request-id': …, requester: '111122223333', 'source-ip-address': …, reason: 'PutObject' }
 */
export function buildS3EventBridgeEvent(input: S3EventBridgeInput): EventBridgeEvent {
  const shape = shapeOf(input.eventName);
  if (!/^\d{12}$/.test(input.account)) {
    throw new RangeError(`account must be a 12-digit account id, got "${input.account}"`);
  }
  return {
    version: '0',
    id: input.id(),
    'detail-type': shape.detailType,
    source: 'aws.s3',
    account: input.account,
    time: eventBridgeTime(input.origin.time),
    region: input.origin.region,
    resources: [`arn:aws:s3:::${input.bucket}`],
    detail: detailOf(shape, input),
  };
}

/** Keys in the order of the docs' field list, which their examples follow. */
function detailOf(shape: DetailShape, input: S3EventBridgeInput): Record<string, unknown> {
  const detail: Record<string, unknown> = { version: '0' };
  const eventVersion =
    input.eventVersion === undefined ? S3_EVENTBRIDGE_EVENT_VERSION : input.eventVersion;
  if (eventVersion !== null) detail['event-version'] = eventVersion;
  detail.bucket = { name: input.bucket };
  detail.object = objectOf(shape, input);
  detail['request-id'] = input.origin.requestId;
  detail.requester = input.requester ?? (shape.byS3 ? S3_PRINCIPAL : input.account);
  if (!shape.byS3) detail['source-ip-address'] = input.origin.sourceIp;
  if (shape.reason !== undefined) detail.reason = shape.reason;
  if (shape.deletionType !== undefined) detail['deletion-type'] = shape.deletionType;
  const need = <T>(field: string, value: T | undefined): T => required(input, field, value);
  switch (shape.extra) {
    case 'restore-initiated':
      detail['source-storage-class'] = need('restore', input.restore).sourceStorageClass;
      break;
    case 'restore-completed': {
      const restore = need('restore', input.restore);
      detail['restore-expiry-time'] = eventBridgeTime(
        need('restore.expiryTime', restore.expiryTime),
      );
      detail['source-storage-class'] = restore.sourceStorageClass;
      break;
    }
    case 'storage-class':
      detail['destination-storage-class'] = need(
        'destinationStorageClass',
        input.destinationStorageClass,
      );
      break;
    case 'access-tier':
      detail['destination-access-tier'] = need(
        'destinationAccessTier',
        input.destinationAccessTier,
      );
      break;
    case undefined:
      break;
  }
  return detail;
}

/** `detail.object`: key, size, etag, version-id, sequencer, in that order (docs' examples). */
function objectOf(shape: DetailShape, input: S3EventBridgeInput): Record<string, unknown> {
  const given = input.object;
  const object: Record<string, unknown> = { key: given.key };
  if (shape.size) {
    const size = required(input, 'object.size', given.size);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new RangeError(`object size must be a non-negative integer, got ${size}`);
    }
    object.size = size;
  }
  if (shape.etag) {
    const marker = shape.deletionType === 'Delete Marker Created';
    object.etag = unquote(
      required(input, 'object.etag', given.etag ?? (marker ? EMPTY_MD5 : undefined)),
    );
  }
  // Unversioned buckets: no version-id (recorded). Suspended ("null"): left out as in the
  // SQS records; UNVERIFIED for EventBridge (LocalStack's emulator does the same).
  if (given.versionId !== undefined && given.versionId !== 'null') {
    object['version-id'] = given.versionId;
  }
  if (shape.sequencer) {
    object.sequencer = sequencerOf(required(input, 'object.sequence', given.sequence));
  }
  return object;
}

function required<T>(input: S3EventBridgeInput, field: string, value: T | undefined): T {
  if (value === undefined) {
    throw new TypeError(`${input.eventName} EventBridge events need ${field}, and none was given`);
  }
  return value;
}

function unquote(etag: string): string {
  return etag.length >= 2 && etag.startsWith('"') && etag.endsWith('"') ? etag.slice(1, -1) : etag;
}

/**
 * EventBridge times are whole seconds, `2021-11-12T00:00:00Z` (docs; captured events such as
 * `2023-08-09T13:09:50Z`). Milliseconds are dropped, not rounded (UNVERIFIED which AWS does).
 */
function eventBridgeTime(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
