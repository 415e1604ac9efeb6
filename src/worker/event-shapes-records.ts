/**
 * `{"Records":[…]}` bodies from AWS S3, MinIO and Ceph RGW, normalized record by record into
 * what the pipeline reads (S3EventRecordInput). The facts and their sources are in the header
 * of event-shapes.ts; the per-sender differences handled here:
 *
 * - eventName: MinIO keeps the `s3:` prefix (`s3:ObjectCreated:Put`); AWS and Ceph do not. It
 *   is cut off. MinIO also files four writes that create no content under ObjectCreated
 *   (MINIO_RENAMES); they are renamed so the pipeline does not moderate a tagging call.
 * - key: AWS and MinIO form-URL-encode it (MinIO with Go's url.QueryEscape, which also
 *   escapes `/`; decodeS3Key reads both); Ceph sends it as stored, so it is encoded here
 *   with encodeEventKey, the way S3 does, and decodeS3Key gives the stored key back.
 * - size: Ceph's docs print it as a string of digits; it becomes a number. MinIO leaves it out
 *   when it is 0 (`size,omitempty`), so an ObjectCreated record from MinIO without it is 0.
 * - versionId and sequencer: `""` (Ceph, unversioned) and `null` read as absent.
 */
import { encodeEventKey } from '../events/index.js';
import type { S3EventRecordInput } from '../pipeline/index.js';
import {
  isObject,
  kindOf,
  optionalSize,
  optionalString,
  requiredObject,
  requiredString,
  type Outcome,
} from './event-shapes-json.js';

/** Who sent a record, by its `eventSource` (and, for old MinIO, its look). */
export type RecordSender = 'aws' | 'minio' | 'ceph';

const SENDERS: Readonly<Record<string, RecordSender>> = {
  'aws:s3': 'aws',
  'minio:s3': 'minio',
  'ceph:s3': 'ceph',
};

/**
 * MinIO event names under ObjectCreated that do not write the object's content
 * (internal/event/name.go); named here as AWS names the tagging ones. The retention and legal
 * hold names are Vigil's: AWS sends no event for those calls.
 */
const MINIO_RENAMES: Readonly<Record<string, string>> = {
  'ObjectCreated:PutTagging': 'ObjectTagging:Put',
  'ObjectCreated:DeleteTagging': 'ObjectTagging:Delete',
  'ObjectCreated:PutRetention': 'ObjectRetention:Put',
  'ObjectCreated:PutLegalHold': 'ObjectLegalHold:Put',
};

/**
 * MinIO's broker targets (AMQP, NATS, Kafka, webhook…) wrap the records in
 * `event.Log{EventName, Key, Records}`; MinIO's 2016–2017 docs call the first field EventType.
 */
export function isMinioLog(body: Record<string, unknown>): boolean {
  return (
    typeof body['Key'] === 'string' &&
    (typeof body['EventName'] === 'string' || typeof body['EventType'] === 'string')
  );
}

/** The records of a `{"Records":[…]}` body, and who sent them (one sender per message). */
export function readRecords(
  body: Record<string, unknown>,
): Outcome<{ records: S3EventRecordInput[]; sender: RecordSender }> {
  const list = body['Records'];
  if (!Array.isArray(list)) return { reason: `Records is ${kindOf(list)}, not an array` };
  if (list.length === 0) return { reason: 'Records is empty: there is no event in the message' };
  const wrapped = isMinioLog(body);
  const records: S3EventRecordInput[] = [];
  let sender: RecordSender | undefined;
  for (const [index, raw] of list.entries()) {
    const read = readRecord(raw, `Records[${index}]`, wrapped);
    if ('reason' in read) return read;
    if (sender !== undefined && read.value.sender !== sender) {
      return {
        reason: `Records mix senders: Records[0] is from ${sender}, Records[${index}] from ${read.value.sender}`,
      };
    }
    sender = read.value.sender;
    records.push(read.value.record);
  }
  // The loop ran at least once, so sender is set.
  return { value: { records, sender: sender ?? 'aws' } };
}

function readRecord(
  raw: unknown,
  at: string,
  wrapped: boolean,
): Outcome<{ record: S3EventRecordInput; sender: RecordSender }> {
  if (!isObject(raw)) return { reason: `${at} is ${kindOf(raw)}, not an S3 event record` };
  const eventSource = requiredString(raw, 'eventSource', at);
  if ('reason' in eventSource) return eventSource;
  const declared = SENDERS[eventSource.value];
  if (declared === undefined) {
    return {
      reason: `${at}.eventSource is "${eventSource.value}", none of ${Object.keys(SENDERS).join(', ')}: how its keys are encoded is not known`,
    };
  }
  const eventName = requiredString(raw, 'eventName', at);
  if ('reason' in eventName) return eventName;
  const eventTime = requiredString(raw, 'eventTime', at);
  if ('reason' in eventTime) return eventTime;
  const s3 = requiredObject(raw, 's3', at);
  if ('reason' in s3) return s3;
  const bucket = requiredObject(s3.value, 'bucket', `${at}.s3`);
  if ('reason' in bucket) return bucket;
  const bucketName = requiredString(bucket.value, 'name', `${at}.s3.bucket`);
  if ('reason' in bucketName) return bucketName;
  const object = requiredObject(s3.value, 'object', `${at}.s3`);
  if ('reason' in object) return object;

  const sender =
    declared === 'aws' && (wrapped || looksLikeMinio(raw, eventName.value)) ? 'minio' : declared;
  const fields = readObjectFields(object.value, `${at}.s3.object`, sender);
  if ('reason' in fields) return fields;
  const name = eventName.value.replace(/^s3:/, '');
  const normalName = sender === 'minio' ? (MINIO_RENAMES[name] ?? name) : name;
  const { key, size, eTag, versionId, sequencer } = fields.value;
  const zeroBytes =
    sender === 'minio' && size === undefined && normalName.startsWith('ObjectCreated:');
  return {
    value: {
      sender,
      record: {
        eventName: normalName,
        eventTime: eventTime.value,
        s3: {
          bucket: { name: bucketName.value },
          object: {
            key: sender === 'ceph' ? encodeEventKey(key) : key,
            ...(size !== undefined ? { size } : zeroBytes ? { size: 0 } : {}),
            ...(eTag !== undefined ? { eTag } : {}),
            ...(versionId !== undefined ? { versionId } : {}),
            ...(sequencer !== undefined ? { sequencer } : {}),
          },
        },
      },
    },
  };
}

/**
 * MinIO before `minio:s3` (its 2016 docs) said `aws:s3`, but kept the `s3:` prefix AWS never
 * sends; later ones add `x-minio-*` response elements.
 */
function looksLikeMinio(record: Record<string, unknown>, eventName: string): boolean {
  const elements = record['responseElements'];
  return (
    eventName.startsWith('s3:') ||
    (isObject(elements) && Object.keys(elements).some((name) => name.startsWith('x-minio-')))
  );
}

interface ObjectFields {
  key: string;
  size: number | undefined;
  eTag: string | undefined;
  versionId: string | undefined;
  sequencer: string | undefined;
}

function readObjectFields(
  object: Record<string, unknown>,
  at: string,
  sender: RecordSender,
): Outcome<ObjectFields> {
  const key = requiredString(object, 'key', at);
  if ('reason' in key) return key;
  const size = optionalSize(object, 'size', at, sender === 'ceph');
  if ('reason' in size) return size;
  const eTag = optionalString(object, 'eTag', at);
  if ('reason' in eTag) return eTag;
  const versionId = optionalString(object, 'versionId', at);
  if ('reason' in versionId) return versionId;
  const sequencer = optionalString(object, 'sequencer', at);
  if ('reason' in sequencer) return sequencer;
  return {
    value: {
      key: key.value,
      size: size.value,
      eTag: eTag.value,
      versionId: versionId.value,
      sequencer: sequencer.value,
    },
  };
}
