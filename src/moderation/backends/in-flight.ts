import { ModerationError } from '../types.js';

/**
 * The requests a remote backend has accepted, so `close()` can let them finish (the port's
 * contract) and refuse new ones.
 */
export class InFlight {
  readonly #running = new Set<Promise<unknown>>();
  #closed = false;

  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closed)
      return Promise.reject(new ModerationError('InternalServerError', 'The moderator is closed.'));
    const promise = work();
    this.#running.add(promise);
    const forget = () => this.#running.delete(promise);
    void promise.then(forget, forget);
    return promise;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#running]);
  }
}

/**
 * `fetch` with a deadline, failures turned into `ModerationError`s that say who was called.
 * Network failures and timeouts are `InternalServerError` (retryable).
 */
export async function fetchWithTimeout(
  url: URL,
  init: RequestInit,
  timeoutMs: number,
  who: string,
): Promise<{ status: number; headers: Headers; text: string }> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, headers: response.headers, text: await response.text() };
  } catch (error) {
    const name = (error as Error).name;
    throw new ModerationError(
      'InternalServerError',
      name === 'TimeoutError'
        ? `${who} did not answer within ${timeoutMs} ms.`
        : `${who} could not be reached: ${describe(error)}`,
    );
  }
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
