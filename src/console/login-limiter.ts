import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** A client address may fail this many times more often than one user name. */
export const ADDRESS_FACTOR = 5;

/**
 * Slows down password guessing: failed logins count against the user name tried (`attempts`
 * failures per 15 minutes) and against the client's address (five times as many, since
 * colleagues may share one). While either is spent, logins are refused before the password
 * is checked.
 */
export class LoginLimiter {
  private readonly byUser: RateLimiterMemory;
  private readonly byAddress: RateLimiterMemory;

  constructor(attempts: number) {
    this.byUser = new RateLimiterMemory({ points: attempts, duration: 15 * 60 });
    this.byAddress = new RateLimiterMemory({
      points: attempts * ADDRESS_FACTOR,
      duration: 15 * 60,
    });
  }

  /** Seconds to wait before trying again, or 0 when a login may be tried now. */
  async retryAfterSeconds(address: string, username: string): Promise<number> {
    const [user, client] = await Promise.all([
      this.byUser.get(username),
      this.byAddress.get(address),
    ]);
    const spent = [
      user !== null && user.consumedPoints >= this.byUser.points ? user : undefined,
      client !== null && client.consumedPoints >= this.byAddress.points ? client : undefined,
    ].filter((r): r is RateLimiterRes => r !== undefined);
    if (spent.length === 0) return 0;
    return Math.max(1, Math.ceil(Math.max(...spent.map((r) => r.msBeforeNext)) / 1000));
  }

  async failed(address: string, username: string): Promise<void> {
    // Consuming past the limit rejects with the limiter's result: expected here.
    const spend = (limiter: RateLimiterMemory, key: string) =>
      limiter.consume(key).catch((r: unknown) => {
        if (!(r instanceof RateLimiterRes)) throw r;
      });
    await Promise.all([spend(this.byUser, username), spend(this.byAddress, address)]);
  }

  async succeeded(username: string): Promise<void> {
    await this.byUser.delete(username);
  }
}
