/** One timeline step per history fact, before ordering (see buildTimeline). Pure. */
import type { Tag } from '../storage/index.js';
import {
  formatBytes,
  formatDuration,
  formatLabels,
  formatTags,
  formatTime,
  plural,
} from './format.js';
import type {
  DeliveryRecord,
  InvocationHistory,
  ModerationVerdict,
  ObjectActivity,
  PendingEvent,
  ReviewRecord,
  TimelineStep,
} from './types.js';

export type UnorderedStep = Omit<TimelineStep, 'sincePrevious'>;

const UPLOAD_VERB: Record<NonNullable<ObjectActivity['via']>, string> = {
  put: 'PUT',
  copy: 'copy',
  post: 'POST upload',
  'complete-multipart': 'multipart upload',
};

/** ` from 127.0.0.1 by AKIA…, request 4F2A…`, leaving out what is unknown. */
function origin(row: ObjectActivity): string {
  let text = '';
  if (row.sourceIp) text += ` from ${row.sourceIp}`;
  if (row.principal) text += ` by ${row.principal}`;
  if (row.requestId) text += `, request ${row.requestId}`;
  return text;
}

function originDetail(row: ObjectActivity) {
  return {
    requestId: row.requestId,
    sourceIp: row.sourceIp,
    principal: row.principal,
    traceHeader: row.traceHeader,
    etag: row.etag,
  };
}

/** An `object_activity` row; `tagsBefore` is the previous row's tag set, when known. */
export function activityStep(row: ObjectActivity, tagsBefore: Tag[] | null): UnorderedStep {
  switch (row.kind) {
    case 'created':
      return {
        kind: 'upload',
        at: row.at,
        summary: `${UPLOAD_VERB[row.via ?? 'put']} ${formatBytes(row.size ?? 0)}${origin(row)}`,
        detail: { ...originDetail(row), size: row.size, via: row.via, tags: row.tags },
      };
    case 'removed':
      return {
        kind: 'removal',
        at: row.at,
        summary: `DELETE${origin(row)}${row.etag === null ? ' (the key did not exist)' : ''}`,
        detail: { ...originDetail(row), size: row.size },
      };
    case 'tagging-put':
    case 'tagging-deleted': {
      const change =
        row.kind === 'tagging-put' ? `tags set to ${formatTags(row.tags ?? [])}` : 'tags deleted';
      const before = tagsBefore ? ` (were: ${formatTags(tagsBefore)})` : '';
      return {
        kind: 'tagging',
        at: row.at,
        summary: `${change}${before}${origin(row)}`,
        detail: { ...originDetail(row), tags: row.tags, tagsBefore },
      };
    }
  }
}

export function deliveryStep(record: DeliveryRecord): UnorderedStep {
  const what = `${record.eventName} to ${record.destination}`;
  let summary: string;
  switch (record.outcome) {
    case 'delivered':
      summary =
        `delivered ${what} after ${plural(record.attempt, 'attempt')}` +
        (record.latencyMs === null ? '' : `, ${formatDuration(record.latencyMs)} after the event`);
      break;
    case 'retried':
      summary = `retry: ${record.error ?? 'failed'} (${what}, attempt ${record.attempt})`;
      break;
    case 'dead_lettered':
      summary = `dead-lettered: ${record.error ?? 'failed'} (${what}, attempt ${record.attempt})`;
      break;
  }
  return {
    kind: 'delivery',
    at: record.at,
    summary,
    detail: {
      outboxId: record.outboxId,
      destination: record.destination,
      eventName: record.eventName,
      eventTime: record.eventTime,
      etag: record.etag,
      attempt: record.attempt,
      outcome: record.outcome,
      error: record.error,
      latencyMs: record.latencyMs,
    },
  };
}

/** An event still in the outbox: at the time it was emitted (or redriven). */
export function pendingStep(event: PendingEvent): UnorderedStep {
  const what = `${event.eventName} to ${event.destination}`;
  const lastError = event.lastError ? `; last error: ${event.lastError}` : '';
  let summary: string;
  if (event.state === 'dead') {
    summary = `${what} dead-lettered after ${plural(event.attempts, 'attempt')}${lastError} (redrivable)`;
  } else if (event.leaseUntil !== null) {
    summary = `${what}: attempt ${event.attempts} in flight${lastError}`;
  } else {
    summary =
      `waiting for delivery of ${what}, attempt ${event.attempts + 1}, ` +
      `next at ${formatTime(event.nextAttemptAt)}${lastError}`;
  }
  return {
    kind: 'event',
    at: event.createdAt,
    summary,
    detail: {
      outboxId: event.outboxId,
      destination: event.destination,
      eventName: event.eventName,
      etag: event.etag,
      state: event.state,
      attempts: event.attempts,
      nextAttemptAt: event.nextAttemptAt,
      leaseUntil: event.leaseUntil,
      lastError: event.lastError,
    },
  };
}

/** At its first attempt's end (or, before any ended, its acceptance). */
export function invocationStep(invocation: InvocationHistory): UnorderedStep {
  const { attempts } = invocation;
  const durations = attempts.map((a) =>
    a.durationMs === null ? (a.outcome ?? 'running') : formatDuration(a.durationMs),
  );
  const error = attempts.at(-1)?.error;
  let summary = `${invocation.functionName} ${invocation.state}`;
  if (attempts.length > 0)
    summary += ` after ${plural(attempts.length, 'attempt')} (${durations.join(', ')})`;
  if (invocation.state === 'failed' && error)
    summary += `: ${error.errorType}: ${error.errorMessage}`;
  summary += `, request ${invocation.requestId}`;
  return {
    kind: 'invocation',
    at: attempts[0]?.endedAt ?? invocation.acceptedAt,
    summary,
    detail: {
      requestId: invocation.requestId,
      function: invocation.functionName,
      state: invocation.state,
      eventName: invocation.eventName,
      etag: invocation.etag,
      acceptedAt: invocation.acceptedAt,
      finishedAt: invocation.finishedAt,
      attempts,
      log: invocation.log,
    },
  };
}

/** At the end of the judgement. */
export function moderationStep(verdict: ModerationVerdict): UnorderedStep {
  const judged = formatDuration(verdict.processingEnd - verdict.processingStart);
  const model = verdict.modelVersion ? ` (model ${verdict.modelVersion})` : '';
  const what = verdict.decision === 'failed' ? verdict.reason : formatLabels(verdict.labels);
  const repeated = verdict.attempt > 1 ? `; event delivered ${verdict.attempt} times` : '';
  return {
    kind: 'moderation',
    at: verdict.processingEnd,
    summary: `${verdict.decision}: ${what}${model}, judged in ${judged}${repeated}`,
    detail: { ...verdict },
  };
}

const REVIEW_VERB: Record<string, string> = {
  approve: 'approved',
  'keep-blocked': 'kept blocked',
  delete: 'deleted',
};

export function reviewStep(review: ReviewRecord): UnorderedStep {
  const note = review.note ? `: ${review.note}` : '';
  const tags =
    review.tagsAfter && review.tagsBefore
      ? ` (tags ${formatTags(review.tagsBefore)} → ${formatTags(review.tagsAfter)})`
      : '';
  return {
    kind: 'review',
    at: review.at,
    summary: `${REVIEW_VERB[review.action] ?? review.action} by ${review.actor}${note}${tags}`,
    detail: { ...review },
  };
}
