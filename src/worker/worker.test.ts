import { afterEach, describe, expect, it } from 'vitest';
import { Worker, type Settlement } from './worker.js';
import type { Delivery, EventSource } from './types.js';

/** An in-memory broker: a queue of messages, redelivered (attempt + 1) when retried. */
class FakeSource implements EventSource {
  readonly name = 'fake';
  readonly log: string[] = [];
  readonly extended: string[] = [];
  closed = false;
  private queue: { id: string; body: string; attempt: number; notBefore: number }[] = [];

  constructor(
    readonly maxAttempts = 3,
    readonly leaseMs = 200,
  ) {}

  add(...bodies: string[]): void {
    for (const body of bodies) this.queue.push({ id: body, body, attempt: 1, notBefore: 0 });
  }

  async receive(max: number, waitMs: number, signal: AbortSignal): Promise<Delivery[]> {
    const deadline = Date.now() + Math.min(waitMs, 50);
    while (!signal.aborted && Date.now() < deadline) {
      const ready = this.queue.filter((m) => m.notBefore <= Date.now()).slice(0, max);
      if (ready.length > 0) {
        this.queue = this.queue.filter((m) => !ready.includes(m));
        return ready.map((m) => this.delivery(m));
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return [];
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private delivery(m: { id: string; body: string; attempt: number }): Delivery {
    const requeue = (delayMs: number) =>
      this.queue.push({ ...m, attempt: m.attempt + 1, notBefore: Date.now() + delayMs });
    return {
      id: m.id,
      body: new TextEncoder().encode(m.body),
      attempt: m.attempt,
      ack: () => Promise.resolve(void this.log.push(`ack ${m.id}#${m.attempt}`)),
      retry: (delayMs) => {
        this.log.push(`retry ${m.id}#${m.attempt}`);
        requeue(delayMs);
        return Promise.resolve();
      },
      deadLetter: (reason) => Promise.resolve(void this.log.push(`dead ${m.id}: ${reason}`)),
      extend: () => Promise.resolve(void this.extended.push(m.id)),
    };
  }
}

const text = (body: Uint8Array) => new TextDecoder().decode(body);
const until = async (check: () => boolean, ms = 3000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

let worker: Worker | undefined;
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});

function start(
  source: FakeSource,
  process: (body: string) => Promise<Settlement>,
  concurrency = 2,
  errors: unknown[] = [],
) {
  worker = new Worker({
    source,
    process: (body) => process(text(body)),
    observer: { error: (error) => errors.push(error) },
    concurrency,
    backoff: { baseMs: 10, maxMs: 40 },
    drainMs: 300,
  });
  worker.start();
  return worker;
}

describe('Worker', () => {
  it('acknowledges what it processed', async () => {
    const source = new FakeSource();
    source.add('a', 'b', 'c');
    start(source, () => Promise.resolve({ done: true }));
    await until(() => source.log.length === 3);
    expect(source.log.sort()).toEqual(['ack a#1', 'ack b#1', 'ack c#1']);
  });

  it('goes on when the broker refuses a settlement: the message stays with the broker', async () => {
    const source = new FakeSource();
    const refused = new Error('connection closed');
    const receive = source.receive.bind(source);
    source.receive = async (max, waitMs, signal) =>
      (await receive(max, waitMs, signal)).map((d) =>
        d.id === 'lost-ack' ? { ...d, ack: () => Promise.reject(refused) } : d,
      );
    source.add('lost-ack', 'after');
    const errors: unknown[] = [];
    start(source, () => Promise.resolve({ done: true }), 1, errors);
    await until(() => source.log.includes('ack after#1'));
    expect(errors).toEqual([refused]);
  });

  it('retries a failure with back-off, then dead-letters it after maxAttempts', async () => {
    const source = new FakeSource(3);
    source.add('flaky', 'broken');
    let flaky = 0;
    start(source, (body) => {
      if (body === 'flaky' && ++flaky < 2) return Promise.reject(new Error('store down'));
      if (body === 'broken') return Promise.reject(new Error('always'));
      return Promise.resolve({ done: true });
    });
    await until(() => source.log.some((l) => l.startsWith('dead broken')));
    expect(source.log.filter((l) => l.includes('flaky'))).toEqual(['retry flaky#1', 'ack flaky#2']);
    expect(source.log.filter((l) => l.includes('broken'))).toEqual([
      'retry broken#1',
      'retry broken#2',
      'dead broken: failed 3 times; last: always',
    ]);
  });

  it("waits as long as an error asks before the retry (another delivery's hold)", async () => {
    const source = new FakeSource(3);
    const delays: number[] = [];
    const receive = source.receive.bind(source);
    source.receive = async (max, waitMs, signal) =>
      (await receive(max, waitMs, signal)).map((d) => ({
        ...d,
        retry: (delayMs: number) => {
          delays.push(delayMs);
          return d.retry(delayMs);
        },
      }));
    source.add('held');
    let tries = 0;
    start(source, () =>
      ++tries === 1
        ? Promise.reject(Object.assign(new Error('held elsewhere'), { retryAfterMs: 150 }))
        : Promise.resolve({ done: true }),
    );
    await until(() => source.log.includes('ack held#2'));
    // The back-off alone would be at most 40 ms here.
    expect(delays).toEqual([150]);
  });

  it('dead-letters what processing says cannot succeed, and what comes back too often', async () => {
    const source = new FakeSource(2);
    source.add('unreadable');
    start(source, () => Promise.resolve({ deadLetter: 'not an S3 event' }));
    await until(() => source.log.length === 1);
    expect(source.log).toEqual(['dead unreadable: not an S3 event']);
  });

  it('never holds more than `concurrency` messages, and keeps slow ones leased', async () => {
    const source = new FakeSource(3, 100);
    source.add('1', '2', '3', '4', '5');
    let running = 0;
    let most = 0;
    start(
      source,
      async () => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, 130));
        running--;
        return { done: true };
      },
      2,
    );
    await until(() => source.log.length === 5);
    expect(most).toBe(2);
    expect(source.extended.length).toBeGreaterThan(0);
  });

  it('on stop finishes work in hand, or releases it after drainMs, and closes the source', async () => {
    const source = new FakeSource();
    source.add('quick', 'stuck');
    const w = start(source, async (body) => {
      await new Promise((resolve) => setTimeout(resolve, body === 'quick' ? 20 : 5_000));
      return { done: true };
    });
    await until(() => w.busy === 2);
    worker = undefined;
    await w.stop();
    expect(source.log).toEqual(['ack quick#1', 'retry stuck#1']);
    expect(source.closed).toBe(true);
  });
});
