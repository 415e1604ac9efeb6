import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/index.js';
import { closeAll, settled, startRuntime } from '../functions/runtime.test-helper.js';
import { printFunctionLogs } from './logs.js';

afterEach(closeAll);

function capture(dataDir: string, name: string, options = {}): string {
  let text = '';
  printFunctionLogs(dataDir, name, options, (t) => (text += t));
  return text;
}

describe('vigil logs <function>', () => {
  it('prints attempts as Lambda log streams, oldest first, from the database alone', async () => {
    const h = await startRuntime([
      { name: 'logs', module: 'logs.mjs' },
      { name: 'decoder', module: 'throws.mjs', maximumRetryAttempts: 1 },
    ]);
    await h.runtime.invoke('logs', { n: 1 });
    await h.runtime.invoke('logs', { n: 2 });
    await h.runtime.invoke('decoder', { id: 'x', key: 'a.jpg' });
    const [second, first] = await settled(h.runtime, 'logs', 2);
    const [failed] = await settled(h.runtime, 'decoder');
    await h.close(); // Vigil need not be running

    const text = capture(h.dataDir, 'logs');
    const lines = text.split('\n');
    expect(lines[0]).toBe(`START RequestId: ${first!.requestId} Version: $LATEST`);
    expect(text.indexOf(first!.requestId)).toBeLessThan(text.indexOf(second!.requestId));
    expect(text).toContain(`\t${second!.requestId}\tWARN\twarn line\n`);
    expect(text).toContain(`END RequestId: ${second!.requestId}\n`);
    expect(text).toMatch(
      new RegExp(
        `REPORT RequestId: ${second!.requestId}\tDuration: [\\d.]+ ms\tBilled Duration: \\d+ ms\tMemory Size: 128 MB`,
      ),
    );
    expect(text).not.toContain('[vigil]');

    expect(capture(h.dataDir, 'logs', { limit: 1 })).not.toContain(first!.requestId);
    expect(capture(h.dataDir, 'logs', { requestId: first!.requestId })).not.toContain(
      second!.requestId,
    );

    const failures = capture(h.dataDir, 'decoder');
    expect(failures.match(/^START RequestId/gm)).toHaveLength(2);
    expect(failures).toContain(`\tERROR\tInvoke Error \t{"errorType":"ImageDecodeError"`);
    expect(failures).toContain(
      `[vigil] ${failed!.requestId}: failed after 2 attempt(s): RetriesExhausted; no on-failure destination, event discarded\n`,
    );

    const json = JSON.parse(capture(h.dataDir, 'decoder', { json: true })) as {
      requestId: string;
      payload: unknown;
      attemptLog: { rendered: string }[];
    }[];
    expect(json).toHaveLength(1);
    expect(json[0]!.payload).toEqual({ id: 'x', key: 'a.jpg' });
    expect(json[0]!.attemptLog[1]!.rendered).toContain(`END RequestId: ${failed!.requestId}`);
  });

  it('says when there is nothing to show, and when there is no database', async () => {
    const h = await startRuntime([{ name: 'logs', module: 'logs.mjs' }]);
    await h.close();
    expect(capture(h.dataDir, 'logs')).toBe('No invocations of logs.\n');
    expect(capture(h.dataDir, 'logs', { requestId: 'nope' })).toBe('No invocation nope of logs.\n');
    const empty = mkdtempSync(join(tmpdir(), 'vigil-nodb-'));
    expect(() => capture(empty, 'logs')).toThrow(ConfigError);
    expect(() => capture(empty, 'logs')).toThrow(`npx vigil serve --data-dir ${empty}`);
  });
});
