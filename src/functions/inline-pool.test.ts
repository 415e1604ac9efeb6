import { describe, expect, it } from 'vitest';
import { resolveDefinition } from './definition.js';
import { InlinePool } from './inline-pool.js';
import type { InlineHandler } from './types.js';

const scope = {
  region: 'us-east-1',
  accountId: '000000000000',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  endpointUrl: 'http://127.0.0.1:1',
};

function pool(handler: InlineHandler, reservedConcurrency = 1) {
  const fn = resolveDefinition({
    name: 'inline-fn',
    module: '(built in)',
    inline: handler,
    reservedConcurrency,
  });
  return new InlinePool({ ...fn, inline: handler }, scope);
}

const request = (timeoutSeconds = 3) => ({
  requestId: '8f5e3c2a-0000-4000-8000-000000000001',
  payload: JSON.stringify({ Records: [{ n: 1 }] }),
  traceHeader: 'Root=1-00000000-000000000000000000000000;Lineage=abcd1234:1',
  timeoutSeconds,
});

describe('InlinePool', () => {
  it('runs the handler with the event, a Lambda context, the trace header and a log', async () => {
    let seen: unknown[] = [];
    const result = await pool(async (event, context, invocation) => {
      seen = [
        event,
        context.functionName,
        context.invokedFunctionArn,
        context.getRemainingTimeInMillis() > 2000,
        invocation.traceHeader,
      ];
      invocation.log('judged 1 image');
      invocation.log('careful', 'WARN');
      return Promise.resolve({ ok: true });
    }).run(request());
    expect(seen).toEqual([
      { Records: [{ n: 1 }] },
      'inline-fn',
      'arn:aws:lambda:us-east-1:000000000000:function:inline-fn',
      true,
      request().traceHeader,
    ]);
    expect(result).toMatchObject({
      outcome: 'success',
      initDurationMs: null,
      maxMemoryUsedMb: null,
    });
    expect(result.logs).toHaveLength(2);
    expect(result.logs[0]).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z\t8f5e3c2a-0000-4000-8000-000000000001\tINFO\tjudged 1 image$/,
    );
    expect(result.logs[1]).toMatch(/\tWARN\tcareful$/);
  });

  it('reports a thrown error as Lambda does', async () => {
    const result = await pool(() => Promise.reject(new TypeError('no such object'))).run(request());
    expect(result).toMatchObject({
      outcome: 'error',
      error: { errorType: 'TypeError', errorMessage: 'no such object' },
    });
    expect(result.logs.at(-1)).toMatch(/\tERROR\tInvoke Error \t\{"errorType":"TypeError"/);
  });

  it('times an attempt out, leaving the handler to finish on its own', async () => {
    let finished = false;
    const result = await pool(async () => {
      await new Promise((r) => setTimeout(r, 1500));
      finished = true;
    }).run(request(1));
    expect(result).toMatchObject({
      outcome: 'timeout',
      error: {
        errorType: 'Sandbox.Timedout',
        errorMessage: expect.stringContaining('Task timed out after 1.00 seconds') as string,
      },
    });
    expect(finished).toBe(false);
  });

  it('runs at most its reserved concurrency at once', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const p = pool(() => gate, 2);
    const first = p.run(request());
    const second = p.run(request());
    expect(p.available).toBe(0);
    await expect(p.run(request())).rejects.toThrow('no free slot');
    release();
    await Promise.all([first, second]);
    expect(p.available).toBe(2);
  });
});
