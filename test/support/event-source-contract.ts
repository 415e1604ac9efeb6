/**
 * The contract every `EventSource` (src/worker/types.ts) keeps, as one suite each source's test
 * file runs against a real broker: what `receive` hands out, what `ack`, `retry` and
 * `deadLetter` do to a message, how attempts are counted (a crash included), and what `close`
 * leaves valid. Call it inside a `describe`, with a factory of harnesses on fresh queues.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Delivery, EventSource } from '../../src/worker/types.js';

export interface DeadLetter {
  body: string;
  reason: string | undefined;
}

/** One fresh queue (stream, …) of the source under test, and the means to drive it. */
export interface SourceHarness {
  /** A source on this queue, as one worker would open it; several may be open at once. */
  open(): Promise<EventSource>;
  /** Publishes a message as the store would. */
  publish(body: string): Promise<void>;
  /** Takes the dead letters that have arrived so far. */
  deadLetters(): Promise<DeadLetter[]>;
  /** Ends `source` as a crash would (SIGKILL): nothing settled, no goodbye to the broker. */
  crash(source: EventSource): Promise<void>;
  /** Closes the sources still open and removes what the harness made. */
  remove(): Promise<void>;
}

export interface ContractOptions {
  /** How long after a crash the broker hands a held message to another source (its lease). */
  redeliveryMs: number;
}

/**
 * Registers the contract's tests; each gets a harness from `fresh` and removes it after.
 *
 * @example
 * describe('the EventSource contract', () =>
 *   eventSourceContract(() => amqpHarness(queues.fresh()), { redeliveryMs: 0 }));
 */
export function eventSourceContract(
  fresh: () => Promise<SourceHarness>,
  { redeliveryMs }: ContractOptions,
): void {
  let h: SourceHarness;
  beforeEach(async () => {
    h = await fresh();
  });
  afterEach(async () => {
    await h?.remove();
  });

  it('hands out a published message as attempt 1; acknowledged, it is gone', async () => {
    const source = await h.open();
    await h.publish('{"n":1}');
    const [delivery] = await receiveSome(source, 1);
    expect(text(delivery!)).toBe('{"n":1}');
    expect(delivery!.attempt).toBe(1);
    expect(delivery!.id).not.toBe('');
    await delivery!.ack();
    expect(await nothingFor(source, 500)).toBe(true);
    expect(await nothingFor(await h.open(), 300)).toBe(true);
  });

  it('brings a retried message back after about the delay, as the next attempt', async () => {
    const source = await h.open();
    await h.publish('{"n":2}');
    const [first] = await receiveSome(source, 1);
    const retried = Date.now();
    await first!.retry(1000);
    expect(await nothingFor(source, 600)).toBe(true);
    const [again] = await receiveSome(source, 1, 5000);
    const after = Date.now() - retried;
    expect(text(again!)).toBe('{"n":2}');
    expect(again!.attempt).toBe(2);
    expect(after).toBeGreaterThanOrEqual(900);
    expect(after).toBeLessThan(3000);
    await again!.ack();
  });

  it('moves a dead-lettered message to the dead letters with its reason', async () => {
    const source = await h.open();
    await h.publish('not an event');
    const [delivery] = await receiveSome(source, 1);
    await delivery!.deadLetter('unreadable: not JSON');
    const letters = await eventually(
      () => h.deadLetters(),
      (l) => l.length > 0,
    );
    expect(letters).toEqual([{ body: 'not an event', reason: 'unreadable: not JSON' }]);
    expect(await nothingFor(source, 500)).toBe(true);
  });

  it('redelivers what a crashed source held to another, as the next attempt', async () => {
    const doomed = await h.open();
    await h.publish('{"n":3}');
    const [held] = await receiveSome(doomed, 1);
    expect(held!.attempt).toBe(1);
    await h.crash(doomed);
    const survivor = await h.open();
    const [again] = await receiveSome(survivor, 1, redeliveryMs + 5000);
    expect(text(again!)).toBe('{"n":3}');
    expect(again!.attempt).toBe(2);
    await again!.ack();
  });

  it('counts attempts across retries and crashes alike', async () => {
    const doomed = await h.open();
    await h.publish('{"n":4}');
    const [first] = await receiveSome(doomed, 1);
    await first!.retry(200);
    const [second] = await receiveSome(doomed, 1, 5000);
    expect(second!.attempt).toBe(2);
    await h.crash(doomed);
    const survivor = await h.open();
    const [third] = await receiveSome(survivor, 1, redeliveryMs + 5000);
    expect(third!.attempt).toBe(3);
    await third!.retry(100);
    const [fourth] = await receiveSome(survivor, 1, 5000);
    expect(fourth!.attempt).toBe(4);
    await fourth!.ack();
  });

  it('hands out at most `max` at a time', async () => {
    const source = await h.open();
    for (let n = 0; n < 3; n++) await h.publish(`{"m":${n}}`);
    const bodies: string[] = [];
    const deadline = Date.now() + 5000;
    while (bodies.length < 3 && Date.now() < deadline) {
      const batch = await source.receive(2, 1000, new AbortController().signal);
      expect(batch.length).toBeLessThanOrEqual(2);
      for (const delivery of batch) {
        bodies.push(text(delivery));
        await delivery.ack();
      }
    }
    expect(bodies.sort()).toEqual(['{"m":0}', '{"m":1}', '{"m":2}']);
  });

  it('waits at most about `waitMs` when nothing comes', async () => {
    const source = await h.open();
    const started = Date.now();
    expect(await source.receive(5, 400, new AbortController().signal)).toEqual([]);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(350);
    expect(waited).toBeLessThan(1500);
  });

  it('hands out a message published during the wait without waiting it out', async () => {
    const source = await h.open();
    const started = Date.now();
    const receiving = source.receive(5, 8000, new AbortController().signal);
    await sleep(200);
    await h.publish('{"n":5}');
    const batch = await receiving;
    expect(batch.map(text)).toEqual(['{"n":5}']);
    expect(Date.now() - started).toBeLessThan(3000);
    await batch[0]!.ack();
  });

  it('stops waiting when the signal aborts, and does not wait on an aborted one', async () => {
    const source = await h.open();
    const abort = new AbortController();
    const started = Date.now();
    setTimeout(() => abort.abort(), 150);
    expect(await source.receive(1, 10_000, abort.signal)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1500);
    const again = Date.now();
    expect(await source.receive(1, 10_000, abort.signal)).toEqual([]);
    expect(Date.now() - again).toBeLessThan(200);
  });

  it('keeps deliveries in hand valid through close, and hands out nothing after', async () => {
    const source = await h.open();
    await h.publish('{"n":6}');
    const [held] = await receiveSome(source, 1);
    const closed = source.close();
    await sleep(100);
    await held!.ack();
    await closed;
    await h.publish('{"n":7}');
    const after = await source.receive(1, 300, new AbortController().signal).catch(() => []);
    expect(after).toEqual([]);
    const other = await h.open();
    const [next] = await receiveSome(other, 1);
    expect(text(next!)).toBe('{"n":7}');
    expect(next!.attempt).toBe(1);
    await next!.ack();
    expect(await nothingFor(other, 300)).toBe(true);
  });
}

/** Receives until `count` deliveries are in hand; fails after `timeoutMs`. */
export async function receiveSome(
  source: EventSource,
  count: number,
  timeoutMs = 5000,
): Promise<Delivery[]> {
  const deliveries: Delivery[] = [];
  const deadline = Date.now() + timeoutMs;
  while (deliveries.length < count) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`received ${deliveries.length} of ${count} in ${timeoutMs} ms`);
    const signal = new AbortController().signal;
    deliveries.push(...(await source.receive(count - deliveries.length, left, signal)));
  }
  return deliveries;
}

/** True when `source` hands out nothing for `ms`; what it does hand out is put back. */
async function nothingFor(source: EventSource, ms: number): Promise<boolean> {
  const batch = await source.receive(10, ms, new AbortController().signal);
  for (const delivery of batch) await delivery.retry(0);
  return batch.length === 0;
}

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(50);
  }
}

const text = (delivery: Delivery) => new TextDecoder().decode(delivery.body);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
