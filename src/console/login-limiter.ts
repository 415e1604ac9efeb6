import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** A client address may fail this many times more often than one user name. */
export const ADDRESS_FACTOR = 5;

/**
 * Slows down password guessing: each password check counts against the account tried
 * (`attempts` per 15 minutes) and against the client's address (five times as many, since
 * colleagues may share one).
 *
 * An attempt is counted *before* its password is checked, and taken in one step: a check
 * made first and a failure recorded after the (slow, scrypt) comparison would let any number
 * of concurrent requests pass the check before the first of them failed.
 *
 * @example
 * const account = users.accountOf(name);
 * const wait = await limiter.take(address, account);
 * if (wait > 0) refuse(wait);
 * else if (await users.authenticate(name, password)) await limiter.succeeded(address, account);
 */
export class LoginLimiter {
  private readonly byAccount: RateLimiterMemory;
  private readonly byAddress: RateLimiterMemory;

  constructor(attempts: number) {
    this.byAccount = new RateLimiterMemory({ points: attempts, duration: 15 * 60 });
    this.byAddress = new RateLimiterMemory({
      points: attempts * ADDRESS_FACTOR,
      duration: 15 * 60,
    });
  }

  /**
   * Takes one attempt from both allowances. Answers 0 when the password may be checked now,
   * else the seconds to wait; a refused attempt is given back, so only checked passwords
   * count.
   */
  async take(address: string, account: string): Promise<number> {
    // RateLimiterMemory looks and counts in one synchronous step inside consume().
    const taken = await Promise.allSettled([
      this.byAccount.consume(account),
      this.byAddress.consume(address),
    ]);
    const refusals = taken.flatMap((t) => (t.status === 'rejected' ? [t.reason as unknown] : []));
    if (refusals.length === 0) return 0;
    await Promise.all([this.byAccount.reward(account), this.byAddress.reward(address)]);
    const waits = refusals.map((r) => {
      if (!(r instanceof RateLimiterRes)) throw r;
      return r.msBeforeNext;
    });
    return Math.max(1, Math.ceil(Math.max(...waits) / 1000));
  }

  /** The password was right: the account's failures are forgotten, the address not charged. */
  async succeeded(address: string, account: string): Promise<void> {
    await Promise.all([this.byAccount.delete(account), this.byAddress.reward(address)]);
  }
}
