/**
 * Long-poll waiters, in process: a receive that found nothing parks here until something on
 * its queue may have become receivable (a send, a visibility change to 0, a redrive), its
 * time is up, its signal aborts, or the service closes. No polling.
 */
export class Waiters {
  private readonly byQueue = new Map<string, Set<() => void>>();
  private closed = false;

  /** Resolves on the first of: `wake(queue)`, `ms` elapsed, `signal` aborted, `close()`. */
  wait(queue: string, ms: number, signal?: AbortSignal): Promise<void> {
    if (this.closed || ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const waiting = this.byQueue.get(queue) ?? new Set<() => void>();
      this.byQueue.set(queue, waiting);
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        waiting.delete(done);
        if (waiting.size === 0 && this.byQueue.get(queue) === waiting) this.byQueue.delete(queue);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      waiting.add(done);
    });
  }

  wake(queue: string): void {
    for (const done of [...(this.byQueue.get(queue) ?? [])]) done();
  }

  /** Ends every wait now and every later one at once (shutdown). */
  close(): void {
    this.closed = true;
    for (const queue of [...this.byQueue.keys()]) this.wake(queue);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Number of parked receives (for tests and metrics). */
  get size(): number {
    let n = 0;
    for (const waiting of this.byQueue.values()) n += waiting.size;
    return n;
  }
}
