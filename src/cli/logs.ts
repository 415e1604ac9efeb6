import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config/index.js';
import {
  InvocationStore,
  invocationView,
  renderAttempt,
  type InvocationRecord,
} from '../functions/index.js';
import { openDatabase } from '../storage/index.js';
import { vigilCommand } from './hints.js';

export interface FunctionLogOptions {
  /** How many of the newest invocations to show. Default 20. */
  limit?: number;
  /** Only this invocation. */
  requestId?: string;
  /** Print JSON (the invocation records, each attempt with its rendered log) instead. */
  json?: boolean;
}

/**
 * `vigil logs <function>`: a function's recent invocations, oldest first, each attempt
 * shown as Lambda's log stream shows it (START, the handler's output, END, REPORT). Opens
 * the data directory's database directly, like `vigil dlq`, so it works whether or not
 * Vigil is running.
 */
export function printFunctionLogs(
  dataDir: string,
  name: string,
  options: FunctionLogOptions,
  write: (text: string) => void,
): void {
  const invocations = withStore(dataDir, (store) => {
    if (options.requestId === undefined) return store.recent(name, options.limit ?? 20).reverse();
    const one = store.get(options.requestId);
    return one && one.functionName === name ? [one] : [];
  });
  if (options.json) {
    write(`${JSON.stringify(invocations.map(invocationView), null, 2)}\n`);
    return;
  }
  if (invocations.length === 0) {
    write(
      options.requestId === undefined
        ? `No invocations of ${name}.\n`
        : `No invocation ${options.requestId} of ${name}.\n`,
    );
    return;
  }
  for (const invocation of invocations) {
    for (const attempt of invocation.attemptLog)
      write(renderAttempt(invocation.requestId, attempt));
    const summary = outcome(invocation);
    if (summary) write(`[vigil] ${invocation.requestId}: ${summary}\n`);
  }
}

function withStore<T>(dataDir: string, fn: (store: InvocationStore) => T): T {
  const file = join(dataDir, 'vigil.db');
  if (!existsSync(file))
    throw new ConfigError(
      `No Vigil database in ${dataDir}: start Vigil there first: ${vigilCommand('serve', dataDir)}`,
    );
  const db = openDatabase(file);
  try {
    return fn(new InvocationStore(db));
  } finally {
    db.close();
  }
}

/** What happened to the event, beyond what Lambda's own lines say. */
function outcome(invocation: InvocationRecord): string | undefined {
  const when = (at: number) => new Date(at).toISOString();
  switch (invocation.state) {
    case 'succeeded':
      return undefined;
    case 'running':
      return `running (attempt ${invocation.attempts})`;
    case 'pending':
      return invocation.attempts === 0
        ? `queued since ${when(invocation.acceptedAt)}`
        : `retry ${invocation.attempts} due at ${when(invocation.nextAttemptAt)}`;
    case 'failed': {
      const record = invocation.onFailure
        ? `; invocation record ${invocation.onFailureState === 'sent' ? 'sent' : 'waiting to be sent'} to queue ${invocation.onFailure}` +
          (invocation.onFailureError ? ` (last error: ${invocation.onFailureError})` : '')
        : '; no on-failure destination, event discarded';
      return `failed after ${invocation.attempts} attempt(s): ${invocation.condition ?? 'RetriesExhausted'}${record}`;
    }
  }
}
