/**
 * The ports the moderate-image function is written against. Vigil and AWS Lambda differ only
 * in what fills them: adapters over the AWS SDK (src/pipeline/adapters), pointed at Vigil's
 * endpoint or AWS's, and a `ReportStore` (src/reporting).
 */
import type { ImageHasher } from '../memory/index.js';
import type { DetectOptions, ModerationResult } from '../moderation/index.js';
import type { NewTrackingRecord, RecordKey, Recorded, ReportStore } from '../reporting/index.js';
import type { ReviewMessage } from './review-message.js';

/** One object version, as an S3 event names it. */
export interface ObjectRef {
  bucket: string;
  /** Decoded (the event's key is form-URL-encoded). */
  key: string;
  /** Present for versioned buckets: every call then targets exactly this version. */
  versionId?: string;
}

export interface ObjectHead {
  /** Without quotes, as event records carry it. */
  etag: string;
  /**
   * The `sequencer` of the write that made the object what it is, when the store can tell
   * (Vigil's storage engine can; S3's HeadObject has no such header).
   */
  sequencer?: string;
  size: number;
  contentType: string | null;
}

/** The write an event named, as the object must still be for the event to apply to it. */
export interface ExpectedWrite {
  /** Without quotes. */
  etag: string;
  /** The event's sequencer, when it carried one. */
  sequencer?: string;
}

export interface Tag {
  Key: string;
  Value: string;
}

export interface ObjectStore {
  /** HeadObject; undefined when the object (or version) does not exist. */
  headObject(ref: ObjectRef): Promise<ObjectHead | undefined>;
  /**
   * The object's bytes, read only if it is still the `expected` write (GetObject with
   * If-Match on the ETag; the sequencer too, where the store knows it).
   *
   * @throws ObjectChangedError when the object was replaced or deleted meanwhile.
   */
  getObjectBytes(ref: ObjectRef, expected: ExpectedWrite): Promise<Buffer>;
  /** GetObjectTagging, in the object's order. */
  getTags(ref: ObjectRef): Promise<Tag[]>;
  /** PutObjectTagging: replaces the whole tag set (callers merge first). */
  putTags(ref: ObjectRef, tags: Tag[]): Promise<void>;
}

/** The object is no longer the version the event was about. */
export class ObjectChangedError extends Error {
  override readonly name = 'ObjectChangedError';
  constructor(
    readonly ref: ObjectRef,
    readonly state: 'replaced' | 'deleted',
  ) {
    super(`s3://${ref.bucket}/${ref.key} was ${state} after the event`);
  }
}

/** The part of the `Moderator` port the pipeline calls (Rekognition's DetectModerationLabels). */
export interface ModerationPort {
  /**
   * @throws an error whose `code` is Rekognition's (`InvalidImageFormatException`, …); an
   *   image the moderator cannot judge fails with one of the codes in `UNJUDGEABLE_CODES`.
   */
  detectModerationLabels(image: Buffer, options?: DetectOptions): Promise<ModerationResult>;
}

/** The human review queue (a Vigil queue, or SQS). */
export interface ReviewQueue {
  send(message: ReviewMessage): Promise<void>;
}

/**
 * An outcome's tags and tracking record committed together, with one fsync, then relayed to
 * the reporting store and the review queue (ADR 19). Vigil's own storage has one
 * (adapters/outcome-journal.ts); S3 and SQS have nothing like it, so on Lambda the pipeline
 * writes the tags, the record and the review message one after another.
 */
export interface OutcomeJournal {
  /**
   * The outcome an earlier delivery of the write journaled, relayed once more if it has not
   * reached the reporting store and review queue yet (counting this delivery); undefined
   * when the journal holds none.
   */
  redelivered(key: RecordKey): Promise<JournaledOutcome | undefined>;
  /**
   * Puts `tags` on the object (the whole set; undefined: no change) if it is still the
   * `expected` write, and journals `entry`, in one durable commit; then relays the entry.
   * When another delivery journaled the same write first, nothing of this call's is written
   * and the earlier outcome is returned (`recorded.created` false).
   *
   * @throws ObjectChangedError when tags were to be put and the write is gone or replaced:
   *   nothing was committed.
   */
  commit(outcome: JournalEntry): Promise<JournaledOutcome>;
}

export interface JournalEntry {
  ref: ObjectRef;
  expected: ExpectedWrite;
  tags: Tag[] | undefined;
  entry: NewTrackingRecord;
}

export interface JournaledOutcome {
  /** `created`: this call journaled the outcome. */
  recorded: Recorded;
  /** This call sent the review message. */
  reviewMessageSent: boolean;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface PipelinePorts {
  objects: ObjectStore;
  moderator: ModerationPort;
  reviewQueue: ReviewQueue;
  reports: ReportStore;
  clock: Clock;
  /**
   * The perceptual hasher behind image memory (ADR 14; `loadImageHasher` in src/memory).
   * Without one nothing is remembered or recalled, as with `memory.enabled: false`.
   */
  hasher?: ImageHasher;
  /** Commits tags and outcome together (ADR 19); without one they are written in turn. */
  journal?: OutcomeJournal;
}
