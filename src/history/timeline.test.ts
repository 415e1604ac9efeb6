import { describe, expect, expectTypeOf, it } from 'vitest';
import type { TimelineStep as ConsoleTimelineStep } from '../console/api-types.js';
import { buildTimeline } from './timeline.js';
import type {
  DeliveryRecord,
  InvocationHistory,
  ModerationVerdict,
  ObjectActivity,
  PendingEvent,
  ReviewRecord,
  TimelineInput,
  TimelineStep,
} from './types.js';

const HOOK = 'arn:aws:sqs:us-east-1:000000000000:hook';

const activity = (
  fields: Partial<ObjectActivity> & Pick<ObjectActivity, 'id' | 'at' | 'kind'>,
): ObjectActivity => ({
  bucket: 'b',
  key: 'k',
  via: fields.kind === 'created' ? 'put' : null,
  etag: 'e1',
  size: 1_258_291,
  requestId: 'R1',
  sourceIp: '127.0.0.1',
  principal: 'AKIA',
  tags: fields.kind === 'removed' ? null : [],
  traceHeader: null,
  ...fields,
});

const delivery = (
  fields: Partial<DeliveryRecord> & Pick<DeliveryRecord, 'at'>,
): DeliveryRecord => ({
  id: 1,
  outboxId: 7,
  destination: HOOK,
  eventName: 'ObjectCreated:Put',
  bucket: 'b',
  key: 'k',
  etag: 'e1',
  eventTime: 1000,
  attempt: 1,
  outcome: 'delivered',
  error: null,
  latencyMs: fields.at - 1000,
  ...fields,
});

const pending = (fields: Partial<PendingEvent> = {}): PendingEvent => ({
  outboxId: 9,
  destination: HOOK,
  eventName: 'ObjectCreated:Put',
  etag: 'e2',
  createdAt: 5000,
  attempts: 2,
  nextAttemptAt: Date.UTC(2024, 0, 1),
  leaseUntil: null,
  state: 'pending',
  lastError: 'HTTP 503',
  ...fields,
});

const invocation = (fields: Partial<InvocationHistory> = {}): InvocationHistory => ({
  requestId: 'inv-1',
  functionName: 'moderate-image',
  state: 'succeeded',
  acceptedAt: 1005,
  finishedAt: 1050,
  eventName: 'ObjectCreated:Put',
  etag: 'e1',
  attempts: [
    {
      attempt: 1,
      startedAt: 1007,
      endedAt: 1050,
      durationMs: 43.2,
      outcome: 'success',
      error: null,
    },
  ],
  log: 'START RequestId: inv-1 Version: $LATEST\n',
  ...fields,
});

const verdict = (fields: Partial<ModerationVerdict> = {}): ModerationVerdict => ({
  etag: 'e1',
  decision: 'blocked',
  labels: [
    { Name: 'Explicit', ParentName: '', TaxonomyLevel: 1, Confidence: 97.5 },
    { Name: 'Explicit Nudity', ParentName: 'Explicit', TaxonomyLevel: 2, Confidence: 97.5 },
  ],
  reason: 'Explicit Nudity ≥ 80',
  modelVersion: 'vigil-nsfwjs-1',
  processingStart: 1007,
  processingEnd: 1050,
  attempt: 1,
  ...fields,
});

const review = (fields: Partial<ReviewRecord> = {}): ReviewRecord => ({
  etag: 'e1',
  at: 2000,
  actor: 'alice',
  action: 'approve',
  note: 'a statue',
  tagsBefore: [{ Key: 'moderation', Value: 'blocked' }],
  tagsAfter: [{ Key: 'moderation', Value: 'approved' }],
  ...fields,
});

const nothing: TimelineInput = {
  activity: [],
  deliveries: [],
  pending: [],
  invocations: [],
  verdicts: [],
  reviews: [],
};

describe('buildTimeline', () => {
  it('has the console API shape', () => {
    expectTypeOf<TimelineStep>().toEqualTypeOf<ConsoleTimelineStep>();
  });

  it('is empty for an object without history', () => {
    expect(buildTimeline(nothing)).toEqual([]);
  });

  it('orders every version of the story by time, ties in their logical order', () => {
    const steps = buildTimeline({
      // Inputs deliberately out of order.
      reviews: [review()],
      verdicts: [verdict()],
      invocations: [invocation()],
      pending: [pending()],
      deliveries: [
        delivery({ id: 2, at: 1012, attempt: 2 }),
        delivery({ id: 1, at: 1000, outcome: 'retried', error: 'HTTP 500', latencyMs: null }),
      ].sort((a, b) => a.at - b.at),
      activity: [
        activity({ id: 4, at: 9000, kind: 'removed', etag: 'e2', size: 10 }),
        activity({ id: 1, at: 1000, kind: 'created' }),
        activity({
          id: 2,
          at: 1050,
          kind: 'tagging-put',
          tags: [{ Key: 'moderation', Value: 'blocked' }],
          principal: 'AKIAPIPELINE',
          sourceIp: null,
          requestId: 'R2',
        }),
        activity({ id: 3, at: 5000, kind: 'created', etag: 'e2', size: 10, via: 'copy' }),
      ],
    });
    expect(steps.map((s) => [s.kind, s.at, s.sincePrevious, s.detail['etag']])).toEqual([
      ['upload', 1000, null, 'e1'],
      ['delivery', 1000, 0, 'e1'], // the retry at the upload's millisecond comes after it
      ['delivery', 1012, 12, 'e1'],
      ['invocation', 1050, 38, 'e1'], // same ms: invocation < moderation < tagging
      ['moderation', 1050, 0, 'e1'],
      ['tagging', 1050, 0, 'e1'],
      ['review', 2000, 950, 'e1'],
      ['upload', 5000, 3000, 'e2'],
      ['event', 5000, 0, 'e2'],
      ['removal', 9000, 4000, 'e2'],
    ]);
    expect(steps.map((s) => s.summary)).toEqual([
      'PUT 1.2 MB from 127.0.0.1 by AKIA, request R1',
      `retry: HTTP 500 (ObjectCreated:Put to ${HOOK}, attempt 1)`,
      `delivered ObjectCreated:Put to ${HOOK} after 2 attempts, 12 ms after the event`,
      'moderate-image succeeded after 1 attempt (43 ms), request inv-1',
      'blocked: Explicit Nudity 97.5% (model vigil-nsfwjs-1), judged in 43 ms',
      'tags set to moderation=blocked (were: none) by AKIAPIPELINE, request R2',
      'approved by alice: a statue (tags moderation=blocked → moderation=approved)',
      'copy 10 B from 127.0.0.1 by AKIA, request R1',
      `waiting for delivery of ObjectCreated:Put to ${HOOK}, attempt 3, next at 2024-01-01T00:00:00.000Z; last error: HTTP 503`,
      'DELETE from 127.0.0.1 by AKIA, request R1',
    ]);
  });

  it('keeps the input order of steps of one kind at the same time', () => {
    const steps = buildTimeline({
      ...nothing,
      deliveries: [
        delivery({ id: 1, at: 10, destination: 'arn:b' }),
        delivery({ id: 2, at: 10, destination: 'arn:a' }),
      ],
    });
    expect(steps.map((s) => s.detail['destination'])).toEqual(['arn:b', 'arn:a']);
  });

  it('gives each tag change the tag set it replaced, when known', () => {
    const tagged = (id: number, kind: ObjectActivity['kind'], tags: ObjectActivity['tags']) =>
      activity({ id, at: id * 10, kind, tags });
    const steps = buildTimeline({
      ...nothing,
      activity: [
        tagged(1, 'created', [{ Key: 'a', Value: '1' }]),
        tagged(2, 'tagging-put', [{ Key: 'a', Value: '2' }]),
        tagged(3, 'tagging-deleted', []),
        tagged(4, 'removed', null),
        tagged(5, 'tagging-put', [{ Key: 'c', Value: '3' }]),
      ],
    });
    expect(steps.filter((s) => s.kind === 'tagging').map((s) => s.detail['tagsBefore'])).toEqual([
      [{ Key: 'a', Value: '1' }],
      [{ Key: 'a', Value: '2' }],
      null,
    ]);
    expect(steps.map((s) => s.summary)).toEqual([
      'PUT 1.2 MB from 127.0.0.1 by AKIA, request R1',
      'tags set to a=2 (were: a=1) from 127.0.0.1 by AKIA, request R1',
      'tags deleted (were: a=2) from 127.0.0.1 by AKIA, request R1',
      'DELETE from 127.0.0.1 by AKIA, request R1',
      'tags set to c=3 from 127.0.0.1 by AKIA, request R1',
    ]);
  });

  const one = (input: Partial<TimelineInput>) => buildTimeline({ ...nothing, ...input })[0]!;

  it.each<[string, Partial<TimelineInput>, string]>([
    [
      'an upload with nothing known about its request',
      {
        activity: [
          activity({
            id: 1,
            at: 1,
            kind: 'created',
            via: 'complete-multipart',
            size: 5 * 1024 ** 3,
            sourceIp: null,
            principal: null,
            requestId: null,
          }),
        ],
      },
      'multipart upload 5.0 GB',
    ],
    [
      'a POST upload',
      { activity: [activity({ id: 1, at: 1, kind: 'created', via: 'post', size: 10 })] },
      'POST upload 10 B from 127.0.0.1 by AKIA, request R1',
    ],
    [
      'a delete of a key that did not exist',
      {
        activity: [
          activity({ id: 1, at: 1, kind: 'removed', etag: null, size: null, sourceIp: null }),
        ],
      },
      'DELETE by AKIA, request R1 (the key did not exist)',
    ],
    [
      'a dead letter',
      {
        deliveries: [
          delivery({ at: 5, outcome: 'dead_lettered', error: 'HTTP 400', latencyMs: null }),
        ],
      },
      `dead-lettered: HTTP 400 (ObjectCreated:Put to ${HOOK}, attempt 1)`,
    ],
    [
      'a dead event still in the outbox',
      { pending: [pending({ state: 'dead', attempts: 100, lastError: 'refused' })] },
      `ObjectCreated:Put to ${HOOK} dead-lettered after 100 attempts; last error: refused (redrivable)`,
    ],
    [
      'an event being delivered',
      { pending: [pending({ attempts: 1, leaseUntil: 99_999, lastError: null })] },
      `ObjectCreated:Put to ${HOOK}: attempt 1 in flight`,
    ],
    [
      'a failed invocation',
      {
        invocations: [
          invocation({
            state: 'failed',
            attempts: [1, 2, 3].map((attempt) => ({
              attempt,
              startedAt: attempt * 100,
              endedAt: attempt === 3 ? null : attempt * 100 + 3000,
              durationMs: attempt === 3 ? null : 3000,
              outcome: attempt === 3 ? ('crash' as const) : ('timeout' as const),
              error: {
                errorType: 'Sandbox.Timedout',
                errorMessage: 'Task timed out after 3.00 seconds',
              },
            })),
          }),
        ],
      },
      'moderate-image failed after 3 attempts (3.0 s, 3.0 s, crash): Sandbox.Timedout: Task timed out after 3.00 seconds, request inv-1',
    ],
    [
      'an invocation not yet run',
      { invocations: [invocation({ state: 'pending', attempts: [] })] },
      'moderate-image pending, request inv-1',
    ],
    [
      'a clean verdict on a redelivered event',
      { verdicts: [verdict({ decision: 'clean', labels: [], modelVersion: null, attempt: 2 })] },
      'clean: no labels, judged in 43 ms; event delivered 2 times',
    ],
    [
      'a failed verdict',
      { verdicts: [verdict({ decision: 'failed', reason: 'the image could not be decoded' })] },
      'failed: the image could not be decoded (model vigil-nsfwjs-1), judged in 43 ms',
    ],
    [
      'a deletion by a reviewer',
      { reviews: [review({ action: 'delete', note: null, tagsBefore: null, tagsAfter: null })] },
      'deleted by alice',
    ],
    [
      'a kept block',
      { reviews: [review({ action: 'keep-blocked', note: '' })] },
      'kept blocked by alice (tags moderation=blocked → moderation=approved)',
    ],
  ])('words %s', (_name, input, summary) => {
    expect(one(input).summary).toBe(summary);
  });

  it('puts an invocation at its first attempt’s end, or its acceptance before that', () => {
    expect(one({ invocations: [invocation()] }).at).toBe(1050);
    expect(one({ invocations: [invocation({ attempts: [] })] }).at).toBe(1005);
    expect(one({ invocations: [invocation()] }).detail).toMatchObject({
      requestId: 'inv-1',
      function: 'moderate-image',
      state: 'succeeded',
      log: 'START RequestId: inv-1 Version: $LATEST\n',
    });
  });

  it('details an upload with its request, size, address, principal, ETag and method', () => {
    expect(
      one({ activity: [activity({ id: 1, at: 1, kind: 'created', traceHeader: 'Root=1-a' })] })
        .detail,
    ).toEqual({
      requestId: 'R1',
      size: 1_258_291,
      sourceIp: '127.0.0.1',
      principal: 'AKIA',
      etag: 'e1',
      via: 'put',
      tags: [],
      traceHeader: 'Root=1-a',
    });
  });
});
