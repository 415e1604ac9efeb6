import { describe, expect, it } from 'vitest';
import { ADDRESS_FACTOR, LoginLimiter } from './login-limiter.js';

const granted = (waits: number[]) => waits.filter((w) => w === 0).length;

describe('LoginLimiter', () => {
  it('grants no more attempts for one account than its allowance, however many arrive at once', async () => {
    const limiter = new LoginLimiter(10);
    const waits = await Promise.all(
      Array.from({ length: 200 }, (_, i) => limiter.take(`10.0.0.${i % 50}`, 'ann')),
    );
    expect(granted(waits)).toBe(10);
    expect(Math.min(...waits.filter((w) => w > 0))).toBeGreaterThan(0);
    expect(await limiter.take('10.0.1.1', 'ann')).toBeGreaterThan(0);
  });

  it('grants an address five times the allowance across names', async () => {
    const limiter = new LoginLimiter(2);
    const waits = await Promise.all(
      Array.from({ length: 30 }, (_, i) => limiter.take('10.0.0.1', `name-${i}`)),
    );
    expect(granted(waits)).toBe(2 * ADDRESS_FACTOR);
  });

  it('gives a refused attempt back, so it costs the other allowance nothing', async () => {
    const limiter = new LoginLimiter(1);
    expect(await limiter.take('10.0.0.1', 'ann')).toBe(0);
    // ann is spent: these are refused and must not use up 10.0.0.2's five attempts.
    for (let i = 0; i < 10; i++) expect(await limiter.take('10.0.0.2', 'ann')).toBeGreaterThan(0);
    const others = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((name) => limiter.take('10.0.0.2', name)),
    );
    expect(others).toEqual([0, 0, 0, 0, 0]);
  });

  it('forgets the account’s failures after a right password and does not charge the address', async () => {
    const limiter = new LoginLimiter(2);
    expect(await limiter.take('10.0.0.1', 'ann')).toBe(0);
    expect(await limiter.take('10.0.0.1', 'ann')).toBe(0);
    await limiter.succeeded('10.0.0.1', 'ann');
    // The account's two attempts are back; the address was charged one (the failure) of ten.
    expect(await limiter.take('10.0.0.2', 'ann')).toBe(0);
    expect(await limiter.take('10.0.0.2', 'ann')).toBe(0);
    const waits = await Promise.all(
      Array.from({ length: 12 }, (_, i) => limiter.take('10.0.0.1', `name-${i}`)),
    );
    expect(granted(waits)).toBe(2 * ADDRESS_FACTOR - 1);
  });
});
