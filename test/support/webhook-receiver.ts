import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  body: string;
  headers: IncomingHttpHeaders;
  at: number;
}

/**
 * A webhook receiver on 127.0.0.1 that records every POST. Its answer is switchable: a status
 * code, or `down` (the port stops listening, so connections are refused), to play outages.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  status = 200;
  private server: Server | undefined;
  private listeners: ((hook: ReceivedWebhook) => void)[] = [];

  private constructor(public port: number) {}

  static async start(port = 0): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(port);
    await receiver.up();
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Starts listening (again) on the same port. */
  async up(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = this.status;
        if (status >= 200 && status < 300) {
          const hook = {
            body: Buffer.concat(chunks).toString('utf8'),
            headers: req.headers,
            at: Date.now(),
          };
          this.received.push(hook);
          for (const listener of this.listeners) listener(hook);
        }
        res.writeHead(status, { 'content-type': 'text/plain' }).end(String(status));
      });
    });
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops open connections: deliveries now get ECONNREFUSED. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves once `count` webhooks in total have been received. */
  waitFor(count: number, timeoutMs = 10_000): Promise<ReceivedWebhook[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.received.length >= count) {
          clearTimeout(timer);
          this.listeners = this.listeners.filter((l) => l !== check);
          resolve(this.received.slice());
        }
      };
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== check);
        reject(
          new Error(`received ${this.received.length} of ${count} webhooks in ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.listeners.push(check);
      check();
    });
  }

  async stop(): Promise<void> {
    await this.down();
  }
}
