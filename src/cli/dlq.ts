import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { OutboxStore, type DeadLetterFilter } from '../delivery/outbox-store.js';
import { ConfigError } from '../config/index.js';
import { vigilCommand } from './hints.js';
import { openDatabase } from '../storage/index.js';
import type { WorkerSettings } from '../worker/config.js';
import { deadLetterSummary, openWorkerDeadLetters } from '../worker/dead-letters.js';

/**
 * Opens the outbox of a data directory directly (SQLite in WAL mode allows this next to a
 * running server, whose dispatcher picks redriven rows up within its poll interval) — so
 * dead letters can be inspected and redriven whether or not Vigil is running.
 */
function withOutbox<T>(dataDir: string, fn: (store: OutboxStore) => T): T {
  const file = join(dataDir, 'vigil.db');
  if (!existsSync(file))
    throw new ConfigError(
      `No Vigil database in ${dataDir}: start Vigil there first: ${vigilCommand('serve', dataDir)}`,
    );
  const db = openDatabase(file);
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version < 2)
      throw new ConfigError(
        `The database in ${dataDir} predates event delivery: start Vigil once to upgrade it: ${vigilCommand('serve', dataDir)}`,
      );
    return fn(new OutboxStore(db));
  } finally {
    db.close();
  }
}

export function listDeadLetters(
  dataDir: string,
  filter: DeadLetterFilter,
  json: boolean,
  write: (text: string) => void,
): void {
  const letters = withOutbox(dataDir, (store) => store.deadLetters(filter));
  if (json) {
    write(
      JSON.stringify(
        letters.map((l) => ({ ...l, body: JSON.parse(l.body) as unknown })),
        null,
        2,
      ) + '\n',
    );
    return;
  }
  if (letters.length === 0) {
    write('No dead letters.\n');
    return;
  }
  for (const l of letters) {
    write(
      `#${l.id}  ${new Date(l.deadAt ?? l.createdAt).toISOString()}  ${l.eventName}  s3://${l.bucket}/${l.key}\n` +
        `    to ${l.destination} after ${l.attempts} attempt(s): ${l.lastError ?? ''}\n`,
    );
  }
  write(
    `${letters.length} dead letter(s). Redrive with: ${vigilCommand('dlq redrive --all', dataDir)} (or --id N, --destination ARN)\n`,
  );
}

export function redriveDeadLetters(dataDir: string, filter: DeadLetterFilter): number {
  return withOutbox(dataDir, (store) => store.redrive(filter, Date.now()));
}

/** `vigil dlq list --worker`: the dead letters of the config's worker event source. */
export async function listWorkerDeadLetters(
  settings: WorkerSettings,
  json: boolean,
  write: (text: string) => void,
): Promise<void> {
  const store = await openWorkerDeadLettersOrSay(settings);
  try {
    const letters = await store.list(500);
    if (json) {
      write(JSON.stringify(letters, null, 2) + '\n');
      return;
    }
    if (letters.length === 0) {
      write(`No dead letters in ${store.name}.\n`);
      return;
    }
    for (const l of letters) {
      const summary = deadLetterSummary(l.body);
      write(
        `${l.id}  ${l.deadAt === null ? '' : new Date(l.deadAt).toISOString()}  ${summary}\n` +
          `    after ${l.attempts ?? '?'} attempt(s): ${l.reason}\n`,
      );
    }
    write(
      `${letters.length} dead letter(s) in ${store.name}. Redrive with: vigil dlq redrive --worker --config <file> --all (or --id ID…)\n`,
    );
  } finally {
    await store.close();
  }
}

/** `vigil dlq redrive --worker`: back to the source, for the workers to try again. */
export async function redriveWorkerDeadLetters(
  settings: WorkerSettings,
  ids: readonly string[] | 'all',
): Promise<number> {
  const store = await openWorkerDeadLettersOrSay(settings);
  try {
    return await store.redrive(ids);
  } finally {
    await store.close();
  }
}

async function openWorkerDeadLettersOrSay(settings: WorkerSettings) {
  return openWorkerDeadLetters(settings).catch((error: unknown) => {
    throw new ConfigError(
      `worker.source: cannot reach the dead letters (${error instanceof Error ? error.message : String(error)}).`,
    );
  });
}
