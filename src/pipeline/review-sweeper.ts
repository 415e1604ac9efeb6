import type { Logger } from 'pino';
import type { PipelinePorts } from './ports.js';
import { resendOwedReviews } from './review-delivery.js';

export interface ReviewSweeperOptions {
  ports: Pick<PipelinePorts, 'reviewQueue' | 'reports' | 'clock'>;
  /** Time between sweeps. Default 60 s. */
  intervalMs?: number;
  logger: Logger;
}

/**
 * Sends review messages left owed, now and then. A delivery records an outcome before it
 * sends the review message; when it dies in between and the event is never delivered again
 * (its retries ran out, or the runtime gave it up), only a sweep sends the message. Sweeps
 * take over a send only when its holder's lease ran out, so they never race a live delivery.
 *
 * @example
 * const sweeper = new ReviewSweeper({ ports, logger });
 * sweeper.start(); // a first sweep now, then one a minute
 * await sweeper.stop();
 */
export class ReviewSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(private readonly options: ReviewSweeperOptions) {}

  start(): void {
    if (this.timer || this.stopped) return;
    const tick = () => {
      this.sweep()
        .catch(() => undefined)
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs ?? 60_000);
          this.timer?.unref();
        });
    };
    this.timer = setTimeout(tick, 0);
    this.timer.unref();
  }

  /**
   * One sweep (joined when one is running): sends every owed message nobody holds, in
   * batches of 100 until none is left.
   *
   * @returns how many messages it sent.
   * @throws when a send failed; those messages stay owed for the next sweep.
   */
  sweep(): Promise<number> {
    this.running ??= this.sweepAll().finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async sweepAll(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const sent = await resendOwedReviews(this.options.ports);
        total += sent;
        if (sent < 100 || this.stopped) break;
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'review messages still owed after a sweep');
      throw error;
    } finally {
      if (total > 0) this.options.logger.info({ sent: total }, 'sent owed review messages');
    }
    return total;
  }
}
