import type { Logger } from 'pino';
import type { ExecutionCredentials, RuntimeScope } from './environment.js';
import { workerSpawn } from './environment.js';
import { FunctionWorker, type AttemptRequest, type AttemptResult } from './function-worker.js';
import type { ResolvedFunction } from './types.js';

/**
 * The worker threads of one function, at most `reservedConcurrency` of them. Threads start
 * on demand, load the module once, and are reused; a thread that timed out, crashed or
 * failed to load is dropped and the next invocation starts a fresh one (a cold start).
 */
export class FunctionPool {
  private readonly idle: FunctionWorker[] = [];
  private readonly all = new Set<FunctionWorker>();
  /** The role session each thread signs with, ended when the thread goes. */
  private readonly sessions = new Map<FunctionWorker, ExecutionCredentials>();
  private active = 0;

  constructor(
    readonly fn: ResolvedFunction,
    private readonly scope: RuntimeScope,
    private readonly logger: Logger,
  ) {}

  /** Invocations that can start now. */
  get available(): number {
    return this.fn.reservedConcurrency - this.active;
  }

  async run(request: AttemptRequest): Promise<AttemptResult> {
    if (this.available <= 0) throw new Error(`function ${this.fn.name} has no free worker`);
    this.active += 1;
    const worker = this.idle.pop() ?? this.spawn();
    try {
      return await worker.invoke(request);
    } finally {
      this.active -= 1;
      if (worker.usable && !this.expiring(worker)) this.idle.push(worker);
      else this.drop(worker);
    }
  }

  /** Terminates every thread; invocations still running end as crashed. */
  async close(): Promise<void> {
    const workers = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(workers.map((w) => w.terminate()));
    for (const worker of workers) this.endSession(worker);
  }

  private spawn(): FunctionWorker {
    const credentials =
      this.fn.role !== undefined ? this.scope.roleCredentials?.(this.fn) : undefined;
    const worker = new FunctionWorker(
      workerSpawn(this.fn, this.scope, credentials),
      this.logger.child({ function: this.fn.name }),
    );
    this.all.add(worker);
    if (credentials) this.sessions.set(worker, credentials);
    return worker;
  }

  /** A thread whose session ends within the hour is replaced rather than reused. */
  private expiring(worker: FunctionWorker): boolean {
    const expiresAt = this.sessions.get(worker)?.expiresAt;
    return expiresAt !== undefined && expiresAt - Date.now() < 3_600_000;
  }

  private endSession(worker: FunctionWorker): void {
    this.sessions.get(worker)?.release?.();
    this.sessions.delete(worker);
  }

  private drop(worker: FunctionWorker): void {
    this.all.delete(worker);
    this.endSession(worker);
    worker.terminate().catch((err: unknown) => {
      this.logger.warn({ err, function: this.fn.name }, 'could not terminate a function worker');
    });
  }
}
