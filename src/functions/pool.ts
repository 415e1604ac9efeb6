import type { Logger } from 'pino';
import type { RuntimeScope } from './environment.js';
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
      if (worker.usable) this.idle.push(worker);
      else this.drop(worker);
    }
  }

  /** Terminates every thread; invocations still running end as crashed. */
  async close(): Promise<void> {
    const workers = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private spawn(): FunctionWorker {
    const worker = new FunctionWorker(
      workerSpawn(this.fn, this.scope),
      this.logger.child({ function: this.fn.name }),
    );
    this.all.add(worker);
    return worker;
  }

  private drop(worker: FunctionWorker): void {
    this.all.delete(worker);
    worker.terminate().catch((err: unknown) => {
      this.logger.warn({ err, function: this.fn.name }, 'could not terminate a function worker');
    });
  }
}
