/**
 * Reading S3 event messages as Lambda receives them (eventVersion 2.x). Pure: no I/O.
 */

/** The fields of one S3 event record the pipeline reads. */
export interface S3EventRecordInput {
  eventName: string;
  eventTime: string;
  s3: {
    bucket: { name: string };
    object: { key: string; size?: number; eTag?: string; versionId?: string; sequencer?: string };
  };
}

/** A record the pipeline acts on: an ObjectCreated event with its key decoded. */
export interface CreatedObjectEvent {
  bucket: string;
  /** Decoded key. */
  key: string;
  /** Without quotes. */
  etag: string;
  /** Identifies the write (see `writeIdOf`): the key of its tracking record. */
  writeId: string;
  size: number | null;
  versionId?: string;
  sequencer?: string;
  eventName: string;
  eventTime: string;
}

/**
 * The records of an S3 event message. `s3:TestEvent` (sent when a configuration is put)
 * and anything without `Records` yield none.
 *
 * @throws TypeError when a record lacks a field the pipeline needs.
 */
export function eventRecords(event: unknown): S3EventRecordInput[] {
  if (!isObject(event) || !Array.isArray(event['Records'])) return [];
  return event['Records'].map((record: unknown, index) => {
    if (!isS3Record(record))
      throw new TypeError(
        `Records[${index}] is not an S3 event record (expected eventName, eventTime, s3.bucket.name, s3.object.key)`,
      );
    return record;
  });
}

/**
 * What the pipeline should process, or why it should not: only `ObjectCreated:*` events are
 * moderated (a tagging event, such as the pipeline's own PutObjectTagging, is not).
 */
export function createdObject(
  record: S3EventRecordInput,
): { event: CreatedObjectEvent } | { ignored: string } {
  if (!record.eventName.startsWith('ObjectCreated:'))
    return { ignored: `${record.eventName} events are not moderated` };
  const { object } = record.s3;
  if (object.eTag === undefined || object.eTag === '')
    return { ignored: `${record.eventName} record has no eTag` };
  const key = decodeS3Key(object.key);
  if (key === undefined) return { ignored: `key ${object.key} is not form-URL-encoded` };
  return {
    event: {
      bucket: record.s3.bucket.name,
      key,
      etag: unquoteEtag(object.eTag),
      writeId: writeIdOf(record),
      size: object.size ?? null,
      ...(present(object.versionId) ? { versionId: object.versionId } : {}),
      ...(present(object.sequencer) ? { sequencer: object.sequencer } : {}),
      eventName: record.eventName,
      eventTime: record.eventTime,
    },
  };
}

/**
 * What identifies the write an event record is about, so a redelivery of the event is told
 * from a new write of the same bytes: the `sequencer` S3 gives every PUT and DELETE (unique
 * per key, so tracking records are keyed by bucket, key and this). Events without one (made
 * by hand, or by a store that omits it) fall back to the version id, then to the event time
 * with the ETag — never to the ETag alone, which equal bytes share.
 *
 * @example writeIdOf(record) // '0000000000000000A3'
 */
export function writeIdOf(record: S3EventRecordInput): string {
  const { object } = record.s3;
  if (present(object.sequencer)) return object.sequencer;
  if (present(object.versionId)) return `version:${object.versionId}`;
  return `time:${record.eventTime}/${unquoteEtag(object.eTag ?? '')}`;
}

function present(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

/**
 * Decodes an event record's key: S3 form-URL-encodes it, so `+` is a space and `%2B` a plus.
 * Undefined when the percent-encoding is malformed.
 *
 * @example decodeS3Key('a+b%2Bc.jpg') // 'a b+c.jpg'
 */
export function decodeS3Key(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** `"abc"` → `abc`: HeadObject quotes ETags, event records do not. */
export function unquoteEtag(etag: string): string {
  return etag.length >= 2 && etag.startsWith('"') && etag.endsWith('"') ? etag.slice(1, -1) : etag;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isS3Record(value: unknown): value is S3EventRecordInput {
  if (!isObject(value) || !isObject(value['s3'])) return false;
  const { bucket, object } = value['s3'];
  return (
    typeof value['eventName'] === 'string' &&
    typeof value['eventTime'] === 'string' &&
    isObject(bucket) &&
    typeof bucket['name'] === 'string' &&
    isObject(object) &&
    typeof object['key'] === 'string'
  );
}
