/**
 * The moderate-image function's core: for each S3 event record, judge the object version,
 * tag it, record the outcome and route it to review. Written against ports only, so it runs
 * the same in Vigil's function runtime and in AWS Lambda.
 *
 * Order of effects, chosen so a crash at any point is repaired by a redelivery:
 * tags first, then the tracking record with the review item (one transaction), then the
 * review message, then the item marked sent. A recorded outcome therefore always has its
 * tags; a redelivery that finds the record only resends a message still owed.
 *
 * With an outcome journal (Vigil's own storage, ADR 19) the tags and the outcome are one
 * commit, and the journal relays the outcome to the reporting store and the review queue.
 */
import type { ModerationLabel } from '../moderation/index.js';
import type { Decision, NewTrackingRecord, Recorded } from '../reporting/index.js';
import {
  createdObject,
  eventRecords,
  type CreatedObjectEvent,
  type S3EventRecordInput,
} from './event.js';
import { imageToRemember } from './image-memory.js';
import {
  changedReason,
  expectedWrite,
  judge,
  objectRef,
  staleness,
  type Judgment,
} from './judge.js';
import { ObjectChangedError, type OutcomeJournal, type PipelinePorts, type Tag } from './ports.js';
import { sendOwedReview } from './review-delivery.js';
import { DEFAULT_SETTINGS, type PipelineSettings } from './settings.js';
import { decisionTags, mergeTags } from './tags.js';

export type Outcome =
  | { decision: 'ignored'; reason: string }
  | {
      decision: Decision;
      bucket: string;
      key: string;
      etag: string;
      reason: string;
      labels: ModerationLabel[];
      /** The outcome was recorded by an earlier delivery of the same event. */
      redelivered: boolean;
      /** This call sent the review message. */
      reviewMessageSent: boolean;
    };

/**
 * Processes one S3 event record. Records that are not `ObjectCreated:*` are ignored (so the
 * pipeline's own tagging events cannot re-trigger it).
 *
 * @example
 * const outcome = await moderateRecord(event.Records[0], ports, settings);
 * // { decision: 'blocked', key: 'content/images/x.jpg', reviewMessageSent: true, … }
 * @throws when a port fails transiently (moderator throttled, queue unreachable, …): the
 *   function fails and the event is retried; nothing recorded so far is repeated.
 */
export async function moderateRecord(
  record: S3EventRecordInput,
  ports: PipelinePorts,
  settings: PipelineSettings = DEFAULT_SETTINGS,
): Promise<Outcome> {
  const created = createdObject(record);
  if ('ignored' in created) return { decision: 'ignored', reason: created.ignored };
  const { event } = created;
  const recordKey = { bucket: event.bucket, key: event.key, writeId: event.writeId };
  const journaled = await ports.journal?.redelivered(recordKey);
  if (journaled) return outcomeOf(journaled.recorded, journaled.reviewMessageSent);
  const seen = await ports.reports.redelivered(recordKey);
  if (seen) return finish(seen, ports);
  const processingStart = ports.clock.now();
  const judgment = await judge(event, ports, settings);
  const entry = (final: Judgment): NewTrackingRecord => {
    const { image: _image, askReviewer, ...outcome } = final;
    return {
      ...recordKey,
      etag: event.etag,
      ...outcome,
      image: imageToRemember(final),
      askReviewer,
      eventTime: event.eventTime,
      processingStart,
      processingEnd: ports.clock.now(),
    };
  };
  if (ports.journal) return commitJournaled(event, judgment, ports, ports.journal, settings, entry);
  const final = await tag(event, judgment, ports, settings);
  return finish(await ports.reports.record(entry(final)), ports);
}

/**
 * Processes every record of an S3 event message, each on its own: a record that fails does
 * not hold back the others. `onOutcome` hears of each outcome as soon as it is known.
 *
 * @throws the failure (or an AggregateError of the failures) after all records were tried.
 */
export async function moderateEvent(
  event: unknown,
  ports: PipelinePorts,
  settings: PipelineSettings = DEFAULT_SETTINGS,
  onOutcome: (outcome: Outcome) => void = () => {},
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const failures: unknown[] = [];
  for (const record of eventRecords(event)) {
    try {
      const outcome = await moderateRecord(record, ports, settings);
      onOutcome(outcome);
      outcomes.push(outcome);
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1)
    throw new AggregateError(failures, `${failures.length} of the event's records failed`);
  return outcomes;
}

/**
 * The tags to put on the object for the judgment, merged into its own (undefined when they
 * are there already), and the judgment with a note of what did not fit — or the judgment
 * turned `skipped` when the version is gone or replaced.
 */
async function plannedTags(
  event: CreatedObjectEvent,
  judgment: Judgment,
  ports: PipelinePorts,
  settings: PipelineSettings,
): Promise<{ judgment: Judgment; tags?: Tag[] }> {
  if (judgment.decision === 'skipped') return { judgment };
  const wanted = decisionTags(judgment.decision, settings.cleanTag);
  if (wanted.length === 0) return { judgment };
  const ref = objectRef(event);
  try {
    const merge = mergeTags(await ports.objects.getTags(ref), wanted);
    if (merge.changed) {
      // Tagging has no If-Match: check the version once more just before writing.
      const stale = staleness(await ports.objects.headObject(ref), event);
      if (stale !== undefined) return { judgment: notTagged(judgment, stale) };
    }
    const notes = [
      ...(merge.evicted.length > 0
        ? [`removed ${list(merge.evicted)} to make room (S3 allows 10 tags)`]
        : []),
      ...(merge.dropped.length > 0 ? [`not tagged ${list(merge.dropped)}: 10 tags already`] : []),
    ];
    const noted =
      notes.length === 0
        ? judgment
        : { ...judgment, reason: `${judgment.reason}; ${notes.join('; ')}` };
    return merge.changed ? { judgment: noted, tags: merge.tags } : { judgment: noted };
  } catch (error) {
    if (error instanceof ObjectChangedError)
      return { judgment: notTagged(judgment, changedReason(error)) };
    throw error;
  }
}

/** Puts the decision's tags on the object, merged into its own; notes what did not fit. */
async function tag(
  event: CreatedObjectEvent,
  judgment: Judgment,
  ports: PipelinePorts,
  settings: PipelineSettings,
): Promise<Judgment> {
  const planned = await plannedTags(event, judgment, ports, settings);
  if (!planned.tags) return planned.judgment;
  try {
    await ports.objects.putTags(objectRef(event), planned.tags);
    return planned.judgment;
  } catch (error) {
    if (error instanceof ObjectChangedError) return notTagged(judgment, changedReason(error));
    throw error;
  }
}

/**
 * The tags and the outcome in one journal commit (ADR 19), which relays the outcome to the
 * reporting store and the review queue. A version replaced between the check and the commit
 * is recorded as skipped, untagged.
 */
async function commitJournaled(
  event: CreatedObjectEvent,
  judgment: Judgment,
  ports: PipelinePorts,
  journal: OutcomeJournal,
  settings: PipelineSettings,
  entry: (final: Judgment) => NewTrackingRecord,
): Promise<Outcome> {
  const planned = await plannedTags(event, judgment, ports, settings);
  const commit = (final: Judgment, tags: Tag[] | undefined) =>
    journal.commit({
      ref: objectRef(event),
      expected: expectedWrite(event),
      tags,
      entry: entry(final),
    });
  let journaled;
  try {
    journaled = await commit(planned.judgment, planned.tags);
  } catch (error) {
    if (!(error instanceof ObjectChangedError)) throw error;
    journaled = await commit(notTagged(judgment, changedReason(error)), undefined);
  }
  return outcomeOf(journaled.recorded, journaled.reviewMessageSent);
}

/** The version went away before it could be tagged: nothing to act on any more. */
function notTagged(judgment: Judgment, why: string): Judgment {
  return {
    ...judgment,
    decision: 'skipped',
    reason: `${why}, before tagging (judged ${judgment.decision}: ${judgment.reason})`,
  };
}

async function finish(recorded: Recorded, ports: PipelinePorts): Promise<Outcome> {
  return outcomeOf(recorded, await sendOwedReview(recorded, ports));
}

function outcomeOf(recorded: Recorded, reviewMessageSent: boolean): Outcome {
  const { bucket, key, etag, decision, reason, labels } = recorded.record;
  return {
    decision,
    bucket,
    key,
    etag,
    reason,
    labels,
    redelivered: !recorded.created,
    reviewMessageSent,
  };
}

function list(tags: readonly Tag[]): string {
  return tags.map((t) => `${t.Key}=${t.Value}`).join(', ');
}

/** One outcome as the function logs it: one JSON line, without the labels (in the record). */
export function outcomeLogLine(outcome: Outcome): string {
  if (outcome.decision === 'ignored') return JSON.stringify(outcome);
  const { labels: _labels, ...rest } = outcome;
  return JSON.stringify(rest);
}
