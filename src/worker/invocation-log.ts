/**
 * The invocation log of the functions `vigil worker` processes run, in PostgreSQL beside the
 * tracking records (the same `reporting.url` and schema), so the console shows what every
 * worker's functions did: one row per invocation, with its outcome, durations, error and the
 * handler's log lines, as Lambda's log stream would show them. Kept `RETENTION_DAYS`.
 */
import { hostname } from 'node:os';
import type pg from 'pg';
import type { AttemptRecord, FunctionErrorPayload } from '../functions/types.js';
import { createPool } from '../reporting/postgres-pool.js';

export const RETENTION_DAYS = 14;

/** One invocation, as a worker recorded it. */
export interface WorkerInvocation {
  functionName: string;
  requestId: string;
  /** The broker message it was for, and that message's delivery attempt. */
  messageId: string;
  messageAttempt: number;
  /** `<host>:<pid>` of the worker. */
  worker: string;
  /** Epoch ms. */
  startedAt: number;
  endedAt: number;
  outcome: 'success' | 'error' | 'timeout' | 'crash';
  durationMs: number;
  initDurationMs: number | null;
  memoryMb: number;
  maxMemoryUsedMb: number | null;
  error: FunctionErrorPayload | null;
  /** The handler's output, Lambda-formatted lines. */
  logs: string;
}

/** The worker's name in the log: its host and process id. */
export function workerName(): string {
  return `${hostname()}:${process.pid}`;
}

/** The attempt as the function runtime's log renderer takes it (START / END / REPORT). */
export function asAttempt(invocation: WorkerInvocation): AttemptRecord {
  return {
    attempt: invocation.messageAttempt,
    startedAt: invocation.startedAt,
    endedAt: invocation.endedAt,
    outcome: invocation.outcome === 'success' ? 'success' : invocation.outcome,
    durationMs: invocation.durationMs,
    billedDurationMs: null,
    initDurationMs: invocation.initDurationMs,
    memorySizeMb: invocation.memoryMb,
    maxMemoryUsedMb: invocation.maxMemoryUsedMb,
    error: invocation.error,
    logs: invocation.logs,
  };
}

export class PostgresInvocationLog {
  private constructor(private readonly pool: pg.Pool) {}

  /**
   * Connects (a small pool of its own) and makes the table when missing; workers starting at
   * once take turns (an advisory lock), and old rows are pruned.
   */
  static async open(url: string, schema?: string): Promise<PostgresInvocationLog> {
    const pool = createPool(url, { ...(schema ? { schema } : {}), poolSize: 2 });
    try {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SELECT pg_advisory_xact_lock(hashtext('vigil.worker_invocations'))`);
        await client.query(`
          CREATE TABLE IF NOT EXISTS worker_invocations (
            id                 BIGSERIAL PRIMARY KEY,
            function_name      TEXT NOT NULL,
            request_id         TEXT NOT NULL,
            message_id         TEXT NOT NULL,
            message_attempt    INTEGER NOT NULL,
            worker             TEXT NOT NULL,
            started_at         BIGINT NOT NULL,
            ended_at           BIGINT NOT NULL,
            outcome            TEXT NOT NULL,
            duration_ms        DOUBLE PRECISION NOT NULL,
            init_duration_ms   DOUBLE PRECISION,
            memory_mb          INTEGER NOT NULL,
            max_memory_used_mb INTEGER,
            error              JSON,
            logs               TEXT NOT NULL
          )`);
        await client.query(
          'CREATE INDEX IF NOT EXISTS worker_invocations_by_function ON worker_invocations (function_name, id)',
        );
        await client.query('DELETE FROM worker_invocations WHERE started_at < $1', [
          Date.now() - RETENTION_DAYS * 86_400_000,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
      return new PostgresInvocationLog(pool);
    } catch (error) {
      await pool.end();
      throw error;
    }
  }

  async record(invocation: WorkerInvocation): Promise<void> {
    await this.pool.query(
      `INSERT INTO worker_invocations (function_name, request_id, message_id, message_attempt,
         worker, started_at, ended_at, outcome, duration_ms, init_duration_ms, memory_mb,
         max_memory_used_mb, error, logs)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        invocation.functionName,
        invocation.requestId,
        invocation.messageId,
        invocation.messageAttempt,
        invocation.worker,
        invocation.startedAt,
        invocation.endedAt,
        invocation.outcome,
        invocation.durationMs,
        invocation.initDurationMs,
        invocation.memoryMb,
        invocation.maxMemoryUsedMb,
        invocation.error === null ? null : JSON.stringify(invocation.error),
        invocation.logs,
      ],
    );
  }

  /** The functions that have invocations in the log, by name. */
  async functionNames(): Promise<string[]> {
    const { rows } = await this.pool.query<{ function_name: string }>(
      'SELECT DISTINCT function_name FROM worker_invocations ORDER BY function_name',
    );
    return rows.map((r) => r.function_name);
  }

  /** The most recent invocations of `functionName`, newest first. */
  async recent(functionName: string, limit: number): Promise<WorkerInvocation[]> {
    const { rows } = await this.pool.query<Row>(
      'SELECT * FROM worker_invocations WHERE function_name = $1 ORDER BY id DESC LIMIT $2',
      [functionName, limit],
    );
    return rows.map((r) => ({
      functionName: r.function_name,
      requestId: r.request_id,
      messageId: r.message_id,
      messageAttempt: r.message_attempt,
      worker: r.worker,
      startedAt: Number(r.started_at),
      endedAt: Number(r.ended_at),
      outcome: r.outcome as WorkerInvocation['outcome'],
      durationMs: r.duration_ms,
      initDurationMs: r.init_duration_ms,
      memoryMb: r.memory_mb,
      maxMemoryUsedMb: r.max_memory_used_mb,
      error: r.error === null ? null : (JSON.parse(r.error) as FunctionErrorPayload),
      logs: r.logs,
    }));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

interface Row {
  function_name: string;
  request_id: string;
  message_id: string;
  message_attempt: number;
  worker: string;
  started_at: number | string;
  ended_at: number | string;
  outcome: string;
  duration_ms: number;
  init_duration_ms: number | null;
  memory_mb: number;
  max_memory_used_mb: number | null;
  error: string | null;
  logs: string;
}

/** Output lines as one text, cut at `MAX_LOG_BYTES` (a runaway handler cannot fill the table). */
export function joinLogs(lines: readonly string[]): string {
  const text = lines.map((l) => `${l}\n`).join('');
  if (Buffer.byteLength(text) <= MAX_LOG_BYTES) return text;
  const cut = Buffer.from(text).subarray(0, MAX_LOG_BYTES).toString('utf8');
  return `${cut}\n[Vigil: output cut at ${MAX_LOG_BYTES} bytes]\n`;
}

const MAX_LOG_BYTES = 64 * 1024;
