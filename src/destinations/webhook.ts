import { createHmac } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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

// Keep-alive connections shared by every webhook: an event costs one request, not a TCP
// (and TLS) handshake. node:http rather than fetch(): a third of the CPU per request.
const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 64 });

/**
 * POSTs the event JSON. 2xx means delivered. 4xx (except 408 and 429, which ask to come
 * back later) means the receiver will never accept this body: the event is dead-lettered.
 * Anything else — 5xx, timeouts, refused connections — is retried.
 */
export function webhookAdapter(settings: WebhookSettings): DestinationAdapter {
  const url = new URL(settings.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const agent = url.protocol === 'https:' ? httpsAgent : httpAgent;
  return {
    kind: 'async',
    deliver(entry: OutboxEntry): Promise<DeliveryOutcome> {
      const body = Buffer.from(entry.body);
      return new Promise((resolve) => {
        let settled = false;
        const finish = (outcome: DeliveryOutcome) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(outcome);
        };
        const failed = (why: string) =>
          finish({ ok: false, permanent: false, error: `POST ${settings.url} failed: ${why}` });
        const req = send(url, {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': body.length,
            'user-agent': 'Vigil',
            'x-vigil-signature': webhookSignature(settings.secret, entry.body),
            'x-vigil-event-id': entry.eventId,
            'x-vigil-event-name': entry.eventName,
            'x-vigil-delivery-attempt': String(entry.attempts),
          },
        });
        // Covers connect, headers and body; cleared as soon as the answer is in.
        const timer = setTimeout(() => {
          failed(`no answer within ${settings.timeoutMs} ms`);
          req.destroy();
        }, settings.timeoutMs);
        req.on('error', (error: NodeJS.ErrnoException) => failed(error.code ?? error.message));
        req.on('response', (res: IncomingMessage) => {
          // Read the answer to its end so the connection can be reused.
          res.resume();
          res.on('error', (error: NodeJS.ErrnoException) => failed(error.code ?? error.message));
          res.on('end', () => finish(outcomeOf(settings.url, res)));
        });
        req.end(body);
      });
    },
  };
}

function outcomeOf(url: string, res: IncomingMessage): DeliveryOutcome {
  const status = res.statusCode ?? 0;
  if (status >= 200 && status < 300) return { ok: true };
  const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
  return {
    ok: false,
    permanent,
    error: `POST ${url} answered ${status} ${res.statusMessage ?? ''}`.trim(),
  };
}
