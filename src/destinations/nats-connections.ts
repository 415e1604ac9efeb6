import { connect, Events, type NatsConnection } from 'nats';
import type { Logger } from 'pino';

/** Where a NATS system is and how to log in to it. */
export interface NatsServerSet {
  servers: string[];
  user?: string | undefined;
  pass?: string | undefined;
  token?: string | undefined;
  /** Longest wait for a connection. */
  timeoutMs: number;
}

/**
 * One connection per NATS system, shared by every destination on it. A connection is opened
 * by the first delivery that needs it, not at start-up, so Vigil starts (and takes writes)
 * while NATS is down; events wait in the outbox meanwhile. Once open it reconnects on its
 * own, forever; a connect that fails is tried again by the next delivery.
 */
export class NatsConnections {
  private readonly open = new Map<string, Promise<NatsConnection>>();
  private stopping = false;

  constructor(private readonly logger?: Logger) {}

  get(set: NatsServerSet): Promise<NatsConnection> {
    if (this.stopping) return Promise.reject(new Error('NATS connections are closed'));
    const key = JSON.stringify([[...set.servers].sort(), set.user, set.pass, set.token]);
    const existing = this.open.get(key);
    if (existing) return existing;
    const pending = this.connect(set);
    this.open.set(key, pending);
    const forget = () => {
      if (this.open.get(key) === pending) this.open.delete(key);
    };
    pending.then((nc) => void nc.closed().then(forget), forget);
    return pending;
  }

  /** Closes every connection (Vigil's stop, after the dispatcher has drained). */
  async close(): Promise<void> {
    this.stopping = true;
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(
      all.map((pending) =>
        pending.then(
          (nc) => nc.close(),
          () => undefined,
        ),
      ),
    );
  }

  private async connect(set: NatsServerSet): Promise<NatsConnection> {
    const nc = await connect({
      servers: set.servers,
      name: 'vigil',
      timeout: set.timeoutMs,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
      ...(set.user !== undefined ? { user: set.user, pass: set.pass } : {}),
      ...(set.token !== undefined ? { token: set.token } : {}),
    });
    this.watch(nc, set.servers);
    return nc;
  }

  /** Says when a connection drops and comes back: the outbox backlog explains the rest. */
  private watch(nc: NatsConnection, servers: string[]): void {
    const log = this.logger;
    if (!log) return;
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === Events.Disconnect)
          log.warn({ servers, server: status.data }, 'NATS connection lost; reconnecting');
        else if (status.type === Events.Reconnect)
          log.info({ servers, server: status.data }, 'NATS connection restored');
      }
    })().catch(() => {});
  }
}
