import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../storage/index.js';
import type {
  AttemptOutcome,
  AttemptRecord,
  FailureCondition,
  FunctionErrorPayload,
  InvocationRecord,
  InvocationState,
} from './types.js';

interface InvocationRow {
  id: number;
  request_id: string;
  function_name: string;
  payload: string;
  trace_header: string;
  state: InvocationState;
  accepted_at: number;
  attempts: number;
  next_attempt_at: number;
  finished_at: number | null;
  condition: FailureCondition | null;
  last_error: string | null;
  on_failure: string | null;
  on_failure_state: 'pending' | 'sent' | null;
  on_failure_attempts: number;
  on_failure_error: string | null;
}

interface AttemptRow {
  invocation_id: number;
  attempt: number;
  started_at: number;
  ended_at: number | null;
  outcome: AttemptOutcome | null;
  duration_ms: number | null;
  billed_duration_ms: number | null;
  init_duration_ms: number | null;
  memory_size_mb: number;
  max_memory_used_mb: number | null;
  error: string | null;
  logs: string;
}

export interface NewInvocation {
  requestId: string;
  functionName: string;
  payload: string;
  traceHeader: string;
  acceptedAt: number;
}

export interface AttemptEnd {
  endedAt: number;
  outcome: Exclude<AttemptOutcome, 'interrupted'>;
  durationMs: number;
  billedDurationMs: number;
  initDurationMs: number | null;
  maxMemoryUsedMb: number | null;
  error: FunctionErrorPayload | null;
  logs: string;
}

/** An invocation's claim: `attempts` identifies it, so a stale claim cannot settle a row. */
export interface Claim {
  id: number;
  attempts: number;
}

/**
 * The invocation tables (migration 4). Every method is synchronous and runs in the caller's
 * transaction; the runtime batches them through the storage engine's group commit.
 */
export class InvocationStore {
  private readonly statements;
  private readonly nextDueQueries = new Map<number, Statement>();

  constructor(private readonly db: SqliteDatabase) {
    this.statements = {
      insert: db.prepare(
        `INSERT INTO function_invocations
           (request_id, function_name, payload, trace_header, state, accepted_at, next_attempt_at)
         VALUES (@requestId, @functionName, @payload, @traceHeader, 'pending', @acceptedAt, @acceptedAt)`,
      ),
      due: db.prepare(
        `SELECT * FROM function_invocations
          WHERE state = 'pending' AND function_name = ? AND next_attempt_at <= ?
          ORDER BY next_attempt_at, id LIMIT ?`,
      ),
      start: db.prepare(
        `UPDATE function_invocations SET state = 'running', attempts = attempts + 1
          WHERE id = ? AND attempts = ? AND state = 'pending'`,
      ),
      insertAttempt: db.prepare(
        `INSERT INTO function_attempts (invocation_id, attempt, started_at, memory_size_mb)
         VALUES (?, ?, ?, ?)`,
      ),
      endAttempt: db.prepare(
        `UPDATE function_attempts SET ended_at = @endedAt, outcome = @outcome,
                duration_ms = @durationMs, billed_duration_ms = @billedDurationMs,
                init_duration_ms = @initDurationMs, max_memory_used_mb = @maxMemoryUsedMb,
                error = @error, logs = @logs
          WHERE invocation_id = @id AND attempt = @attempt AND ended_at IS NULL`,
      ),
      succeed: db.prepare(
        `UPDATE function_invocations SET state = 'succeeded', finished_at = ?, last_error = NULL
          WHERE id = ? AND attempts = ? AND state = 'running'`,
      ),
      retry: db.prepare(
        `UPDATE function_invocations SET state = 'pending', next_attempt_at = ?, last_error = ?
          WHERE id = ? AND attempts = ? AND state = 'running'`,
      ),
      fail: db.prepare(
        `UPDATE function_invocations
            SET state = 'failed', finished_at = @now, condition = @condition,
                last_error = COALESCE(@error, last_error), on_failure = @onFailure,
                on_failure_state = CASE WHEN @onFailure IS NULL THEN NULL ELSE 'pending' END,
                next_attempt_at = @now
          WHERE id = @id AND attempts = @attempts AND state IN ('pending', 'running')`,
      ),
      release: db.prepare(
        `UPDATE function_invocations SET state = 'pending', attempts = attempts - 1, next_attempt_at = ?
          WHERE id = ? AND attempts = ? AND state = 'running'`,
      ),
      interruptAttempt: db.prepare(
        `UPDATE function_attempts SET ended_at = ?, outcome = 'interrupted', logs = logs || ?
          WHERE invocation_id = ? AND attempt = ? AND ended_at IS NULL`,
      ),
      onFailureDue: db.prepare(
        `SELECT * FROM function_invocations
          WHERE on_failure_state = 'pending' AND next_attempt_at <= ?
          ORDER BY next_attempt_at, id LIMIT ?`,
      ),
      onFailureSent: db.prepare(
        `UPDATE function_invocations SET on_failure_state = 'sent', on_failure_error = NULL,
                on_failure_attempts = on_failure_attempts + 1
          WHERE id = ? AND on_failure_state = 'pending'`,
      ),
      onFailureRetry: db.prepare(
        `UPDATE function_invocations SET next_attempt_at = ?, on_failure_error = ?,
                on_failure_attempts = on_failure_attempts + 1
          WHERE id = ? AND on_failure_state = 'pending'`,
      ),
      byRequestId: db.prepare('SELECT * FROM function_invocations WHERE request_id = ?'),
      recent: db.prepare(
        'SELECT * FROM function_invocations WHERE function_name = ? ORDER BY id DESC LIMIT ?',
      ),
      attempts: db.prepare(
        'SELECT * FROM function_attempts WHERE invocation_id = ? ORDER BY attempt, id',
      ),
    };
  }

  /** Queues an event; returns its row id. */
  insert(invocation: NewInvocation): number {
    return Number(this.statements.insert.run(invocation).lastInsertRowid);
  }

  /** Pending events of one function due by `now`, longest-waiting first. */
  due(functionName: string, now: number, limit: number): InvocationRecord[] {
    if (limit <= 0) return [];
    return (this.statements.due.all(functionName, now, limit) as InvocationRow[]).map((r) =>
      toRecord(r, []),
    );
  }

  /** Marks an event running and opens its next attempt; false if the claim was stale. */
  startAttempt(claim: Claim, now: number, memorySizeMb: number): boolean {
    if (this.statements.start.run(claim.id, claim.attempts).changes === 0) return false;
    this.statements.insertAttempt.run(claim.id, claim.attempts + 1, now, memorySizeMb);
    return true;
  }

  /** Records how attempt `claim.attempts` ended. */
  endAttempt(claim: Claim, end: AttemptEnd): void {
    this.statements.endAttempt.run({
      ...end,
      error: end.error ? JSON.stringify(end.error) : null,
      id: claim.id,
      attempt: claim.attempts,
    });
  }

  succeed(claim: Claim, now: number): boolean {
    return this.statements.succeed.run(now, claim.id, claim.attempts).changes > 0;
  }

  retryAt(claim: Claim, at: number, error: FunctionErrorPayload): boolean {
    return (
      this.statements.retry.run(at, JSON.stringify(error), claim.id, claim.attempts).changes > 0
    );
  }

  /** Gives an event up; with `onFailure`, its record is queued for that destination. */
  fail(
    claim: Claim,
    now: number,
    condition: FailureCondition,
    onFailure: string | undefined,
    error?: FunctionErrorPayload,
  ): boolean {
    return (
      this.statements.fail.run({
        id: claim.id,
        attempts: claim.attempts,
        now,
        condition,
        onFailure: onFailure ?? null,
        error: error ? JSON.stringify(error) : null,
      }).changes > 0
    );
  }

  /** Puts a running event back in line without counting the attempt (an orderly stop). */
  release(claim: Claim, now: number, note: string): boolean {
    if (this.statements.release.run(now, claim.id, claim.attempts).changes === 0) return false;
    this.statements.interruptAttempt.run(now, note, claim.id, claim.attempts);
    return true;
  }

  /**
   * At start-up: events a previous process was running go back in line. Their attempt still
   * counts — the process may have died because of the handler.
   */
  recoverRunning(now: number, note: string): number {
    this.db
      .prepare(
        `UPDATE function_attempts SET ended_at = ?, outcome = 'interrupted', logs = logs || ?
          WHERE ended_at IS NULL`,
      )
      .run(now, note);
    return this.db
      .prepare(
        `UPDATE function_invocations SET state = 'pending', next_attempt_at = ? WHERE state = 'running'`,
      )
      .run(now).changes;
  }

  /** Failed events whose on-failure record is due to be sent. */
  onFailureDue(now: number, limit: number): InvocationRecord[] {
    return (this.statements.onFailureDue.all(now, limit) as InvocationRow[]).map((r) =>
      this.withAttempts(r),
    );
  }

  onFailureSent(id: number): void {
    this.statements.onFailureSent.run(id);
  }

  onFailureRetryAt(id: number, at: number, error: string): void {
    this.statements.onFailureRetry.run(at, error, id);
  }

  /** When the next pending event (of these functions) or record is due, if any. */
  nextDueAt(functionNames: readonly string[]): number | undefined {
    // Asked after every attempt: prepared once per number of names, not on every call.
    let query = this.nextDueQueries.get(functionNames.length);
    if (!query) {
      const names = functionNames.map(() => '?').join(',') || 'NULL';
      query = this.db.prepare(
        `SELECT MIN(next_attempt_at) AS at FROM function_invocations
          WHERE (state = 'pending' AND function_name IN (${names})) OR on_failure_state = 'pending'`,
      );
      this.nextDueQueries.set(functionNames.length, query);
    }
    const row = query.get(...functionNames) as { at: number | null };
    return row.at ?? undefined;
  }

  get(requestId: string): InvocationRecord | undefined {
    const row = this.statements.byRequestId.get(requestId) as InvocationRow | undefined;
    return row && this.withAttempts(row);
  }

  /** A function's invocations, newest first, with their attempts. */
  recent(functionName: string, limit: number): InvocationRecord[] {
    return (this.statements.recent.all(functionName, limit) as InvocationRow[]).map((r) =>
      this.withAttempts(r),
    );
  }

  /** Keeps the newest `keep` finished invocations of a function (and anything unfinished). */
  prune(functionName: string, keep: number): number {
    return this.db
      .prepare(
        `DELETE FROM function_invocations
          WHERE function_name = ? AND state IN ('succeeded', 'failed')
            AND (on_failure_state IS NULL OR on_failure_state = 'sent')
            AND id < (SELECT id FROM function_invocations WHERE function_name = ?
                       ORDER BY id DESC LIMIT 1 OFFSET ?)`,
      )
      .run(functionName, functionName, keep - 1).changes;
  }

  private withAttempts(row: InvocationRow): InvocationRecord {
    return toRecord(row, this.statements.attempts.all(row.id) as AttemptRow[]);
  }
}

function toRecord(row: InvocationRow, attempts: AttemptRow[]): InvocationRecord {
  return {
    id: row.id,
    requestId: row.request_id,
    functionName: row.function_name,
    state: row.state,
    payload: row.payload,
    traceHeader: row.trace_header,
    acceptedAt: row.accepted_at,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    finishedAt: row.finished_at,
    condition: row.condition,
    lastError: parseError(row.last_error),
    onFailure: row.on_failure,
    onFailureState: row.on_failure_state,
    onFailureAttempts: row.on_failure_attempts,
    onFailureError: row.on_failure_error,
    attemptLog: attempts.map(toAttempt),
  };
}

function toAttempt(row: AttemptRow): AttemptRecord {
  return {
    attempt: row.attempt,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    outcome: row.outcome,
    durationMs: row.duration_ms,
    billedDurationMs: row.billed_duration_ms,
    initDurationMs: row.init_duration_ms,
    memorySizeMb: row.memory_size_mb,
    maxMemoryUsedMb: row.max_memory_used_mb,
    error: parseError(row.error),
    logs: row.logs,
  };
}

function parseError(text: string | null): FunctionErrorPayload | null {
  return text === null ? null : (JSON.parse(text) as FunctionErrorPayload);
}
