/**
 * What `vigil worker` reads off a broker (NATS JetStream, SQS, AMQP): the body of one message,
 * published by whichever S3 store, turned into the input of the moderation pipeline — the
 * `{"Records":[…]}` message AWS gives Lambda, `s3.object.key` form-URL-encoded (so that
 * src/pipeline/event.ts `decodeS3Key` returns the stored key), `eventName` without `s3:`, `size`
 * a number, absent fields left out. Or why not. Pure: no I/O.
 *
 * Shapes accepted, and where their facts come from:
 *
 * 1. AWS S3 records, as S3 sends them to SQS and Lambda: `{"Records":[{eventVersion "2.x",
 *    eventSource "aws:s3", eventTime, eventName "ObjectCreated:Put", s3.bucket.name,
 *    s3.object.{key, size, eTag, versionId, sequencer}}]}`, key form-URL-encoded ("red
 *    flower.jpg" becomes "red+flower.jpg"); versionId omitted or null when unversioned. S3 User
 *    Guide "Event message structure" (awsdocs/amazon-s3-userguide
 *    doc_source/notification-content-structure.md @0bd3dc39) and LocalStack's AWS-validated
 *    snapshots (`a@b` → `a%40b`); see src/events/message.ts. Passed through unchanged.
 *    The `s3:TestEvent` S3 sends to queues and topics when a configuration is put:
 *    `{"Service":"Amazon S3","Event":"s3:TestEvent","Time","Bucket","RequestId","HostId"}`, no
 *    Records (same doc) → `test-event`.
 * 2. SNS-wrapped (an SQS queue subscribed to a topic, raw delivery off): `{"Type":"Notification",
 *    "MessageId","TopicArn","Subject","Message":"<the S3 JSON as a string>","Timestamp",…}`.
 *    SNS Developer Guide "HTTP/HTTPS notification JSON format"
 *    (awsdocs/amazon-sns-developer-guide doc_source/sns-message-and-json-formats.md), LocalStack's
 *    AWS-validated test_s3_notifications_sns (Subject "Amazon S3 Notification"), and what Vigil
 *    sends (src/events/sns-envelope.ts). The Message is read as a bare body is (records or
 *    TestEvent). Raw delivery sends shape 1 itself.
 * 3. EventBridge-wrapped (a rule with an SQS target): `{"version":"0","id","detail-type",
 *    "source":"aws.s3","account","time","region","resources",
 *    "detail":{bucket:{name}, object:{key,size,etag,version-id,sequencer}, reason,
 *    deletion-type,…}}`. S3 User Guide "EventBridge event message structure" (ev-events.md
 *    @0bd3dc39) and "mapping and troubleshooting"; src/eventbridge/s3-event.ts. Object Created
 *    becomes ObjectCreated:Put/Post/Copy/CompleteMultipartUpload by `reason` (PutObject,
 *    POST Object, CopyObject, CompleteMultipartUpload); Object Deleted becomes ObjectRemoved:*
 *    (reason DeleteObject) or LifecycleExpiration:* (reason Lifecycle Expiration), `:Delete` for
 *    deletion-type Permanently Deleted and `:DeleteMarkerCreated` for Delete Marker Created;
 *    the other detail types map one to one (event-shapes-eventbridge.ts). `time` becomes
 *    eventTime as is (whole seconds). Keys are not URL-encoded there (third-party evidence, see
 *    s3-event.ts), so they are encoded with encodeEventKey.
 * 4. MinIO: records with eventVersion "2.0", eventSource "minio:s3", eventName WITH the `s3:`
 *    prefix, eventTime `2006-01-02T15:04:05.000Z`, key = Go `url.QueryEscape(name)` (`/` →
 *    %2F, space → +), sequencer = uppercase hex of the object's ModTime in ns, versionId omitted
 *    when empty, size/eTag/contentType/userMetadata only for events other than removals, and
 *    `size` omitted when 0 (`omitempty`) — minio/minio cmd/event-notification.go @08d74819
 *    (eventArgs.ToEvent), internal/event/event.go @275b0720. Its broker targets (AMQP, NATS and
 *    JetStream, Kafka, webhook) send `{"EventName":"s3:ObjectCreated:Put","Key":"bucket/<decoded
 *    key>","Records":[one record]}` (internal/event/target/amqp.go, nats.go, webhook.go: send()),
 *    `EventType` instead of EventName in 2016–2017 docs (docs/bucket/notifications/README.md
 *    @0072fb7d), whose records also said eventSource "aws:s3"; those are recognised by the `s3:`
 *    prefix or `x-minio-*` response elements. ObjectCreated:PutTagging, :DeleteTagging,
 *    :PutRetention and :PutLegalHold (internal/event/name.go) are not content writes and are
 *    renamed (event-shapes-records.ts). MinIO has no test event: none in its event names, and
 *    its targets probe the endpoint instead of publishing one.
 * 5. Ceph RGW: records with eventSource "ceph:s3", awsRegion = the zonegroup, eventTime with
 *    microseconds ("2019-11-22T13:47:35.124724Z", the object's mtime), eventName without `s3:`,
 *    key AS STORED (not encoded), size (the doc prints "1024", a string; the source dumps a
 *    uint64, a number), eTag, versionId ("" when unversioned), sequencer (hex of the bytes of a
 *    timestamp, unique but not ordered like AWS's), plus bucket.id, object.metadata,
 *    object.tags, eventId, opaqueData; one record per message. ceph/ceph
 *    doc/radosgw/notifications.rst @01584882 ("Events"), src/rgw/driver/rados/rgw_notify.cc
 *    @018af501 (populate_event), src/rgw/rgw_pubsub.cc (rgw_pubsub_s3_event::dump),
 *    src/test/rgw/bucket_notification/test_bn.py @0064cc00 (compares the record's key with the
 *    raw key name). Keys are encoded with encodeEventKey, size becomes a number, eTag,
 *    versionId and sequencer are kept.
 *
 * Anything else — not UTF-8, not JSON, JSON of another shape, a record without eventSource,
 * eventName, eventTime, bucket name or key, an unknown eventSource (its key encoding is
 * unknown), a size that is not a byte count — is `unrecognized`, with a reason naming what was
 * wrong: terminal, for the dead letters.
 */
import type { S3EventRecordInput } from '../pipeline/index.js';
import { isEventBridgeEvent, readEventBridgeEvent } from './event-shapes-eventbridge.js';
import { isObject, kindOf } from './event-shapes-json.js';
import { readRecords } from './event-shapes-records.js';

export type BrokerMessage =
  | {
      kind: 's3-records';
      event: { Records: S3EventRecordInput[] };
      origin: 'aws' | 'sns' | 'eventbridge' | 'minio' | 'ceph';
    }
  /** `s3:TestEvent`: acknowledged and otherwise ignored. */
  | { kind: 'test-event'; origin: 'aws' | 'sns' | 'minio' }
  /** Terminal: the message goes to the dead letters. */
  | { kind: 'unrecognized'; reason: string };

/**
 * Reads one broker message body.
 *
 * @example
 * readBrokerMessage('{"Records":[{"eventSource":"ceph:s3","eventName":"ObjectCreated:Put",' +
 *   '"eventTime":"2019-11-22T13:47:35.124724Z","s3":{"bucket":{"name":"b"},' +
 *   '"object":{"key":"red flower.jpg","size":"1024","eTag":"37b5…"}}}]}')
 * // { kind: 's3-records', origin: 'ceph', event: { Records: [{ eventName: 'ObjectCreated:Put',
 * //   eventTime: '2019-11-22T13:47:35.124724Z', s3: { bucket: { name: 'b' },
 * //   object: { key: 'red+flower.jpg', size: 1024, eTag: '37b5…' } } }] } }
 */
export function readBrokerMessage(body: string | Uint8Array): BrokerMessage {
  const text = bodyText(body);
  if (typeof text !== 'string') return text;
  if (text.trim() === '') return unrecognized('body is empty');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return unrecognized(`body is not JSON (${(error as Error).message})`);
  }
  if (!isObject(json)) return unrecognized(`body is JSON but ${kindOf(json)}, not an object`);
  if ('Type' in json && 'Message' in json) return readSnsNotification(json);
  if (isEventBridgeEvent(json)) {
    const read = readEventBridgeEvent(json);
    if ('reason' in read) return unrecognized(read.reason);
    return { kind: 's3-records', event: { Records: [read.value] }, origin: 'eventbridge' };
  }
  const s3 = readS3Message(json);
  if (s3 === undefined) return unrecognized(`JSON object of no known shape: ${shapeHint(json)}`);
  if ('reason' in s3) return unrecognized(s3.reason);
  return s3.kind === 'test-event'
    ? { kind: 'test-event', origin: 'aws' }
    : { kind: 's3-records', event: { Records: s3.records }, origin: s3.sender };
}

type S3Message =
  | { kind: 'test-event' }
  | { kind: 'records'; records: S3EventRecordInput[]; sender: 'aws' | 'minio' | 'ceph' }
  | { reason: string };

/** Shape 1 (and 4, 5): records or a TestEvent; undefined when the body is neither. */
function readS3Message(json: Record<string, unknown>): S3Message | undefined {
  if ('Records' in json) {
    const read = readRecords(json);
    return 'reason' in read ? read : { kind: 'records', ...read.value };
  }
  if (json['Service'] === 'Amazon S3' || json['Event'] !== undefined) {
    return json['Service'] === 'Amazon S3' && json['Event'] === 's3:TestEvent'
      ? { kind: 'test-event' }
      : {
          reason: `message with Service ${JSON.stringify(json['Service'])} and Event ${JSON.stringify(json['Event'])}, not Amazon S3's s3:TestEvent`,
        };
  }
  return undefined;
}

/** Shape 2: the SNS envelope around shape 1. */
function readSnsNotification(envelope: Record<string, unknown>): BrokerMessage {
  if (envelope['Type'] !== 'Notification') {
    return unrecognized(
      `SNS ${JSON.stringify(envelope['Type'])} message, not a Notification: it carries no S3 event`,
    );
  }
  const message = envelope['Message'];
  if (typeof message !== 'string') {
    return unrecognized(`SNS Message is ${kindOf(message)}, not the string SNS sends`);
  }
  let inner: unknown;
  try {
    inner = JSON.parse(message);
  } catch {
    return unrecognized('SNS Message is not JSON, so not an S3 event message');
  }
  const s3 = isObject(inner) ? readS3Message(inner) : undefined;
  if (s3 === undefined) {
    return unrecognized(
      `SNS Message is not an S3 event message: ${isObject(inner) ? shapeHint(inner) : kindOf(inner)}`,
    );
  }
  if ('reason' in s3) return unrecognized(`SNS Message: ${s3.reason}`);
  return s3.kind === 'test-event'
    ? { kind: 'test-event', origin: 'sns' }
    : { kind: 's3-records', event: { Records: s3.records }, origin: 'sns' };
}

function bodyText(body: string | Uint8Array): string | BrokerMessage {
  if (typeof body === 'string') return body.replace(/^\uFEFF/, '');
  try {
    // Strips a BOM; fatal: bytes that are not UTF-8 are an error, not U+FFFD.
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return unrecognized('body is not UTF-8');
  }
}

function shapeHint(json: Record<string, unknown>): string {
  const keys = Object.keys(json);
  const shown = keys.slice(0, 8).join(', ') + (keys.length > 8 ? ', …' : '');
  return (
    'expected Records (S3, MinIO, Ceph), an SNS Type/Message envelope, an s3:TestEvent or an ' +
    `EventBridge source/detail-type/detail; the keys are ${keys.length === 0 ? 'none' : shown}`
  );
}

function unrecognized(reason: string): BrokerMessage {
  return { kind: 'unrecognized', reason };
}
