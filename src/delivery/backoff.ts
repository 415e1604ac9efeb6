/**
 * Capped exponential backoff with "equal jitter": half the delay is fixed, half random, so
 * retries of many events that failed together spread out instead of arriving in waves, while
 * no retry comes much sooner than the schedule says.
 *
 * @param attempt the attempt that just failed, from 1.
 * @example
 * retryDelay(1, 200, 300_000); // between 100 and 200 ms
 * retryDelay(3, 200, 300_000); // between 400 and 800 ms
 */
export function retryDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 40));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}
