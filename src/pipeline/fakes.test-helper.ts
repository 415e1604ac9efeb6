/**
 * In-memory stand-ins for the pipeline's S3, moderator and queue ports, for the core's tests.
 * (The real adapters are tested against a real Vigil in src/pipeline/adapters.)
 */
import { createHash } from 'node:crypto';
import type { DetectOptions, ModerationResult } from '../moderation/index.js';
import type { S3EventRecordInput } from './event.js';
import {
  ObjectChangedError,
  type ModerationPort,
  type ExpectedWrite,
  type ObjectHead,
  type ObjectRef,
  type ObjectStore,
  type ReviewQueue,
  type Tag,
} from './ports.js';
import type { ReviewMessage } from './review-message.js';

interface StoredObject {
  bytes: Buffer;
  etag: string;
  /** Of the write that stored it; S3 keeps it to itself (HeadObject does not return it). */
  sequencer: string;
  contentType: string | null;
  tags: Tag[];
}

/** Objects by bucket and key, with S3's checks: If-Match on reads, 10 tags at most. */
export class FakeObjectStore implements ObjectStore {
  readonly objects = new Map<string, StoredObject>();
  readonly calls: string[] = [];
  /** Runs once, right after the next `getTags`: lets a test change the object mid-flight. */
  afterGetTags: (() => void) | undefined;
  private writes = 0;

  put(bucket: string, key: string, bytes: Buffer | string, tags: Tag[] = []): string {
    const body = Buffer.from(bytes);
    const etag = createHash('md5').update(body).digest('hex');
    const sequencer = (++this.writes).toString(16).toUpperCase().padStart(16, '0');
    this.objects.set(`${bucket}/${key}`, {
      bytes: body,
      etag,
      sequencer,
      contentType: 'image/jpeg',
      tags,
    });
    return etag;
  }

  /** The sequencer of the object's last write: what its event record carries. */
  sequencerOf(bucket: string, key: string): string | undefined {
    return this.objects.get(`${bucket}/${key}`)?.sequencer;
  }

  delete(bucket: string, key: string): void {
    this.objects.delete(`${bucket}/${key}`);
  }

  tagsOf(bucket: string, key: string): Tag[] | undefined {
    return this.objects.get(`${bucket}/${key}`)?.tags;
  }

  headObject(ref: ObjectRef): Promise<ObjectHead | undefined> {
    this.calls.push(`head ${ref.key}`);
    const object = this.find(ref);
    return Promise.resolve(
      object && { etag: object.etag, size: object.bytes.length, contentType: object.contentType },
    );
  }

  /** Like S3: only the ETag is checked (If-Match). */
  getObjectBytes(ref: ObjectRef, expected: ExpectedWrite): Promise<Buffer> {
    this.calls.push(`get ${ref.key}`);
    const object = this.find(ref);
    if (!object) return Promise.reject(new ObjectChangedError(ref, 'deleted'));
    if (object.etag !== expected.etag)
      return Promise.reject(new ObjectChangedError(ref, 'replaced'));
    return Promise.resolve(object.bytes);
  }

  getTags(ref: ObjectRef): Promise<Tag[]> {
    this.calls.push(`getTags ${ref.key}`);
    const object = this.find(ref);
    const hook = this.afterGetTags;
    this.afterGetTags = undefined;
    hook?.();
    if (!object) return Promise.reject(new ObjectChangedError(ref, 'deleted'));
    return Promise.resolve(object.tags.map((t) => ({ ...t })));
  }

  putTags(ref: ObjectRef, tags: Tag[]): Promise<void> {
    this.calls.push(`putTags ${ref.key}`);
    const object = this.find(ref);
    if (!object) return Promise.reject(new ObjectChangedError(ref, 'deleted'));
    if (tags.length > 10)
      return Promise.reject(new Error('InvalidTag: Object tags cannot be greater than 10'));
    object.tags = tags.map((t) => ({ ...t }));
    return Promise.resolve();
  }

  private find(ref: ObjectRef): StoredObject | undefined {
    return this.objects.get(`${ref.bucket}/${ref.key}`);
  }
}

type Script = (image: Buffer, options: DetectOptions | undefined) => ModerationResult;

/** Answers each image from a script (by the image's text), or throws what the script throws. */
export class ScriptedModerator implements ModerationPort {
  readonly requests: { image: string; minConfidence: number | undefined }[] = [];
  constructor(private readonly script: Script) {}

  detectModerationLabels(image: Buffer, options?: DetectOptions): Promise<ModerationResult> {
    this.requests.push({ image: image.toString(), minConfidence: options?.minConfidence });
    try {
      return Promise.resolve(this.script(image, options));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

/**
 * Collects messages; `failures` sends fail first, like an unreachable queue. `hold()` makes
 * sends wait (a slow queue) until the returned release is called.
 */
export class FakeReviewQueue implements ReviewQueue {
  readonly messages: ReviewMessage[] = [];
  failures = 0;
  /** Sends started, including held ones. */
  started = 0;
  private gate: Promise<void> | undefined;

  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise((resolve) => (release = resolve));
    return () => {
      this.gate = undefined;
      release();
    };
  }

  async send(message: ReviewMessage): Promise<void> {
    this.started++;
    if (this.gate) await this.gate;
    if (this.failures > 0) {
      this.failures--;
      throw new Error('connect ECONNREFUSED 127.0.0.1:9000');
    }
    this.messages.push(structuredClone(message));
  }
}

/** An S3 event record (eventVersion 2.1) as Vigil and AWS send it; `key` as sent (encoded). */
/** The sequencer `s3Record` gives a record unless told otherwise. */
export const FIRST_SEQUENCER = '0000000000000001';

export function s3Record(
  bucket: string,
  key: string,
  etag: string,
  overrides: { eventName?: string; size?: number; eventTime?: string; sequencer?: string } = {},
): S3EventRecordInput {
  const record = {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: overrides.eventTime ?? '2026-03-01T09:29:59.120Z',
    eventName: overrides.eventName ?? 'ObjectCreated:Put',
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'moderate',
      bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
      object: {
        key,
        size: overrides.size ?? 10,
        eTag: etag,
        sequencer: overrides.sequencer ?? FIRST_SEQUENCER,
      },
    },
  };
  return record;
}
