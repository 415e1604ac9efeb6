import { describe, expect, it } from 'vitest';
import { billedDurationMs, renderAttempt, taskTimedOut, timeoutError } from './log-format.js';
import { onFailureRecord } from './on-failure-record.js';
import type { AttemptRecord, InvocationRecord } from './types.js';

const ID = 'c793869b-ee49-115b-a5b6-4fd21e8dedac';

const attempt: AttemptRecord = {
  attempt: 1,
  startedAt: 0,
  endedAt: 27,
  outcome: 'success',
  durationMs: 26.73,
  billedDurationMs: 27,
  initDurationMs: null,
  memorySizeMb: 128,
  maxMemoryUsedMb: 75,
  error: null,
  logs: `2019-06-07T19:11:20.564Z\t${ID}\tWARN\tEvent not processed.\n`,
};

describe('Lambda log lines', () => {
  it('renders an attempt as the Node.js runtime logs it', () => {
    expect(renderAttempt(ID, attempt)).toBe(
      `START RequestId: ${ID} Version: $LATEST\n` +
        `2019-06-07T19:11:20.564Z\t${ID}\tWARN\tEvent not processed.\n` +
        `END RequestId: ${ID}\n` +
        `REPORT RequestId: ${ID}\tDuration: 26.73 ms\tBilled Duration: 27 ms\tMemory Size: 128 MB\tMax Memory Used: 75 MB\t\n`,
    );
  });

  it('adds the init duration of a cold start, and leaves a running attempt open', () => {
    expect(renderAttempt(ID, { ...attempt, initDurationMs: 166.624 })).toContain(
      '\tMax Memory Used: 75 MB\tInit Duration: 166.62 ms\t\n',
    );
    expect(renderAttempt(ID, { ...attempt, endedAt: null, outcome: null })).toBe(
      `START RequestId: ${ID} Version: $LATEST\n${attempt.logs}`,
    );
  });

  it.each([
    [0.2, 1],
    [1, 1],
    [26.73, 27],
    [1000.0001, 1001],
  ])('bills %f ms as %i ms (per millisecond, rounded up)', (duration, billed) => {
    expect(billedDurationMs(duration)).toBe(billed);
  });

  it('words timeouts as Lambda does', () => {
    expect(taskTimedOut(3)).toBe('Task timed out after 3.00 seconds');
    expect(timeoutError(ID, 3)).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${ID} Error: Task timed out after 3.00 seconds`,
    });
  });
});

describe('onFailureRecord', () => {
  const invocation: InvocationRecord = {
    id: 1,
    requestId: ID,
    functionName: 'my-function',
    state: 'failed',
    payload: '{"ORDER_IDS":["9e07af03"]}',
    traceHeader: '',
    acceptedAt: Date.UTC(2019, 10, 14, 18, 13, 5, 568),
    attempts: 3,
    nextAttemptAt: 0,
    finishedAt: Date.UTC(2019, 10, 14, 18, 16, 5, 568),
    condition: 'RetriesExhausted',
    lastError: { errorType: 'Error', errorMessage: 'boom', trace: ['Error: boom'] },
    onFailure: 'q',
    onFailureState: 'pending',
    onFailureAttempts: 0,
    onFailureError: null,
    attemptLog: [],
  };

  it("matches the developer guide's example record", () => {
    expect(
      onFailureRecord(invocation, 'arn:aws:lambda:us-east-2:123456789012:function:my-function'),
    ).toEqual({
      version: '1.0',
      timestamp: '2019-11-14T18:16:05.568Z',
      requestContext: {
        requestId: ID,
        functionArn: 'arn:aws:lambda:us-east-2:123456789012:function:my-function:$LATEST',
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: { ORDER_IDS: ['9e07af03'] },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'boom', trace: ['Error: boom'] },
    });
  });

  it('has no response when no attempt ran', () => {
    const record = onFailureRecord(
      { ...invocation, attempts: 0, condition: 'EventAgeExceeded', lastError: null },
      'arn:aws:lambda:us-east-2:123456789012:function:my-function',
    );
    expect(record.requestContext.condition).toBe('EventAgeExceeded');
    expect(record).not.toHaveProperty('responseContext');
    expect(record).not.toHaveProperty('responsePayload');
  });
});
