/**
 * The contract of object history: what Vigil remembers about each object after the fact
 * (its committed changes, every settled delivery attempt of its events), what it reads back
 * from the outbox and the function runtime, and the timeline the console shows.
 */
import type { FunctionErrorPayload, InvocationState } from '../functions/index.js';
import type { Tag } from '../storage/index.js';

export type ActivityKind = 'created' | 'removed' | 'tagging-put' | 'tagging-deleted';

/** One committed object change (a row of `object_activity`). */
export interface ObjectActivity {
  id: number;
  /** Epoch ms of the commit. */
  at: number;
  bucket: string;
  key: string;
  kind: ActivityKind;
  /** How a `created` object came to be; null for other kinds. */
  via: 'put' | 'copy' | 'post' | 'complete-multipart' | null;
  /** Without quotes. Of the object after the change; of the removed object for `removed`. */
  etag: string | null;
  size: number | null;
  requestId: string | null;
  sourceIp: string | null;
  /** The access key id that made the request. */
  principal: string | null;
  /** The tag set after the change, for `created` and tagging kinds; null for `removed`. */
  tags: Tag[] | null;
  /** X-Amzn-Trace-Id of the write (set when a function wrote it). */
  traceHeader: string | null;
}

export type DeliveryLogOutcome = 'delivered' | 'retried' | 'dead_lettered';

/** One settled delivery attempt of an outbox row (a row of `delivery_log`). */
export interface DeliveryRecord {
  id: number;
  /** Epoch ms the attempt was settled. */
  at: number;
  outboxId: number;
  /** The destination's ARN. */
  destination: string;
  eventName: string;
  bucket: string;
  /** The key as stored (not the event's form-URL-encoded one). */
  key: string;
  /** The event's eTag; null for removals and test events. */
  etag: string | null;
  /** The event's eventTime, epoch ms. */
  eventTime: number;
  /** Attempts so far, this one included. */
  attempt: number;
  outcome: DeliveryLogOutcome;
  error: string | null;
  /** Event to delivery, ms; null unless delivered. */
  latencyMs: number | null;
}

/** An outbox row of this object still waiting (or dead-lettered and redrivable). */
export interface PendingEvent {
  outboxId: number;
  destination: string;
  eventName: string;
  etag: string | null;
  /** When the event happened (or was redriven), epoch ms. */
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  /** Set while an attempt is in flight. */
  leaseUntil: number | null;
  state: 'pending' | 'dead';
  lastError: string | null;
}

/** One attempt of a function invocation. */
export interface InvocationAttempt {
  attempt: number;
  startedAt: number;
  endedAt: number | null;
  durationMs: number | null;
  outcome: 'success' | 'error' | 'timeout' | 'crash' | 'interrupted' | null;
  error: FunctionErrorPayload | null;
}

/** A function invocation whose S3 event concerns the object. */
export interface InvocationHistory {
  requestId: string;
  functionName: string;
  state: InvocationState;
  acceptedAt: number;
  finishedAt: number | null;
  /** From the invoking event. */
  eventName: string | null;
  etag: string | null;
  attempts: InvocationAttempt[];
  /** Every attempt as Lambda's log stream shows it (START … REPORT), one after the other. */
  log: string;
}

/** Deliveries and failures (retries + dead letters) per destination since a time. */
export interface DeliveryStats {
  destination: string;
  delivered: number;
  failed: number;
}

export interface VerdictLabel {
  Name: string;
  ParentName: string;
  TaxonomyLevel: number;
  Confidence: number;
}

/** A tracking record of the moderation pipeline (from the report store). */
export interface ModerationVerdict {
  etag: string;
  decision: string;
  labels: VerdictLabel[];
  reason: string;
  modelVersion: string | null;
  /** Epoch ms. */
  processingStart: number;
  processingEnd: number;
  /** Deliveries of the event that reached the pipeline. */
  attempt: number;
}

/** A reviewer's decision about one object version (from the report store's audit log). */
export interface ReviewRecord {
  etag: string | null;
  /** Epoch ms. */
  at: number;
  actor: string;
  /** `approve`, `keep-blocked`, `delete`. */
  action: string;
  note: string | null;
  tagsBefore: Tag[] | null;
  tagsAfter: Tag[] | null;
}

/** What Vigil's own database knows about one object (see HistoryStore.objectHistory). */
export interface ObjectHistory {
  activity: ObjectActivity[];
  deliveries: DeliveryRecord[];
  pending: PendingEvent[];
  invocations: InvocationHistory[];
}

/** Everything a timeline is built from: the object's history plus moderation data. */
export interface TimelineInput extends ObjectHistory {
  verdicts: ModerationVerdict[];
  reviews: ReviewRecord[];
}

export type TimelineStepKind =
  'upload' | 'event' | 'delivery' | 'invocation' | 'moderation' | 'tagging' | 'review' | 'removal';

/**
 * One step of an object's story; the same shape as the console API's `TimelineStep`
 * (src/console/api-types.ts; timeline.test.ts checks they stay assignable).
 */
export interface TimelineStep {
  kind: TimelineStepKind;
  /** Epoch ms. */
  at: number;
  /** Ms since the previous step; null for the first. */
  sincePrevious: number | null;
  summary: string;
  detail: Record<string, unknown>;
}
