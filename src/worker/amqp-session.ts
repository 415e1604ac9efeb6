/**
 * The AMQP side of the RabbitMQ source (amqp-source.ts): one connection and confirm channel
 * with its consumer, the queues it declares, and how a message's copies carry their
 * attempts and origin in headers.
 */
import { randomUUID } from 'node:crypto';
import {
  connect,
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
  type Message,
  type Options,
} from 'amqplib';
import type { AmqpSourceOptions } from './amqp-source.js';

/**
 * Deliveries on one connection and channel. A lost connection loses the session: its
 * unacknowledged messages are already back in the queue, so its deliveries can no longer be
 * settled, and the next `receive` opens a new one.
 */
export class Session {
  /** Delivered, not yet handed out (at most `prefetch` minus the deliveries in hand). */
  readonly buffer: ConsumeMessage[] = [];
  readonly inHand = new Set<ConsumeMessage>();
  lost: Error | undefined;
  private readonly waiters = new Set<() => void>();
  private readonly returned = new Set<string>();
  private readonly delayQueues = new Set<string>();
  private consumerTag: string | undefined;
  private consuming = true;

  private constructor(
    private readonly connection: ChannelModel,
    readonly channel: ConfirmChannel,
    private readonly options: AmqpSourceOptions,
  ) {
    const lose = (error?: Error) => this.lose(error ?? new Error('AMQP connection closed'));
    connection.on('error', lose);
    connection.on('close', lose);
    channel.on('error', lose);
    channel.on('close', () => lose(new Error('AMQP channel closed')));
    channel.on('return', (message: Message) => {
      const copy: unknown = message.properties.headers?.[COPY_HEADER];
      if (typeof copy === 'string') this.returned.add(copy);
    });
  }

  static async open(options: AmqpSourceOptions): Promise<Session> {
    const connection = await connect(options.url, {
      clientProperties: { connection_name: `vigil-worker ${options.queue}` },
      timeout: 10_000,
      ...options.socket,
    });
    // Until the session listens: an 'error' event with no listener would end the process.
    connection.on('error', () => {});
    try {
      await declareTopology(connection, options);
      const channel = await connection.createConfirmChannel();
      const session = new Session(connection, channel, options);
      await channel.prefetch(options.prefetch);
      const { consumerTag } = await channel.consume(options.queue, (message) =>
        message ? session.push(message) : session.lose(new Error('consumer cancelled by RabbitMQ')),
      );
      session.consumerTag = consumerTag;
      return session;
    } catch (error) {
      await connection.close().catch(() => {});
      throw error;
    }
  }

  /** Resolves on news (a message, a settlement, the loss), after `waitMs`, or on `signal`. */
  arrival(waitMs: number, ...signals: AbortSignal[]): Promise<void> {
    if (this.buffer.length > 0 || this.lost || signals.some((s) => s.aborted))
      return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        for (const signal of signals) signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      for (const signal of signals) signal.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }

  take(max: number): ConsumeMessage[] {
    const taken = this.buffer.splice(0, Math.max(0, max));
    for (const message of taken) this.inHand.add(message);
    return taken;
  }

  settled(message: ConsumeMessage): void {
    this.inHand.delete(message);
    this.wake();
  }

  /** Throws when the message can no longer be settled on this session. */
  check(): void {
    if (this.lost)
      throw new Error(`${this.lost.message}; the message is back in the queue`, {
        cause: this.lost,
      });
  }

  /** Puts a message back in the queue now (counted as a delivery by the quorum queue). */
  requeue(message: ConsumeMessage): void {
    try {
      this.channel.nack(message, false, true);
    } catch {
      // The channel is gone, and with it the message's hold: it is back in the queue already.
    }
  }

  /**
   * Publishes `body` to `queue` through the default exchange and resolves once RabbitMQ has it:
   * confirmed, and routed (`mandatory`: a copy for a queue that is gone comes back as a
   * basic.return, sent before the confirm).
   */
  publish(
    queue: string,
    body: Buffer,
    options: Omit<Options.Publish, 'headers'>,
    headers: Record<string, unknown>,
  ): Promise<void> {
    const copy = randomUUID();
    headers = { ...headers, [COPY_HEADER]: copy };
    return new Promise((resolve, reject) => {
      const confirmed = (error: unknown) => {
        if (this.returned.delete(copy))
          reject(new Error(`AMQP: no queue "${queue}" took the copy (it was returned)`));
        else if (error)
          reject(
            new Error(
              `AMQP: "${queue}" did not confirm the copy (${error instanceof Error ? error.message : 'nacked'})`,
            ),
          );
        else resolve();
      };
      const publish = { ...options, headers, persistent: true, mandatory: true };
      this.channel.sendToQueue(queue, body, publish, confirmed);
    });
  }

  /**
   * The delay queue for `delayMs`: one per power of two of milliseconds, each holding retries
   * of at most that delay. Expired messages leave a queue from its head only, so one queue for
   * every delay would hold a 1 s retry behind a 60 s one; here a retry waits at most twice its
   * delay. Each dead-letters its expired messages back to the main queue, at least once.
   */
  async delayQueue(delayMs: number): Promise<string> {
    const limit = 2 ** Math.ceil(Math.log2(Math.max(1, delayMs)));
    const name = `${this.options.queue}.delay-${limit}ms`;
    if (!this.delayQueues.has(name)) {
      await withChannel(this.connection, (channel) =>
        declareQueue(channel, name, {
          'x-dead-letter-exchange': '',
          'x-dead-letter-routing-key': this.options.queue,
          ...AT_LEAST_ONCE,
        }),
      );
      this.delayQueues.add(name);
    }
    return name;
  }

  /** Stops deliveries to this worker and puts back those not handed out. */
  async stopConsuming(): Promise<void> {
    this.consuming = false;
    if (this.consumerTag && !this.lost)
      await this.channel.cancel(this.consumerTag).catch(() => undefined);
    for (const message of this.buffer.splice(0)) this.requeue(message);
  }

  /** Resolves when every delivery in hand is settled, the session is lost, or `ms` pass. */
  async drained(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.inHand.size > 0 && !this.lost && Date.now() < deadline)
      await this.arrival(deadline - Date.now());
  }

  async close(): Promise<void> {
    if (!this.lost) await this.channel.close().catch(() => undefined);
    this.lose(new Error('AMQP source closed'));
    await this.connection.close().catch(() => undefined);
  }

  private push(message: ConsumeMessage): void {
    if (!this.consuming) return this.requeue(message);
    this.buffer.push(message);
    this.wake();
  }

  private lose(error: Error): void {
    if (this.lost) return;
    this.lost = error;
    // Unacknowledged messages go back to the queue with the channel; the connection goes too.
    this.buffer.length = 0;
    void this.connection.close().catch(() => undefined);
    this.wake();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/**
 * Which delivery of its event a message is: the deliveries of earlier copies (`Vigil-Attempts`,
 * set on every copy this source publishes), plus the times this copy went back to the queue
 * (the quorum queue's `x-delivery-count`; `redelivered` alone says at least once), plus one.
 */
export function attemptOf(message: Pick<Message, 'fields' | 'properties'>): number {
  const headers = message.properties.headers ?? {};
  const earlier = count(headers[ATTEMPTS_HEADER]);
  const returns =
    headers['x-delivery-count'] !== undefined
      ? count(headers['x-delivery-count'])
      : message.fields.redelivered
        ? 1
        : 0;
  return earlier + returns + 1;
}

export const ATTEMPTS_HEADER = 'Vigil-Attempts';
export const REASON_HEADER = 'Vigil-Dead-Letter-Reason';
export const SOURCE_QUEUE_HEADER = 'Vigil-Source-Queue';
export const COPY_HEADER = 'Vigil-Copy-Id';
/** Per-message TTL is a 32-bit count of milliseconds; a longer back-off is not one. */
export const MAX_DELAY_MS = 2 ** 31 - 1;

/** At-least-once dead-lettering (quorum queues): a message leaves only once the target has it. */
export const AT_LEAST_ONCE = {
  'x-dead-letter-strategy': 'at-least-once',
  'x-overflow': 'reject-publish',
};

export function count(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/** The publisher's headers, without the broker's (`x-…`) and this source's own. */
export function carried(message: Message): Record<string, unknown> {
  const headers = Object.entries(message.properties.headers ?? {});
  return Object.fromEntries(
    headers.filter(([k]) => !k.startsWith('x-') && !k.startsWith('Vigil-')),
  );
}

export function properties(message: Message, messageId: string): Options.Publish {
  const p: Partial<Record<string, unknown>> = { ...message.properties };
  const kept: Options.Publish = { messageId };
  for (const key of ['contentType', 'contentEncoding', 'correlationId', 'type', 'appId'] as const)
    if (typeof p[key] === 'string') kept[key] = p[key];
  if (typeof p.timestamp === 'number') kept.timestamp = p.timestamp;
  return kept;
}

/**
 * The exchange (when missing), the main queue, the dead-letter queue and the bindings. The
 * main queue dead-letters to the dead-letter queue itself too, so a broker-side delivery limit
 * (RabbitMQ 4 gives quorum queues one of 20) moves a message there rather than dropping it.
 */
export async function declareTopology(connection: ChannelModel, options: AmqpSourceOptions) {
  const { queue, deadLetterQueue, exchange } = options;
  if (exchange) {
    // One made by an operator or by MinIO (which redeclares it before every publish, with its
    // own exchange_type and durable settings) is used as it is: a redeclare that differs fails.
    const exists = await withChannel(connection, (c) => c.checkExchange(exchange)).then(
      () => true,
      () => false,
    );
    if (!exists)
      await withChannel(connection, (c) =>
        c.assertExchange(exchange, options.exchangeType ?? 'topic', { durable: true }),
      );
  }
  await withChannel(connection, async (channel) => {
    await declareQueue(channel, deadLetterQueue, {});
    await declareQueue(channel, queue, {
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': deadLetterQueue,
      ...AT_LEAST_ONCE,
    });
    if (exchange)
      for (const key of options.bindingKeys ?? ['#']) await channel.bindQueue(queue, exchange, key);
  });
}

export async function declareQueue(
  channel: Channel,
  name: string,
  args: Record<string, string>,
): Promise<void> {
  await channel
    .assertQueue(name, { durable: true, arguments: { 'x-queue-type': 'quorum', ...args } })
    .catch((error: unknown) => {
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(
        `AMQP queue "${name}" could not be declared as a quorum queue with ${JSON.stringify(args)} (${why}); ` +
          'if it exists with other settings, delete it or choose another name',
        { cause: error },
      );
    });
}

/** Runs `use` on a channel of its own: a refused declaration closes only that channel. */
async function withChannel<T>(
  connection: ChannelModel,
  use: (channel: Channel) => Promise<T>,
): Promise<T> {
  const channel = await connection.createChannel();
  // A refusal closes the channel with an 'error' event; the rejected call reports it.
  channel.on('error', () => {});
  try {
    return await use(channel);
  } finally {
    await channel.close().catch(() => undefined);
  }
}
