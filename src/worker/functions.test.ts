import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES } from '../functions/runtime.test-helper.js';
import type { FunctionDefinition } from '../functions/types.js';
import { FunctionFailedError, WorkerFunctions } from './functions.js';

const SCOPE = {
  region: 'eu-west-1',
  accountId: '123456789012',
  endpointUrl: 'http://127.0.0.1:9',
  credentials: { accessKeyId: 'AKIDWORKER', secretAccessKey: 'worker-secret' },
};

let opened: WorkerFunctions[] = [];
let outDir = '';

afterEach(async () => {
  await Promise.all(opened.map((f) => f.close()));
  opened = [];
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

function functions(
  names: string[],
  definitions: (Omit<FunctionDefinition, 'module'> & { module: string })[],
): WorkerFunctions {
  outDir = mkdtempSync(join(tmpdir(), 'vigil-worker-fn-'));
  const declared = definitions.map((d) => ({
    ...d,
    module: join(FIXTURES, d.module),
    environment: { OUT_DIR: outDir, ...d.environment },
  }));
  const created = WorkerFunctions.create(names, declared, SCOPE, pino({ level: 'silent' }));
  opened.push(created);
  return created;
}

describe('WorkerFunctions', () => {
  it('invokes each named function with the event, in a Lambda environment pointing at the store', async () => {
    const fns = functions(['seen'], [{ name: 'seen', module: 'context.mjs' }]);
    const event = { Records: [{ eventName: 'ObjectCreated:Put', s3: { object: { key: 'a' } } }] };
    const [invocation] = await fns.invokeAll(event);
    expect(invocation).toMatchObject({ functionName: 'seen', outcome: 'success' });
    const seen = JSON.parse(
      readFileSync(join(outDir, `${invocation!.requestId}.json`), 'utf8'),
    ) as { event: unknown; context: { invokedFunctionArn: string }; env: Record<string, string> };
    expect(seen.event).toEqual(event);
    expect(seen.context.invokedFunctionArn).toBe(
      'arn:aws:lambda:eu-west-1:123456789012:function:seen',
    );
    expect(seen.env).toMatchObject({
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDWORKER',
    });
    expect(seen.env['AWS_SESSION_TOKEN']).toBeUndefined();
  });

  it('fails the message with the handler error, and runs no later function', async () => {
    const fns = functions(
      ['fails', 'seen'],
      [
        { name: 'fails', module: 'throws.mjs' },
        { name: 'seen', module: 'context.mjs' },
      ],
    );
    const failure = await fns.invokeAll({ id: 'x', key: 'k.jpg' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(FunctionFailedError);
    expect((failure as FunctionFailedError).message).toBe(
      'function fails failed: ImageDecodeError: cannot decode k.jpg',
    );
    expect(readdirSync(outDir).filter((f) => f.endsWith('.json'))).toEqual([]);
  });

  it('reports a timeout as a failure', async () => {
    const fns = functions(['slow'], [{ name: 'slow', module: 'timeout.mjs', timeoutSeconds: 1 }]);
    const failure = await fns.invokeAll({ mode: 'hang' }).catch((e: unknown) => e);
    expect((failure as FunctionFailedError).outcome).toBe('timeout');
  });

  it('runs at most reservedConcurrency invocations at once; the others wait their turn', async () => {
    const fns = functions(
      ['spans'],
      [{ name: 'spans', module: 'concurrency.mjs', reservedConcurrency: 2 }],
    );
    await Promise.all(Array.from({ length: 6 }, () => fns.invokeAll({ sleepMs: 150 })));
    const spans = readdirSync(outDir)
      .filter((f) => f.endsWith('.span'))
      .map(
        (f) => JSON.parse(readFileSync(join(outDir, f), 'utf8')) as { start: number; end: number },
      );
    expect(spans).toHaveLength(6);
    const overlapAt = (t: number) => spans.filter((s) => s.start <= t && t < s.end).length;
    expect(Math.max(...spans.map((s) => overlapAt(s.start)))).toBe(2);
  });

  it('names a function that is not declared', () => {
    expect(() => functions(['missing'], [])).toThrow('missing');
  });
});
