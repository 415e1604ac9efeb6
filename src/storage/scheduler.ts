/**
 * The timer behind the changes the store makes on its own: restores that complete, restored
 * copies that expire, lifecycle rules that come due. Each kind of work keeps its state in
 * the database (a restore's due time is a column) and tells the scheduler when it next has
 * something to do; the scheduler only decides when to call it. Nothing lives only in memory,
 * so a restart loses nothing: `start` runs every work at once, and each finds what came due
 * while Vigil was down.
 */
import type { Logger } from 'pino';

export interface ScheduledWork {
  readonly name: string;
  /**
   * Does what is due at `now`; returns when it next has something to do (epoch ms), or
   * undefined when nothing is pending.
   */
  run(now: number): Promise<number | undefined>;
}

export interface SchedulerOptions {
  works: ScheduledWork[];
  logger: Pick<Logger, 'error'>;
  /**
   * Longest sleep between runs (ms): work whose state changed without a `wakeAt` (a lifecycle
   * configuration put meanwhile) is found at the latest this much later. Default 60 s.
   */
  maxSleepMs?: number;
  /** Pause after a work failed before it is tried again (ms). Default 5 s. */
  retryMs?: number;
  now?: () => number;
}

export class Scheduler {
  private readonly maxSleepMs: number;
  private readonly retryMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private wakeTime = Infinity;
  private running: Promise<void> | undefined;
  private rerun = false;
  private stopped = true;

  constructor(private readonly options: SchedulerOptions) {
    this.maxSleepMs = options.maxSleepMs ?? 60_000;
    this.retryMs = options.retryMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.stopped = false;
    this.wakeAt(this.now());
  }

  /** Makes the scheduler run no later than `time` (epoch ms). */
  wakeAt(time: number): void {
    if (this.stopped) return;
    if (this.running) {
      // A run in progress may already have read the state that asked for this wake.
      this.rerun ||= time <= this.now();
      if (!this.rerun) this.arm(time);
      return;
    }
    this.arm(time);
  }

  /** Resolves once no run is in progress and none will start. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private arm(time: number): void {
    const at = Math.min(time, this.now() + this.maxSleepMs);
    if (this.timer !== undefined && at >= this.wakeTime) return;
    clearTimeout(this.timer);
    this.wakeTime = at;
    this.timer = setTimeout(() => this.fire(), Math.max(0, at - this.now()));
    this.timer.unref();
  }

  private fire(): void {
    const due = this.wakeTime;
    this.timer = undefined;
    this.wakeTime = Infinity;
    if (this.stopped) return;
    // Node's timers may fire a millisecond before Date.now() reaches their time: a work run
    // then would find nothing due yet. Wait out the rest.
    if (due !== Infinity && due > this.now()) {
      this.arm(due);
      return;
    }
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = this.runAll().finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      if (this.rerun) {
        this.rerun = false;
        this.arm(this.now());
      }
    });
  }

  private async runAll(): Promise<void> {
    let next = this.now() + this.maxSleepMs;
    for (const work of this.options.works) {
      try {
        const due = await work.run(this.now());
        if (due !== undefined) next = Math.min(next, due);
      } catch (error) {
        this.options.logger.error(
          { err: error, work: work.name },
          'scheduled work failed; retrying',
        );
        next = Math.min(next, this.now() + this.retryMs);
      }
    }
    this.arm(next);
  }
}
