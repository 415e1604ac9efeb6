import { afterEach, describe, expect, it } from 'vitest';
import { renderAttempt } from './log-format.js';
import { CREDENTIALS, closeAll, settled, startRuntime, until } from './runtime.test-helper.js';
import { lineageHash, parseTraceHeader } from './trace.js';
import { FunctionRuntimeError } from './types.js';

afterEach(closeAll);

describe('function runtime: handler, context and environment', () => {
  it('gives the handler its event, a Lambda context and a Lambda environment', async () => {
    const h = await startRuntime([
      {
        name: 'ctx',
        module: 'context.mjs',
        memoryMb: 256,
        timeoutSeconds: 5,
        environment: { GREETING: 'hi' },
      },
    ]);
    const event = { Records: [{ s3: { object: { key: 'a.jpg' } } }] };
    await h.runtime.invoke('ctx', event);
    const [invocation] = await settled(h.runtime, 'ctx');
    expect(invocation!.state).toBe('succeeded');
    const seen = JSON.parse(h.read(`${invocation!.requestId}.json`)) as {
      event: unknown;
      context: Record<string, unknown>;
      env: Record<string, string>;
    };
    expect(seen.event).toEqual(event);
    expect(seen.context).toMatchObject({
      awsRequestId: invocation!.requestId,
      functionName: 'ctx',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:ctx',
      memoryLimitInMB: '256',
      logGroupName: '/aws/lambda/ctx',
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(seen.context['logStreamName']).toMatch(
      /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/,
    );
    const remaining = seen.context['remaining'] as number;
    expect(remaining).toBeGreaterThan(4000);
    expect(remaining).toBeLessThanOrEqual(5000);
    expect(seen.context['remainingLater'] as number).toBeLessThan(remaining);
    expect(seen.env).toMatchObject({
      AWS_LAMBDA_FUNCTION_NAME: 'ctx',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/ctx',
      AWS_LAMBDA_LOG_STREAM_NAME: seen.context['logStreamName'],
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      _HANDLER: 'context.handler',
      GREETING: 'hi',
    });
    // The handler runs with the invocation's causal chain, and without Vigil's environment.
    expect(seen.env['_X_AMZN_TRACE_ID']).toBe(invocation!.traceHeader);
    expect(parseTraceHeader(invocation!.traceHeader)!.lineage).toEqual([
      { hash: lineageHash('ctx'), count: 1 },
    ]);
    expect(process.env['VITEST']).toBeDefined();
    expect(seen.env['VITEST']).toBeUndefined();
  });

  it('captures console output per invocation and renders START, END and REPORT', async () => {
    const h = await startRuntime([{ name: 'logs', module: 'logs.mjs', memoryMb: 512 }]);
    await h.runtime.invoke('logs', { n: 1 });
    await h.runtime.invoke('logs', { n: 2 });
    const [second, first] = await settled(h.runtime, 'logs', 2);
    const id = first!.requestId;
    const attempt = first!.attemptLog[0]!;
    const lines = attempt.logs.trimEnd().split('\n');
    const stamp = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';
    // Module-level output belongs to the first invocation, with request id `undefined`.
    expect(lines[0]).toMatch(new RegExp(`^${stamp}\tundefined\tINFO\tloading module$`));
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^${stamp}\t${id}\tINFO\thello \\{ a: 1 \\}$`)),
      expect.stringMatching(new RegExp(`\t${id}\tINFO\tinfo line$`)),
      expect.stringMatching(new RegExp(`\t${id}\tWARN\twarn line$`)),
      expect.stringMatching(new RegExp(`\t${id}\tERROR\terror line 42$`)),
      expect.stringMatching(new RegExp(`\t${id}\tDEBUG\tdebug line$`)),
      expect.stringMatching(new RegExp(`\t${id}\tINFO\ttwo$`)),
      'lines',
    ]);
    expect(second!.attemptLog[0]!.logs).not.toContain('loading module');
    expect(second!.attemptLog[0]!.logs).toContain(`\t${second!.requestId}\tINFO\thello`);

    const rendered = renderAttempt(id, attempt).split('\n');
    expect(rendered[0]).toBe(`START RequestId: ${id} Version: $LATEST`);
    expect(rendered.at(-3)).toBe(`END RequestId: ${id}`);
    const report = rendered.at(-2)!;
    const match = new RegExp(
      `^REPORT RequestId: ${id}\tDuration: (\\d+\\.\\d{2}) ms\tBilled Duration: (\\d+) ms\t` +
        `Memory Size: 512 MB\tMax Memory Used: (\\d+) MB\tInit Duration: \\d+\\.\\d{2} ms\t$`,
    ).exec(report);
    expect(match, report).not.toBeNull();
    expect(Number(match![2])).toBe(Math.max(1, Math.ceil(attempt.durationMs!)));
    expect(Number(match![3])).toBeGreaterThan(0);
    // A warm worker: no init phase on the second invocation.
    expect(second!.attemptLog[0]!.initDurationMs).toBeNull();
    expect(renderAttempt(second!.requestId, second!.attemptLog[0]!)).not.toContain('Init Duration');
  });

  it('runs callback-style handlers', async () => {
    const h = await startRuntime([{ name: 'cb', module: 'callback.mjs', maximumRetryAttempts: 0 }]);
    await h.runtime.invoke('cb', {});
    await h.runtime.invoke('cb', { fail: true });
    const [failed, ok] = await settled(h.runtime, 'cb', 2);
    expect(ok!.state).toBe('succeeded');
    expect(failed!.state).toBe('failed');
    expect(failed!.lastError).toMatchObject({
      errorType: 'Error',
      errorMessage: 'callback failure',
    });
  });

  it('refuses unknown functions, oversized events and missing handlers', async () => {
    const h = await startRuntime([
      { name: 'nohandler', module: 'context.mjs', handler: 'missing', maximumRetryAttempts: 0 },
      { name: 'nomodule', module: 'no-such-module.mjs', maximumRetryAttempts: 0 },
    ]);
    expect(h.runtime.has('nohandler')).toBe(true);
    expect(h.runtime.has('ghost')).toBe(false);
    await expect(h.runtime.invoke('ghost', {})).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
      message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:ghost',
    });
    await expect(
      h.runtime.invoke('nohandler', { blob: 'x'.repeat(1024 * 1024) }),
    ).rejects.toBeInstanceOf(FunctionRuntimeError);
    await h.runtime.invoke('nohandler', {});
    const [invocation] = await settled(h.runtime, 'nohandler');
    expect(invocation!.lastError).toEqual({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'context.missing is undefined or not exported',
    });
    await h.runtime.invoke('nomodule', {});
    const [unloadable] = await settled(h.runtime, 'nomodule');
    expect(unloadable!.lastError).toMatchObject({
      errorType: 'Runtime.ImportModuleError',
      errorMessage: expect.stringContaining('Cannot find module') as string,
    });
  });
});

describe('function runtime: isolation and limits', () => {
  it('stops a timed-out invocation with Lambda wording, without blocking the main thread', async () => {
    const h = await startRuntime([
      { name: 'slowpoke', module: 'timeout.mjs', timeoutSeconds: 1, maximumRetryAttempts: 0 },
    ]);
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 10);
    const started = Date.now();
    await h.runtime.invoke('slowpoke', { mode: 'spin' });
    const [invocation] = await settled(h.runtime, 'slowpoke');
    clearInterval(ticker);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    // The handler spun a CPU for a second; the main thread kept its timers running.
    expect(ticks).toBeGreaterThan(elapsed / 10 / 3);
    expect(invocation!.lastError).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${invocation!.requestId} Error: Task timed out after 1.00 seconds`,
    });
    const attempt = invocation!.attemptLog[0]!;
    expect(attempt.outcome).toBe('timeout');
    expect(attempt.durationMs).toBeGreaterThanOrEqual(1000);
    expect(attempt.logs).toMatch(
      new RegExp(`Z ${invocation!.requestId} Task timed out after 1\\.\\d{2} seconds\n$`),
    );
    // The terminated worker is replaced: the function keeps working.
    await h.runtime.invoke('slowpoke', { mode: 'ok' });
    await until(() => h.runtime.recentInvocations('slowpoke', 1)[0]!.state === 'succeeded');
  });

  it('replaces a worker that exits or throws outside the handler', async () => {
    const h = await startRuntime([
      { name: 'crashy', module: 'crash.mjs', maximumRetryAttempts: 0 },
    ]);
    await h.runtime.invoke('crashy', { crash: true });
    const [crashed] = await settled(h.runtime, 'crashy');
    expect(crashed!.lastError).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${crashed!.requestId} Error: Runtime exited with error: exit status 3`,
    });
    expect(crashed!.attemptLog[0]!.outcome).toBe('crash');

    await h.runtime.invoke('crashy', { uncaught: true });
    await until(() => h.runtime.recentInvocations('crashy', 1)[0]!.state === 'failed');
    const [uncaught] = h.runtime.recentInvocations('crashy', 1);
    expect(uncaught!.lastError).toMatchObject({
      errorType: 'RangeError',
      errorMessage: 'thrown from a timer',
    });

    await h.runtime.invoke('crashy', {});
    await until(() => h.runtime.recentInvocations('crashy', 1)[0]!.state === 'succeeded');
  });

  it('never runs more invocations at once than the reserved concurrency', async () => {
    const h = await startRuntime([
      { name: 'busy', module: 'concurrency.mjs', reservedConcurrency: 2 },
    ]);
    // Long enough that the second worker's cold start overlaps the first worker's runs.
    for (let i = 0; i < 8; i++) await h.runtime.invoke('busy', { sleepMs: 400 });
    const invocations = await settled(h.runtime, 'busy', 8);
    expect(invocations.every((i) => i.state === 'succeeded')).toBe(true);
    const spans = h
      .outputs('.span')
      .map((f) => JSON.parse(h.read(f)) as { start: number; end: number });
    expect(spans).toHaveLength(8);
    const points = spans.flatMap((s) => [
      { at: s.start, delta: 1 },
      { at: s.end, delta: -1 },
    ]);
    points.sort((a, b) => a.at - b.at || a.delta - b.delta);
    let running = 0;
    let peak = 0;
    for (const p of points) peak = Math.max(peak, (running += p.delta));
    expect(peak).toBe(2);
  });
});
