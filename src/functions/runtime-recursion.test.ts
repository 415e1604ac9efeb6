import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, settled, startRuntime, until } from './runtime.test-helper.js';
import { formatTraceHeader, lineageHash, recursionDepth } from './trace.js';
import type { FunctionRuntime, OnFailureRecord } from './types.js';

const servers: Server[] = [];
afterEach(async () => {
  await closeAll();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

function headerAtDepth(fn: string, count: number): string {
  return formatTraceHeader({
    root: '1-5759e988-bd862e3fe1be46a994272793',
    parent: '53995c3f42cd8ad8',
    sampled: '0',
    lineage: [
      { hash: 'a87bd80c', count: 3 },
      { hash: lineageHash(fn), count },
    ],
  });
}

describe('recursion guard', () => {
  it('drops the 17th invocation of a function in one chain and sends its record', async () => {
    const h = await startRuntime([
      { name: 'echo', module: 'slow.mjs', onFailure: 'loops' },
      { name: 'other', module: 'slow.mjs' },
    ]);
    await h.runtime.invoke(
      'echo',
      { id: 'd15', ms: 1 },
      { traceHeader: headerAtDepth('echo', 15) },
    );
    await h.runtime.invoke(
      'echo',
      { id: 'd16', ms: 1 },
      { traceHeader: headerAtDepth('echo', 16) },
    );
    // The chain's count for one function does not limit another.
    await h.runtime.invoke(
      'other',
      { id: 'o16', ms: 1 },
      { traceHeader: headerAtDepth('echo', 16) },
    );
    const finished = (name: string) =>
      h.runtime
        .recentInvocations(name, 10)
        .every((i) => i.state === 'succeeded' || i.state === 'failed');
    await until(() => h.sink.sent.length === 1 && finished('echo') && finished('other'));
    expect(h.outputs('.done').sort()).toEqual(['d15.done', 'o16.done']);

    const [dropped, ran] = h.runtime.recentInvocations('echo', 2);
    expect(ran).toMatchObject({ state: 'succeeded' });
    expect(recursionDepth(ran!.traceHeader, 'echo')).toBe(16);
    expect(dropped).toMatchObject({
      state: 'failed',
      condition: 'RecursiveInvocationDropped',
      attempts: 0,
    });
    expect(h.runtime.recursionStops('echo')).toBe(1);
    expect(h.runtime.recursionStops('other')).toBe(0);
    expect(h.runtime.recursionStops()).toBe(1);

    const record = h.sink.sent[0]!.body as OnFailureRecord;
    expect(record).toEqual({
      version: '1.0',
      timestamp: expect.any(String) as string,
      requestContext: {
        requestId: dropped!.requestId,
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:echo:$LATEST',
        condition: 'RecursiveInvocationDropped',
        approximateInvokeCount: 0,
      },
      requestPayload: { id: 'd16', ms: 1 },
    });
  });

  it('lets a function whose recursiveLoop is Allow run on', async () => {
    const h = await startRuntime([{ name: 'echo', module: 'slow.mjs', recursiveLoop: 'Allow' }]);
    await h.runtime.invoke(
      'echo',
      { id: 'd40', ms: 1 },
      { traceHeader: headerAtDepth('echo', 40) },
    );
    const [invocation] = await settled(h.runtime, 'echo');
    expect(invocation!.state).toBe('succeeded');
    expect(h.runtime.recursionStops()).toBe(0);
  });

  it('stops a handler that writes back to the bucket that triggers it, after 16 runs', async () => {
    // A stand-in for Vigil's S3 write path: it takes the PutObject a handler sends with the
    // AWS SDK, and invokes the function again with the write's X-Amzn-Trace-Id, as the
    // outbox does for a notification configuration that matches the write.
    const loop: { runtime?: FunctionRuntime } = {};
    const traces: string[] = [];
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const trace = req.headers['x-amzn-trace-id'];
        traces.push(String(trace));
        res.writeHead(200, { etag: '"d41d8cd98f00b204e9800998ecf8427e"' }).end();
        const n = Number(/\/(\d+)\.txt(?:\?|$)/.exec(req.url ?? '')?.[1]);
        void loop.runtime!.invoke('loop', { n }, { traceHeader: String(trace) });
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const endpointUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const h = await startRuntime(
      [{ name: 'loop', module: 'put-object.mjs', timeoutSeconds: 10, onFailure: 'loops' }],
      { endpointUrl },
    );
    loop.runtime = h.runtime;
    await h.runtime.invoke('loop', { n: 0 }); // the user's upload: no trace header
    // The 16th run is still finishing when its write's event is dropped: wait for both.
    const all = () => h.runtime.recentInvocations('loop', 100);
    await until(
      () => h.sink.sent.length === 1 && all().filter((i) => i.state === 'succeeded').length === 16,
      30_000,
    );
    expect(all().filter((i) => i.condition === 'RecursiveInvocationDropped')).toHaveLength(1);
    expect(all()).toHaveLength(17);
    expect(h.runtime.recursionStops('loop')).toBe(1);
    // The SDK's recursion-detection middleware sent each run's _X_AMZN_TRACE_ID.
    expect(traces).toHaveLength(16);
    expect(traces.map((t) => recursionDepth(t, 'loop'))).toEqual(
      Array.from({ length: 16 }, (_, i) => i + 1),
    );
    expect(new Set(traces.map((t) => /Root=([^;]+)/.exec(t)?.[1])).size).toBe(1);
    const record = h.sink.sent[0]!.body as OnFailureRecord;
    expect(record.requestContext.condition).toBe('RecursiveInvocationDropped');
    expect(record.requestPayload).toEqual({ n: 16 });
  });
});
