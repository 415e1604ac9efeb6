import { createHmac } from 'node:crypto';
import type { DeliveryOutcome, DestinationAdapter, OutboxEntry } from '../delivery/types.js';

export interface WebhookSettings {
  url: string;
  /** Key of the `X-Vigil-Signature` HMAC; the receiver checks it to trust the body. */
  secret: string;
  timeoutMs: number;
}

/** The signature a receiver recomputes: `sha256=` + hex HMAC-SHA256 of the raw body. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * POSTs the event JSON. 2xx means delivered. 4xx (except 408 and 429, which ask to come
 * back later) means the receiver will never accept this body: the event is dead-lettered.
 * Anything else — 5xx, timeouts, refused connections — is retried.
 */
export function webhookAdapter(settings: WebhookSettings): DestinationAdapter {
  return {
    kind: 'async',
    async deliver(entry: OutboxEntry): Promise<DeliveryOutcome> {
      let response: Response;
      // A timer of our own rather than AbortSignal.timeout(): Node holds that signal weakly,
      // and a signal collected by GC never fires (nodejs/undici#4068), which left deliveries
      // hanging under load. This one covers connect, headers and body, and is cleared as soon
      // as the answer is in.
      const abort = new AbortController();
      const timer = setTimeout(
        () => abort.abort(new TimeoutError(settings.timeoutMs)),
        settings.timeoutMs,
      );
      try {
        response = await fetch(settings.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Vigil',
            'x-vigil-signature': webhookSignature(settings.secret, entry.body),
            'x-vigil-event-id': String(entry.id),
            'x-vigil-event-name': entry.eventName,
            'x-vigil-delivery-attempt': String(entry.attempts),
          },
          body: entry.body,
          signal: abort.signal,
          redirect: 'manual',
        });
        // Drain the body so the connection can be reused.
        await response.arrayBuffer();
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        const why = abort.signal.aborted
          ? `no answer within ${settings.timeoutMs} ms`
          : (cause ?? String(error));
        return { ok: false, permanent: false, error: `POST ${settings.url} failed: ${why}` };
      } finally {
        clearTimeout(timer);
      }
      if (response.status >= 200 && response.status < 300) return { ok: true };
      const permanent =
        response.status >= 400 &&
        response.status < 500 &&
        response.status !== 408 &&
        response.status !== 429;
      return {
        ok: false,
        permanent,
        error: `POST ${settings.url} answered ${response.status} ${response.statusText}`,
      };
    },
  };
}

class TimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}
