import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QueueService } from '../queue/index.js';
import { InvocationStore } from './invocation-store.js';
import { closeAll, settled, startRuntime, until } from './runtime.test-helper.js';
import type { OnFailureRecord } from './types.js';

afterEach(closeAll);

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function';

describe('asynchronous invocation: retries and the on-failure destination', () => {
  it('retries a failing handler on its schedule, then sends Lambda’s invocation record', async () => {
    const h = await startRuntime([
      { name: 'decoder', module: 'throws.mjs', onFailure: 'decoder-failures' },
    ]);
    const event = { id: 'e1', key: 'photos/cat.jpg' };
    await h.runtime.invoke('decoder', event);
    await until(() => h.sink.sent.length === 1);
    const [invocation] = h.runtime.recentInvocations('decoder', 1);
    expect(invocation).toMatchObject({
      state: 'failed',
      attempts: 3,
      condition: 'RetriesExhausted',
    });
    expect(invocation!.attemptLog.map((a) => a.outcome)).toEqual(['error', 'error', 'error']);

    // Three attempts, 50 ms and then 100 ms apart (the test's retryDelaysSeconds).
    const times = h
      .read('e1.attempts')
      .trim()
      .split('\n')
      .map((l) => Number(l.split(' ')[0]));
    expect(times).toHaveLength(3);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(45);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(95);
    // Every attempt of one event has the event's request id, as in Lambda.
    const ids = new Set(
      h
        .read('e1.attempts')
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[1]),
    );
    expect([...ids]).toEqual([invocation!.requestId]);

    const { queue, body } = h.sink.sent[0]!;
    expect(queue).toBe('decoder-failures');
    const record = body as OnFailureRecord;
    expect(Object.keys(record)).toEqual([
      'version',
      'timestamp',
      'requestContext',
      'requestPayload',
      'responseContext',
      'responsePayload',
    ]);
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: {
        requestId: invocation!.requestId,
        functionArn: `${ARN}:decoder:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: {
        errorType: 'ImageDecodeError',
        errorMessage: 'cannot decode photos/cat.jpg',
      },
    });
    expect(record.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(record.responsePayload!.trace![0]).toBe(
      'ImageDecodeError: cannot decode photos/cat.jpg',
    );
    await until(() => h.runtime.recentInvocations('decoder', 1)[0]!.onFailureState === 'sent');
  });

  it('honours maximumRetryAttempts 0 and reports non-Error throws as the runtime does', async () => {
    const h = await startRuntime([
      { name: 'once', module: 'throws.mjs', maximumRetryAttempts: 0, onFailure: 'q' },
    ]);
    await h.runtime.invoke('once', { id: 'e2', throwString: true });
    await until(() => h.sink.sent.length === 1);
    expect(h.read('e2.attempts').trim().split('\n')).toHaveLength(1);
    expect((h.sink.sent[0]!.body as OnFailureRecord).responsePayload).toEqual({
      errorType: 'string',
      errorMessage: 'plain string',
      trace: [],
    });
  });

  it('delivers the record into a real Vigil queue', async () => {
    let queues: QueueService | undefined;
    const h = await startRuntime(
      [{ name: 'decoder', module: 'throws.mjs', maximumRetryAttempts: 1, onFailure: 'failures' }],
      {
        sinkOn: (engine) =>
          (queues = new QueueService({
            db: engine.db,
            grouped: (work, options) => engine.grouped(work, options),
            region: 'us-east-1',
            accountId: '000000000000',
          })),
      },
    );
    await queues!.createQueue('failures');
    await h.runtime.invoke('decoder', { id: 'e3', key: 'k' });
    await until(() => h.runtime.recentInvocations('decoder', 1)[0]?.onFailureState === 'sent');
    const messages = await queues!.receive('failures', { maxNumberOfMessages: 10 });
    expect(messages).toHaveLength(1);
    const record = JSON.parse(messages[0]!.body) as OnFailureRecord;
    expect(record.requestContext).toMatchObject({
      functionArn: `${ARN}:decoder:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: 2,
    });
    expect(record.requestPayload).toEqual({ id: 'e3', key: 'k' });
    expect(record.responsePayload).toMatchObject({ errorType: 'ImageDecodeError' });
    queues!.close();
  });

  it('keeps a record it cannot send and sends it once the queue exists', async () => {
    let refuse = true;
    const sent: string[] = [];
    const sink = {
      send: (queue: string, body: string) => {
        if (refuse) return Promise.reject(new Error(`queue ${queue} does not exist`));
        sent.push(body);
        return Promise.resolve();
      },
    };
    const h = await startRuntime(
      [{ name: 'decoder', module: 'throws.mjs', maximumRetryAttempts: 0, onFailure: 'later' }],
      { onFailure: sink },
    );
    await h.runtime.invoke('decoder', { id: 'e4' });
    const latest = () => h.runtime.recentInvocations('decoder', 1)[0];
    await until(() => (latest()?.onFailureAttempts ?? 0) >= 1);
    expect(latest()).toMatchObject({
      state: 'failed',
      onFailureState: 'pending',
      onFailureError: 'Error: queue later does not exist',
    });
    refuse = false;
    await until(() => latest()!.onFailureState === 'sent', 5000);
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]!)).toMatchObject({
      requestContext: { condition: 'RetriesExhausted' },
    });
  });
});

describe('asynchronous invocation: event age', () => {
  it('gives up an event older than maximumEventAgeSeconds before its next attempt', async () => {
    let skew = 0;
    const h = await startRuntime(
      [
        {
          name: 'aging',
          module: 'throws.mjs',
          maximumEventAgeSeconds: 60,
          retryDelaysSeconds: [1],
          onFailure: 'q',
        },
      ],
      { now: () => Date.now() + skew },
    );
    await h.runtime.invoke('aging', { id: 'e5', key: 'k' });
    await until(
      () =>
        h.runtime.recentInvocations('aging', 1)[0]!.attempts === 1 &&
        h.runtime.recentInvocations('aging', 1)[0]!.state === 'pending',
    );
    skew = 61_000; // the retry is now due, and the event is 61 s old
    await until(() => h.sink.sent.length === 1);
    expect(h.read('e5.attempts').trim().split('\n')).toHaveLength(1);
    const record = h.sink.sent[0]!.body as OnFailureRecord;
    expect(record.requestContext).toMatchObject({
      condition: 'EventAgeExceeded',
      approximateInvokeCount: 1,
    });
    expect(record.responsePayload).toMatchObject({ errorType: 'ImageDecodeError' });
  });

  it('ages an event out at once when its next retry would come after its maximum age', async () => {
    const h = await startRuntime([
      {
        name: 'aging',
        module: 'throws.mjs',
        maximumEventAgeSeconds: 60,
        retryDelaysSeconds: [120],
        onFailure: 'q',
      },
    ]);
    await h.runtime.invoke('aging', { id: 'e6', key: 'k' });
    await until(() => h.sink.sent.length === 1);
    expect((h.sink.sent[0]!.body as OnFailureRecord).requestContext.condition).toBe(
      'EventAgeExceeded',
    );
  });
});

describe('asynchronous invocation: durable acceptance', () => {
  it('runs an event accepted while the runtime was not running, after a restart', async () => {
    const h = await startRuntime([{ name: 'slow', module: 'slow.mjs' }], { start: false });
    await h.runtime.invoke('slow', { id: 'queued', ms: 1 });
    expect(h.runtime.recentInvocations('slow', 1)[0]!.state).toBe('pending');
    await h.close();
    const h2 = await startRuntime([{ name: 'slow', module: 'slow.mjs' }], {
      dataDir: h.dataDir,
      outDir: h.outDir,
    });
    const [invocation] = await settled(h2.runtime, 'slow');
    expect(invocation!.state).toBe('succeeded');
    expect(h2.read('queued.done')).toBe(invocation!.requestId);
  });

  it('puts an invocation still running at stop back in line, without counting the attempt', async () => {
    const h = await startRuntime([{ name: 'slow', module: 'slow.mjs' }], { drainMs: 50 });
    await h.runtime.invoke('slow', { id: 'interrupted', ms: 800 });
    await until(() => h.runtime.recentInvocations('slow', 1)[0]!.state === 'running');
    await h.runtime.stop();
    const [stopped] = h.runtime.recentInvocations('slow', 1);
    expect(stopped).toMatchObject({ state: 'pending', attempts: 0 });
    expect(stopped!.attemptLog[0]!.outcome).toBe('interrupted');
    await expect(h.runtime.invoke('slow', {})).rejects.toMatchObject({
      code: 'ServiceUnavailable',
    });
    await h.close();
    expect(existsSync(join(h.outDir, 'interrupted.done'))).toBe(false);

    const h2 = await startRuntime([{ name: 'slow', module: 'slow.mjs' }], {
      dataDir: h.dataDir,
      outDir: h.outDir,
    });
    const [done] = await settled(h2.runtime, 'slow');
    expect(done).toMatchObject({ state: 'succeeded', attempts: 1 });
    expect(h2.read('interrupted.done')).toBe(done!.requestId);
  });

  it('after a crash, requeues what the dead process was running and counts that attempt', async () => {
    const h = await startRuntime([{ name: 'slow', module: 'slow.mjs' }], { start: false });
    await h.runtime.invoke('slow', { id: 'crashed', ms: 1 });
    // What a process killed mid-attempt leaves behind: the attempt started, never ended.
    const store = new InvocationStore(h.engine.db);
    const [queued] = h.runtime.recentInvocations('slow', 1);
    expect(store.startAttempt({ id: queued!.id, attempts: 0 }, Date.now(), 128)).toBe(true);
    await h.close();

    const h2 = await startRuntime([{ name: 'slow', module: 'slow.mjs' }], {
      dataDir: h.dataDir,
      outDir: h.outDir,
    });
    const [done] = await settled(h2.runtime, 'slow');
    expect(done).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(done!.attemptLog.map((a) => a.outcome)).toEqual(['interrupted', 'success']);
  });

  it('keeps the newest invocations in the log and lists them newest first', async () => {
    const h = await startRuntime([{ name: 'slow', module: 'slow.mjs' }], {
      retainInvocations: 3,
    });
    for (let i = 0; i < 7; i++) await h.runtime.invoke('slow', { id: `n${i}`, ms: 1 });
    await until(() => h.outputs('.done').length === 7);
    await until(() =>
      h.runtime.recentInvocations('slow', 100).every((i) => i.state === 'succeeded'),
    );
    const all = h.runtime.recentInvocations('slow', 100);
    expect(all.length).toBeLessThanOrEqual(4);
    expect(JSON.parse(all[0]!.payload)).toEqual({ id: 'n6', ms: 1 });
    expect(all.map((i) => i.id)).toEqual([...all.map((i) => i.id)].sort((a, b) => b - a));
    expect(h.runtime.recentInvocations('slow', 2)).toHaveLength(2);
  });
});
