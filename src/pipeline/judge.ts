/**
 * Judging one object version: is it still the one the event named, can it be read, and what
 * does the moderator and the policy say about it. No effects on the object.
 */
import type { ModerationLabel, ModerationResult } from '../moderation/index.js';
import type { Decision, RememberedImage } from '../reporting/index.js';
import type { CreatedObjectEvent } from './event.js';
import { judgeWithPrecedent, recollect, rememberedBlock } from './image-memory.js';
import { evaluatePolicy, requestMinConfidence } from './policy.js';
import {
  ObjectChangedError,
  type ExpectedWrite,
  type ObjectHead,
  type ObjectRef,
  type PipelinePorts,
} from './ports.js';
import type { PipelineSettings } from './settings.js';

/**
 * Rekognition's codes for an image that cannot be judged, whatever the retries: the pipeline
 * records such an image as `failed` (tagged, reviewed), never as allowed. Any other error is
 * thrown, so the function fails and the runtime retries the event.
 */
export const UNJUDGEABLE_CODES: ReadonlySet<string> = new Set([
  'InvalidImageFormatException',
  'ImageTooLargeException',
  'InvalidParameterException',
  'InvalidS3ObjectException',
]);

export interface Judgment {
  decision: Decision;
  reason: string;
  labels: ModerationLabel[];
  modelVersion: string | null;
  size: number | null;
  contentType: string | null;
  /** The image's perceptual hash (and the remembered image it was judged by, if it was). */
  image?: RememberedImage | undefined;
  /** False: a reviewer already ruled on the remembered image this block was drawn from. */
  askReviewer?: boolean;
}

export function objectRef(event: CreatedObjectEvent): ObjectRef {
  return {
    bucket: event.bucket,
    key: event.key,
    ...(event.versionId !== undefined ? { versionId: event.versionId } : {}),
  };
}

const DELETED = 'deleted: the object no longer exists';

/** What the object must still be for the event's judgment to apply to it. */
export function expectedWrite(event: CreatedObjectEvent): ExpectedWrite {
  return {
    etag: event.etag,
    ...(event.sequencer !== undefined ? { sequencer: event.sequencer } : {}),
  };
}

/**
 * The object's state as a skip reason, or undefined when it is still the event's write: the
 * same ETag and, where the store can tell (Vigil's own can, S3's HeadObject cannot), the same
 * sequencer — so a new write of equal bytes does not pass for the one the event named.
 */
export function staleness(
  head: Pick<ObjectHead, 'etag' | 'sequencer'> | undefined,
  expected: ExpectedWrite,
): string | undefined {
  if (!head) return DELETED;
  if (head.etag !== expected.etag)
    return `stale: the object was replaced (its ETag is now ${head.etag})`;
  if (
    head.sequencer !== undefined &&
    expected.sequencer !== undefined &&
    head.sequencer !== expected.sequencer
  )
    return `stale: the object was written again (its sequencer is now ${head.sequencer})`;
  return undefined;
}

/** The skip reason for an object found changed in the middle of processing. */
export function changedReason(error: ObjectChangedError): string {
  return error.state === 'deleted' ? DELETED : 'stale: the object was replaced';
}

/**
 * Judges the event's write: skipped when it is gone or replaced, failed when it cannot be
 * read or judged, else what a remembered look-alike (ADR 14) or the moderator and the
 * policy say.
 */
export async function judge(
  event: CreatedObjectEvent,
  ports: Pick<PipelinePorts, 'objects' | 'moderator' | 'hasher' | 'reports'>,
  settings: PipelineSettings,
): Promise<Judgment> {
  const ref = objectRef(event);
  const unread = { labels: [], modelVersion: null, size: event.size, contentType: null };
  const head = await ports.objects.headObject(ref);
  const stale = staleness(head, event);
  if (stale !== undefined || !head)
    return { ...unread, decision: 'skipped', reason: stale ?? DELETED };
  const seen = { ...unread, size: head.size, contentType: head.contentType };
  if (head.size > settings.maxImageBytes)
    return {
      ...seen,
      decision: 'failed',
      reason: `ImageTooLargeException: ${head.size} bytes, over the ${settings.maxImageBytes}-byte limit`,
    };
  let image: Buffer;
  try {
    image = await ports.objects.getObjectBytes(ref, expectedWrite(event));
  } catch (error) {
    if (!(error instanceof ObjectChangedError)) throw error;
    return { ...seen, decision: 'skipped', reason: changedReason(error) };
  }
  const memory = await recollect(image, ports, settings.memory);
  if (memory.precedent?.verdict === 'blocked' && memory.image)
    return { ...seen, ...rememberedBlock(memory.precedent, memory.image) };
  const judged = { ...seen, image: memory.image };
  let result: ModerationResult;
  try {
    result = await ports.moderator.detectModerationLabels(image, {
      minConfidence: requestMinConfidence(settings.policy, settings.minConfidence),
    });
  } catch (error) {
    const reason = unjudgeable(error);
    if (reason === undefined) throw error;
    return { ...judged, decision: 'failed', reason };
  }
  const verdict = evaluatePolicy(result.ModerationLabels, settings.policy, settings.minConfidence);
  return {
    ...judged,
    ...judgeWithPrecedent(verdict, memory.precedent),
    labels: result.ModerationLabels,
    modelVersion: result.ModerationModelVersion,
  };
}

/** `code: detail` for an error meaning the image cannot be judged, else undefined. */
function unjudgeable(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, detail, message } = error as {
    code?: unknown;
    detail?: unknown;
    message?: unknown;
  };
  if (typeof code !== 'string' || !UNJUDGEABLE_CODES.has(code)) return undefined;
  const words = typeof detail === 'string' ? detail : typeof message === 'string' ? message : '';
  return words === '' ? code : `${code}: ${words}`;
}
