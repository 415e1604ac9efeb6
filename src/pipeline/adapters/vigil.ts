/**
 * The pipeline's ports filled by Vigil's own parts, for the built-in moderate-image function
 * running inside Vigil: the storage engine instead of S3 over HTTP, the queue service
 * instead of SQS, the configured moderator instead of Rekognition's API. Same semantics as
 * the AWS SDK adapters (adapters/s3.ts, adapters/sqs.ts), which run the same function on
 * Lambda.
 */
import { sequencerOf } from '../../events/index.js';
import type { QueueService, SendOptions } from '../../queue/index.js';
import {
  readWhole,
  StorageError,
  type ObjectRecord,
  type StorageEngine,
} from '../../storage/index.js';
import { staleness } from '../judge.js';
import {
  ObjectChangedError,
  type ExpectedWrite,
  type ObjectHead,
  type ObjectRef,
  type ObjectStore,
  type ReviewQueue,
  type Tag,
} from '../ports.js';
import type { ReviewMessage } from '../review-message.js';

/** Who the writes are made as, for events and the object history. */
export interface WriteContext {
  principalId: string;
  /** The invocation's trace header, carried on to the events of its writes. */
  traceHeader?: string;
}

export class EngineObjectStore implements ObjectStore {
  constructor(
    private readonly engine: Pick<
      StorageEngine,
      'findObject' | 'findVersion' | 'openObject' | 'putTags'
    >,
    private readonly context: WriteContext,
  ) {}

  headObject(ref: ObjectRef): Promise<ObjectHead | undefined> {
    const object = this.find(ref);
    return Promise.resolve(
      object && {
        etag: object.etag,
        sequencer: sequencerOf(object.sequence),
        size: object.size,
        contentType: object.system.contentType ?? null,
      },
    );
  }

  private find(ref: ObjectRef): ObjectRecord | undefined {
    return findIn(this.engine, ref);
  }

  async getObjectBytes(ref: ObjectRef, expected: ExpectedWrite): Promise<Buffer> {
    let opened;
    try {
      opened = await this.engine.openObject(ref.bucket, ref.key, ref.versionId);
    } catch (error) {
      throw gone(ref, error);
    }
    try {
      const { object } = opened;
      const current = { etag: object.etag, sequencer: sequencerOf(object.sequence) };
      if (staleness(current, expected) !== undefined) throw new ObjectChangedError(ref, 'replaced');
      return await readWhole(opened);
    } finally {
      opened.close();
    }
  }

  getTags(ref: ObjectRef): Promise<Tag[]> {
    const object = this.find(ref);
    if (!object) return Promise.reject(new ObjectChangedError(ref, 'deleted'));
    return Promise.resolve(object.tags.map(({ Key, Value }) => ({ Key, Value })));
  }

  async putTags(ref: ObjectRef, tags: Tag[]): Promise<void> {
    try {
      await this.engine.putTags(
        ref.bucket,
        ref.key,
        tags,
        {
          principalId: this.context.principalId,
          ...(this.context.traceHeader ? { traceHeader: this.context.traceHeader } : {}),
        },
        ref.versionId,
      );
    } catch (error) {
      throw gone(ref, error);
    }
  }
}

/** The review queue as a Vigil queue: the message SqsReviewQueue would send, sent directly. */
export class VigilReviewQueue implements ReviewQueue {
  constructor(
    private readonly queues: Pick<QueueService, 'send' | 'sendInTransaction'>,
    private readonly queue: string,
  ) {}

  async send(message: ReviewMessage): Promise<void> {
    await this.queues.send(this.queue, JSON.stringify(message), attributesOf(message));
  }

  /** `send` inside the caller's transaction on vigil.db (the outcome journal's, ADR 19). */
  sendWithin(message: ReviewMessage): void {
    this.queues.sendInTransaction(this.queue, JSON.stringify(message), attributesOf(message));
  }
}

function attributesOf(message: ReviewMessage): SendOptions {
  return {
    messageAttributes: { decision: { DataType: 'String', StringValue: message.decision } },
  };
}

/** The object, or the version the event named (a delete marker is no object). */
export function findIn(
  engine: Pick<StorageEngine, 'findObject' | 'findVersion'>,
  ref: ObjectRef,
): ObjectRecord | undefined {
  if (ref.versionId === undefined) return engine.findObject(ref.bucket, ref.key);
  const version = engine.findVersion(ref.bucket, ref.key, ref.versionId);
  return version?.kind === 'object' ? version.object : undefined;
}

function gone(ref: ObjectRef, error: unknown): unknown {
  if (
    error instanceof StorageError &&
    (error.code === 'NoSuchKey' || error.code === 'NoSuchBucket' || error.code === 'NoSuchVersion')
  )
    return new ObjectChangedError(ref, 'deleted');
  return error;
}
