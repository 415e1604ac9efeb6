/**
 * S3 event messages, field for field as AWS sends them to SQS, SNS and Lambda.
 *
 * Field names, key order and per-event omissions follow the AWS template and examples in
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 * (awsdocs/amazon-s3-userguide doc_source/notification-content-structure.md) and the
 * AWS-recorded LocalStack snapshots in test/fixtures/aws-events/. Pure: no I/O.
 */

/** What the request that caused the event tells us about it. */
export interface EventOrigin {
  /** `x-amz-request-id` of the request. */
  requestId: string;
  /** `x-amz-id-2` of the request. */
  hostId: string;
  /** Who made the request (`userIdentity.principalId`). */
  principalId: string;
  /** Client address (`requestParameters.sourceIPAddress`). */
  sourceIp: string;
  /** The bucket's region. */
  region: string;
  /** When the request finished. */
  time: Date;
}

/** Event names Vigil emits, without the `s3:` prefix, as they appear in `eventName`. */
export type S3EventName =
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
  | 'LifecycleTransition';

/** `s3.object`; optional members are present or absent per event (see EVENT_SHAPES). */
export interface S3EventObject {
  key: string;
  size?: number;
  eTag?: string;
  versionId?: string;
  sequencer?: string;
}

export interface S3EventRecord {
  eventVersion: EventVersion;
  eventSource: 'aws:s3';
  awsRegion: string;
  eventTime: string;
  eventName: S3EventName;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: { 'x-amz-request-id': string; 'x-amz-id-2': string };
  s3: {
    s3SchemaVersion: '1.0';
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    object: S3EventObject;
  };
  /** ObjectRestore:Completed only. */
  glacierEventData?: {
    restoreEventData: {
      lifecycleRestorationExpiryTime: string;
      lifecycleRestoreStorageClass: string;
    };
  };
  /** LifecycleTransition only. */
  lifecycleEventData?: { transitionEventData: { destinationStorageClass: string } };
}

export interface S3EventMessage {
  Records: S3EventRecord[];
}

/** The message S3 sends to a queue or topic when a configuration is put (no `Records`). */
export interface S3TestEvent {
  Service: 'Amazon S3';
  Event: 's3:TestEvent';
  Time: string;
  Bucket: string;
  RequestId: string;
  HostId: string;
}

export interface EventRecordInput {
  eventName: S3EventName;
  configurationId: string;
  bucket: string;
  bucketOwnerId: string;
  origin: EventOrigin;
  object: {
    /** The key as stored; it is form-URL-encoded here (see encodeEventKey). */
    key: string;
    size?: number;
    /** With or without the quotes of the `ETag` header; the record carries it without. */
    etag?: string;
    /** Omitted from the record when absent or `"null"` (unversioned or suspended bucket). */
    versionId?: string;
    /** Increases with every change to this key; becomes `sequencer` (see sequencerOf). */
    sequence?: number;
  };
  /** ObjectRestore:Completed: when the restored copy expires, and the class it came from. */
  restore?: { expiryTime: Date; storageClass: string };
  /** LifecycleTransition: the class the version moved to. */
  destinationStorageClass?: string;
}

type EventVersion = '2.1' | '2.2' | '2.3';

/** Which optional `s3.object` fields an event carries, and its `eventVersion`. */
interface EventShape {
  eventVersion: EventVersion;
  size: boolean;
  eTag: boolean;
  sequencer: boolean;
  /** Used when the caller gives no ETag. */
  defaultETag?: string;
}

/** MD5 of zero bytes: the eTag AWS sends for a delete marker. */
const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

const CREATED: EventShape = { eventVersion: '2.1', size: true, eTag: true, sequencer: true };
const TAGGING: EventShape = { eventVersion: '2.3', size: false, eTag: true, sequencer: false };
/**
 * The lifecycle family is version 2.3 ("S3 Lifecycle, S3 Intelligent-Tiering, object ACL,
 * object tagging, and object restoration delete events"); AWS's LifecycleExpiration:Delete
 * example (lifecycle-configure-notification.md) carries only key and sequencer. The same
 * shape for ObjectRestore:Delete and LifecycleExpiration:DeleteMarkerCreated is our reading,
 * not a recording (docs/notifications.md says so).
 */
const LIFECYCLE_DELETE: EventShape = {
  eventVersion: '2.3',
  size: false,
  eTag: false,
  sequencer: true,
};

/**
 * One row per event name; a new event (versioning, restore, ACL) is one more row. Source: the
 * AWS-recorded LocalStack snapshots (reference §1.5): deletes carry neither size nor eTag;
 * delete markers carry the empty MD5; tagging events are version 2.3 without size or
 * sequencer.
 */
const EVENT_SHAPES: Record<S3EventName, EventShape> = {
  'ObjectCreated:Put': CREATED,
  'ObjectCreated:Post': CREATED,
  'ObjectCreated:Copy': CREATED,
  'ObjectCreated:CompleteMultipartUpload': CREATED,
  'ObjectRemoved:Delete': { eventVersion: '2.1', size: false, eTag: false, sequencer: true },
  'ObjectRemoved:DeleteMarkerCreated': {
    eventVersion: '2.1',
    size: false,
    eTag: true,
    sequencer: true,
    defaultETag: EMPTY_MD5,
  },
  'ObjectTagging:Put': TAGGING,
  'ObjectTagging:Delete': TAGGING,
  // Recorded from AWS (LocalStack snapshots; a user's captured ObjectRestore:Completed in
  // test/fixtures/aws-events): size, eTag and sequencer, version 2.1.
  'ObjectRestore:Post': CREATED,
  'ObjectRestore:Completed': CREATED,
  'ObjectRestore:Delete': LIFECYCLE_DELETE,
  'LifecycleExpiration:Delete': LIFECYCLE_DELETE,
  'LifecycleExpiration:DeleteMarkerCreated': LIFECYCLE_DELETE,
  // Not documented beyond lifecycleEventData: the object as it is, like ObjectRestore:Post.
  LifecycleTransition: { eventVersion: '2.3', size: true, eTag: true, sequencer: true },
};

/**
 * Builds one record of an S3 event message.
 *
 * @example
 * buildEventRecord({
 *   eventName: 'ObjectCreated:Put', configurationId: 'images', bucket: 'photos',
 *   bucketOwnerId: 'A3NL1KOZZKExample', origin,
 *   object: { key: 'red flower.jpg', size: 1024, etag: '"d41d8cd98f00b204e9800998ecf8427e"', sequence: 7 },
 * }).s3.object // { key: 'red+flower.jpg', size: 1024, eTag: 'd41d8…', sequencer: '000000000000000007' }
 */
export function buildEventRecord(input: EventRecordInput): S3EventRecord {
  const { eventName, origin } = input;
  const shape = EVENT_SHAPES[eventName];
  return {
    eventVersion: shape.eventVersion,
    eventSource: 'aws:s3',
    awsRegion: origin.region,
    eventTime: origin.time.toISOString(),
    eventName,
    userIdentity: { principalId: origin.principalId },
    requestParameters: { sourceIPAddress: origin.sourceIp },
    responseElements: { 'x-amz-request-id': origin.requestId, 'x-amz-id-2': origin.hostId },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: input.configurationId,
      bucket: {
        name: input.bucket,
        ownerIdentity: { principalId: input.bucketOwnerId },
        arn: `arn:aws:s3:::${input.bucket}`,
      },
      object: eventObject(eventName, shape, input.object),
    },
    ...extraData(input),
  };
}

/** The blocks a few events carry after `s3`, in AWS's order. */
function extraData(
  input: EventRecordInput,
): Pick<S3EventRecord, 'glacierEventData' | 'lifecycleEventData'> {
  if (input.eventName === 'ObjectRestore:Completed') {
    const restore = required(input.eventName, 'restore', input.restore);
    return {
      glacierEventData: {
        restoreEventData: {
          lifecycleRestorationExpiryTime: restore.expiryTime.toISOString(),
          lifecycleRestoreStorageClass: restore.storageClass,
        },
      },
    };
  }
  if (input.eventName === 'LifecycleTransition') {
    const destination = required(
      input.eventName,
      'destinationStorageClass',
      input.destinationStorageClass,
    );
    return {
      lifecycleEventData: { transitionEventData: { destinationStorageClass: destination } },
    };
  }
  return {};
}

/** Keys are inserted in the template's order: key, size, eTag, versionId, sequencer. */
function eventObject(
  eventName: S3EventName,
  shape: EventShape,
  given: EventRecordInput['object'],
): S3EventObject {
  const object: S3EventObject = { key: encodeEventKey(given.key) };
  if (shape.size) {
    const size = required(eventName, 'size', given.size);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new RangeError(`object size must be a non-negative integer, got ${size}`);
    }
    object.size = size;
  }
  if (shape.eTag) {
    object.eTag = unquote(required(eventName, 'etag', given.etag ?? shape.defaultETag));
  }
  // Recordings omit versionId for unversioned and for suspended ("null" version) buckets.
  if (given.versionId !== undefined && given.versionId !== 'null') {
    object.versionId = given.versionId;
  }
  if (shape.sequencer) {
    object.sequencer = sequencerOf(required(eventName, 'sequence', given.sequence));
  }
  return object;
}

function required<T>(eventName: S3EventName, field: string, value: T | undefined): T {
  if (value === undefined) {
    throw new TypeError(`${eventName} records need object.${field}, and none was given`);
  }
  return value;
}

function unquote(etag: string): string {
  return etag.length >= 2 && etag.startsWith('"') && etag.endsWith('"') ? etag.slice(1, -1) : etag;
}

/** `{ "Records": [...] }`: the body AWS sends to SQS, as the SNS Message, and to Lambda. */
export function buildEventMessage(records: readonly S3EventRecord[]): S3EventMessage {
  return { Records: [...records] };
}

/** Compact JSON, as AWS sends it. */
export function serializeEventMessage(message: S3EventMessage | S3TestEvent): string {
  return JSON.stringify(message);
}

/**
 * The `s3:TestEvent` S3 sends to a queue or topic when a notification configuration is put.
 * Field names and order are those of the AWS doc example (reference §2).
 */
export function buildTestEvent(input: {
  bucket: string;
  origin: Pick<EventOrigin, 'requestId' | 'hostId' | 'time'>;
}): S3TestEvent {
  return {
    Service: 'Amazon S3',
    Event: 's3:TestEvent',
    Time: input.origin.time.toISOString(),
    Bucket: input.bucket,
    RequestId: input.origin.requestId,
    HostId: input.origin.hostId,
  };
}

/**
 * The key as S3 writes it into `s3.object.key`: `application/x-www-form-urlencoded`, the way
 * Java's `java.net.URLEncoder.encode(key, UTF_8)` does it, except that `/` is left alone.
 *
 * - The AWS doc says the key "is URL encoded… "red flower.jpg" becomes "red+flower.jpg"
 *   (Amazon S3 returns "application/x-www-form-urlencoded" as the content type…)".
 * - Recorded from real S3: `a@b` → `a%40b` (LocalStack AWS-validated `test_key_encoding`);
 *   `this im + age blah.txt` → `this+im+%2B+age+blah.txt` (aws/aws-sdk-net#640);
 *   `…/uploads/VJ9B4951 - Copy - Copy (2) - Copy.jpg` →
 *   `…/uploads/VJ9B4951+-+Copy+-+Copy+%282%29+-+Copy.jpg` (aws/aws-sdk-js#2039, a Lambda
 *   trigger): parentheses are escaped, which `encodeURIComponent` would not do and Java's
 *   encoder does; `:` → `%3A` (aws/aws-sdk-js-v3#6556), `=` → `%3D` (aws/aws-sam-cli#379).
 * - `/` stays literal. Primary evidence: LocalStack's AWS-validated
 *   `test_notifications_with_filter` (SQS and SNS snapshots, recorded 2023) received the key
 *   `testupload/dir1/testfile.txt` verbatim; aws/aws-sdk-js#2039 (2018) shows `/` literal
 *   beside `%28`; aws/aws-sdk-net#1417 (2019) fixed `folder a/data.csv` by replacing `+`
 *   only; minio/minio#11665 (2021) reports AWS leaves `/` alone. The one report of `%2F`,
 *   aws/aws-sdk-js#837, dates from 2015, before all of these. The Lambda console's
 *   `test%2Fkey` test event is hand-written, not recorded.
 * - Unreserved, as in Java's URLEncoder (JDK API docs: "The special characters ".", "-", "*",
 *   and "_" remain the same"): `A-Z a-z 0-9 . - * _`. So `*` stays, while `~ ! ' ( )` become
 *   `%7E %21 %27 %28 %29`. Only `(` `)` of these have a recorded AWS example; the others
 *   follow from the same encoder.
 * - Everything else, non-ASCII included, is percent-encoded per UTF-8 byte, uppercase hex
 *   (Java's `"The string ü@foo-bar"` → `The+string+%C3%BC%40foo-bar`).
 */
export function encodeEventKey(key: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(key)) {
    if (isLiteral(byte)) out += String.fromCharCode(byte);
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function isLiteral(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    byte === 0x2e || // .
    byte === 0x2d || // -
    byte === 0x2a || // *
    byte === 0x5f || // _
    byte === 0x2f // /
  );
}

/** AWS's example sequencer, `0055AED6DCD90281E5`, is 18 hex digits; ours are as wide. */
const SEQUENCER_WIDTH = 18;

/**
 * The `sequencer` for the `sequence`-th change: uppercase hex, zero-padded to a fixed 18
 * digits. Equal widths make AWS's rule (right-pad, then compare as strings) agree with the
 * numeric order; unpadded hex would not (`F` padded to `F0` sorts after `10`).
 *
 * @example sequencerOf(255) // '0000000000000000FF'
 */
export function sequencerOf(sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 0) {
    throw new RangeError(`sequence must be a non-negative safe integer, got ${sequence}`);
  }
  return sequence.toString(16).toUpperCase().padStart(SEQUENCER_WIDTH, '0');
}

/**
 * AWS's rule for ordering two sequencers of the same key: "right pad the shorter value with
 * zeros, and then do a lexicographical comparison". Hex digits compare case-insensitively.
 * Returns a negative number when `a` is earlier, positive when later, 0 when equal.
 *
 * @example compareSequencers('0055AED6DCD90281E5', '0055AED6DCD90281E6') // -1
 */
export function compareSequencers(a: string, b: string): number {
  const width = Math.max(a.length, b.length);
  const left = a.toUpperCase().padEnd(width, '0');
  const right = b.toUpperCase().padEnd(width, '0');
  return left < right ? -1 : left > right ? 1 : 0;
}
