import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ReviewSweeper } from './review-sweeper.js';
import { useTestbed } from './testbed.test-helper.js';

const t = useTestbed();
const logger = pino({ level: 'silent' });

async function eventually(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('ReviewSweeper', () => {
  it('sends a message a failed delivery left owed, at start and then on its interval', async () => {
    t.reviewQueue.failures = 1;
    await expect(t.upload('a.jpg', 'explicit')).rejects.toThrow();
    const sweeper = new ReviewSweeper({ ports: t.ports, intervalMs: 10, logger });
    sweeper.start();
    await eventually(() => t.reviewQueue.messages.length === 1);

    t.reviewQueue.failures = 1;
    await expect(t.upload('b.jpg', 'corrupt')).rejects.toThrow();
    await eventually(() => t.reviewQueue.messages.length === 2);
    await sweeper.stop();
    expect(t.reviewQueue.messages.map((m) => [m.key, m.decision])).toEqual([
      ['a.jpg', 'blocked'],
      ['b.jpg', 'failed'],
    ]);
  });

  it('reports a failed send and keeps the message owed for the next sweep', async () => {
    t.reviewQueue.failures = 1;
    await expect(t.upload('a.jpg', 'explicit')).rejects.toThrow();
    const sweeper = new ReviewSweeper({ ports: t.ports, logger });
    t.reviewQueue.failures = 1;
    await expect(sweeper.sweep()).rejects.toThrow(/1 review message\(s\) still owed/);
    expect(t.reviewQueue.messages).toEqual([]);
    expect(await sweeper.sweep()).toBe(1);
    expect(await sweeper.sweep()).toBe(0);
    await sweeper.stop();
  });

  it('joins a sweep already running instead of starting a second one', async () => {
    t.reviewQueue.failures = 1;
    await expect(t.upload('a.jpg', 'explicit')).rejects.toThrow();
    const release = t.reviewQueue.hold();
    const sweeper = new ReviewSweeper({ ports: t.ports, logger });
    const first = sweeper.sweep();
    const second = sweeper.sweep();
    expect(second).toBe(first);
    release();
    expect(await first).toBe(1);
    await sweeper.stop();
  });
});
