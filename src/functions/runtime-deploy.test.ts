import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, settled, startRuntime, until } from './runtime.test-helper.js';
import { FunctionRuntimeError } from './types.js';

afterEach(closeAll);

/** A module written to a fresh directory: the code a Lambda API deploy would extract. */
function moduleFile(source: string, name = 'index.mjs'): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-fn-code-'));
  writeFileSync(join(dir, name), source);
  return join(dir, name);
}

const VERSIONED = (version: number, delayMs = 0) => `
export const handler = async (event) => {
  await new Promise((r) => setTimeout(r, ${delayMs}));
  console.log('version ${version}');
  return { version: ${version}, event };
};`;

describe('function runtime: synchronous invocations', () => {
  it('returns the result and the attempt log', async () => {
    const h = await startRuntime([]);
    h.runtime.put({ name: 'sync', module: moduleFile(VERSIONED(1)), memoryMb: 256 });
    const result = await h.runtime.invokeNow('sync', '{"a":1}');
    expect(JSON.parse(result.payload)).toEqual({ version: 1, event: { a: 1 } });
    expect(result.error).toBeUndefined();
    expect(result.logs).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
    expect(result.logs).toContain('\tINFO\tversion 1\n');
    expect(result.logs).toMatch(/END RequestId: .*\nREPORT RequestId: .*Memory Size: 256 MB/);
  });

  it('answers null for a handler that returns nothing, and the error payload for a failure', async () => {
    const h = await startRuntime([]);
    h.runtime.put({
      name: 'nothing',
      module: moduleFile('export const handler = async () => {};'),
    });
    expect((await h.runtime.invokeNow('nothing', '{}')).payload).toBe('null');
    h.runtime.put({
      name: 'throws',
      module: moduleFile("export const handler = async () => { throw new RangeError('no'); };"),
    });
    const failed = await h.runtime.invokeNow('throws', '{}');
    expect(failed.error).toMatchObject({ errorType: 'RangeError', errorMessage: 'no' });
    expect(JSON.parse(failed.payload)).toMatchObject({ errorType: 'RangeError' });
  });

  it('refuses unknown functions and payloads that are not JSON', async () => {
    const h = await startRuntime([]);
    await expect(h.runtime.invokeNow('missing', '{}')).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
    });
    h.runtime.put({ name: 'json', module: moduleFile(VERSIONED(1)) });
    const refused = h.runtime.invokeNow('json', 'not json');
    await expect(refused).rejects.toBeInstanceOf(FunctionRuntimeError);
    await expect(refused).rejects.toMatchObject({ code: 'InvalidRequestContentException' });
  });

  it('waits for a free slot when queued events fill the pool', async () => {
    const h = await startRuntime([]);
    h.runtime.put({ name: 'one', module: moduleFile(VERSIONED(1, 300)), reservedConcurrency: 1 });
    await h.runtime.invoke('one', { queued: true });
    await until(() => h.runtime.recentInvocations('one')[0]?.state === 'running');
    const result = await h.runtime.invokeNow('one', '{"sync":true}');
    expect(JSON.parse(result.payload)).toMatchObject({ event: { sync: true } });
    const [queued] = await settled(h.runtime, 'one');
    expect(queued!.state).toBe('succeeded');
  });
});

describe('function runtime: functions added, replaced and removed while running', () => {
  it('runs queued events on the new code, and lets the running one finish on the old', async () => {
    const h = await startRuntime([]);
    h.runtime.put({ name: 'swap', module: moduleFile(VERSIONED(1, 400)), reservedConcurrency: 1 });
    await h.runtime.invoke('swap', { n: 1 });
    await until(() => h.runtime.recentInvocations('swap')[0]?.state === 'running');
    await h.runtime.invoke('swap', { n: 2 }); // waits for the only slot
    h.runtime.put({ name: 'swap', module: moduleFile(VERSIONED(2)), reservedConcurrency: 1 });
    const done = await settled(h.runtime, 'swap', 2);
    const logs = Object.fromEntries(
      done.map((i) => [(JSON.parse(i.payload) as { n: number }).n, i.attemptLog[0]!.logs]),
    );
    expect(logs[1]).toContain('version 1');
    expect(logs[2]).toContain('version 2');
    const result = await h.runtime.invokeNow('swap', '{}');
    expect(JSON.parse(result.payload)).toMatchObject({ version: 2 });
  });

  it('removes a function', async () => {
    const h = await startRuntime([]);
    h.runtime.put({ name: 'gone', module: moduleFile(VERSIONED(1)) });
    expect(h.runtime.has('gone')).toBe(true);
    expect(h.runtime.remove('gone')).toBe(true);
    expect(h.runtime.has('gone')).toBe(false);
    expect(h.runtime.functionNames()).not.toContain('gone');
    expect(h.runtime.remove('gone')).toBe(false);
    await expect(h.runtime.invoke('gone', {})).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
    });
  });

  it('names a nested module by its path from the code root in _HANDLER, and carries the role', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vigil-fn-root-'));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(root, 'src'));
    writeFileSync(
      join(root, 'src', 'app.mjs'),
      'export const main = async () => [process.env._HANDLER, process.env.LAMBDA_TASK_ROOT];',
    );
    const h = await startRuntime([]);
    const role = 'arn:aws:iam::000000000000:role/runner';
    h.runtime.put({
      name: 'nested',
      module: join(root, 'src', 'app.mjs'),
      handler: 'main',
      codeRoot: root,
      role,
    });
    expect(h.runtime.describe('nested')?.role).toBe(role);
    const result = await h.runtime.invokeNow('nested', '{}');
    expect(JSON.parse(result.payload)).toEqual(['src/app.main', root]);
    expect(() =>
      h.runtime.put({ name: 'bad-role', module: join(root, 'src', 'app.mjs'), role: 'admin' }),
    ).toThrow(/role: expected an IAM role ARN/);
  });
});
