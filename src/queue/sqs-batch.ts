/** The checks SQS applies to every batch request before it looks at the entries (pure). */
import type { Input } from './sqs-input.js';
import { QueueError, type BatchOutcome } from './types.js';
import { QUEUE_WIRE_ERRORS } from './sqs-errors.js';

export const MAX_BATCH_ENTRIES = 10;
const ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * The entries of a batch request and their ids, checked as SQS checks them.
 *
 * @throws QueueError `EmptyBatchRequest`, `TooManyEntriesInBatchRequest`,
 *   `InvalidBatchEntryId`, `BatchEntryIdsNotDistinct`.
 */
export function batchEntries(
  input: Input,
  entryShape: string,
): { entries: Input[]; ids: string[] } {
  const entries = input.entries('Entries');
  if (entries.length === 0) {
    throw new QueueError(
      'EmptyBatchRequest',
      `There should be at least one ${entryShape} in the request.`,
    );
  }
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw new QueueError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`,
    );
  }
  const ids = entries.map((entry) => entry.optionalString('Id') ?? '');
  const seen = new Set<string>();
  for (const id of ids) {
    if (!ENTRY_ID.test(id)) throw new QueueError('InvalidBatchEntryId');
    if (seen.has(id)) throw new QueueError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    seen.add(id);
  }
  return { entries, ids };
}

export interface BatchResult<S> {
  Successful: S[];
  Failed: { Id: string; SenderFault: boolean; Code: string; Message: string }[];
}

/** Splits per-entry outcomes into SQS's `Successful` and `Failed` lists. */
export function batchResult<T, S>(
  ids: readonly string[],
  outcomes: readonly BatchOutcome<T>[],
  success: (id: string, value: T) => S,
): BatchResult<S> {
  const result: BatchResult<S> = { Successful: [], Failed: [] };
  outcomes.forEach((outcome, i) => {
    const id = ids[i]!;
    if (outcome.ok) {
      result.Successful.push(success(id, outcome.value));
    } else {
      const wire = QUEUE_WIRE_ERRORS[outcome.error.code];
      result.Failed.push({
        Id: id,
        SenderFault: wire.fault === 'Sender',
        Code: wire.queryCode,
        Message: outcome.error.message,
      });
    }
  });
  return result;
}

/** Runs `parse` for an entry, turning its refusal into that entry's failure. */
export function parseEntry<T>(parse: () => T): BatchOutcome<T> {
  try {
    return { ok: true, value: parse() };
  } catch (error) {
    if (error instanceof QueueError) return { ok: false, error };
    throw error;
  }
}
