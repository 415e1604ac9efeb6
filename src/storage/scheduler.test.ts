import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler, type ScheduledWork } from './scheduler.js';

const silent = { error: () => undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let scheduler: Scheduler | undefined;
afterEach(async () => {
  await scheduler?.stop();
});

/** A work that records when it ran and asks to run again at the times it is given. */
function recordingWork(next: (runs: number) => number | undefined) {
  const runs: number[] = [];
  const work: ScheduledWork = {
    name: 'test',
    run: (now) => {
      runs.push(now);
      return Promise.resolve(next(runs.length));
    },
  };
  return { work, runs };
}

describe('Scheduler', () => {
  it('runs at start, then when the work says it next has something to do', async () => {
    const start = Date.now();
    const { work, runs } = recordingWork((n) => (n === 1 ? start + 100 : undefined));
    scheduler = new Scheduler({ works: [work], logger: silent, maxSleepMs: 10_000 });
    scheduler.start();
    await sleep(50);
    expect(runs).toHaveLength(1);
    await sleep(150);
    expect(runs).toHaveLength(2);
    expect(runs[1]! - start).toBeGreaterThanOrEqual(100);
  });

  it('wakes early when asked, and never sleeps longer than maxSleepMs', async () => {
    const { work, runs } = recordingWork(() => undefined);
    scheduler = new Scheduler({ works: [work], logger: silent, maxSleepMs: 120 });
    scheduler.start();
    await sleep(30);
    scheduler.wakeAt(Date.now() + 20);
    await sleep(60);
    expect(runs).toHaveLength(2);
    await sleep(150);
    expect(runs.length).toBeGreaterThanOrEqual(3);
  });

  it('retries a work that failed after retryMs, and keeps running the others', async () => {
    let failures = 0;
    const failing: ScheduledWork = {
      name: 'failing',
      run: () => (++failures <= 1 ? Promise.reject(new Error('disk')) : Promise.resolve(undefined)),
    };
    const errors: unknown[] = [];
    const { work, runs } = recordingWork(() => undefined);
    scheduler = new Scheduler({
      works: [failing, work],
      logger: { error: (o: unknown) => errors.push(o) },
      maxSleepMs: 10_000,
      retryMs: 50,
    });
    scheduler.start();
    await sleep(120);
    expect(failures).toBe(2);
    expect(runs).toHaveLength(2);
    expect(errors).toHaveLength(1);
  });

  it('runs nothing after stop, and stop waits for a run in progress', async () => {
    let finished = false;
    const slow: ScheduledWork = {
      name: 'slow',
      run: async () => {
        await sleep(80);
        finished = true;
        return Date.now();
      },
    };
    scheduler = new Scheduler({ works: [slow], logger: silent });
    scheduler.start();
    await sleep(10);
    await scheduler.stop();
    expect(finished).toBe(true);
  });
});
