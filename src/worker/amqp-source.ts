/**
 * Event messages from a RabbitMQ (AMQP 0-9-1) quorum queue — the queue a MinIO `notify_amqp`
 * target or a Ceph RGW topic with an `amqp://` push endpoint feeds, through the exchange they
 * publish to. Every worker consumes the same queue with manual acknowledgements: a message is
 * acknowledged once judged; a failure republishes it (confirmed) to a delay queue that
 * dead-letters it back after the back-off, then acknowledges the original; a dead letter is
 * republished (confirmed) to the dead-letter queue with the reason, then acknowledged; a worker
 * that dies holding messages (SIGKILL, lost connection) has them put back at once by RabbitMQ.
 *
 * Attempts are counted by the broker and carried across copies: a quorum queue adds one to a
 * message's `x-delivery-count` header every time it goes back to the queue (a nack with
 * requeue, or a channel or connection closed with it unacknowledged — a crash included), and
 * each copy this source publishes carries `Vigil-Attempts`, the deliveries before it.
 *
 * Facts (RabbitMQ docs: "Quorum Queues" — x-delivery-count, per-message TTL, at-least-once
 * dead-lettering with `x-dead-letter-strategy`, which needs `x-overflow: reject-publish`;
 * "Consumer Acknowledgements and Publisher Confirms" — manual ack, nack with requeue, confirms,
 * `mandatory` publishes answered by basic.return before basic.ack; "Consumer Prefetch";
 * "Consumers" — the delivery acknowledgement timeout `consumer_timeout`, 30 min by default;
 * "Dead Letter Exchanges" — dead letters may go through the default exchange, `expiration` is
 * dropped when a message is dead-lettered). The counting above is checked on a real broker by
 * test/amqp-source.test.ts.
 */
import { randomUUID } from 'node:crypto';
import type { ConsumeMessage, Options, SocketOptions } from 'amqplib';
import {
  ATTEMPTS_HEADER,
  attemptOf,
  carried,
  MAX_DELAY_MS,
  properties,
  REASON_HEADER,
  Session,
  SOURCE_QUEUE_HEADER,
} from './amqp-session.js';
import type { Delivery, EventSource } from './types.js';

export { attemptOf, ATTEMPTS_HEADER, REASON_HEADER, SOURCE_QUEUE_HEADER } from './amqp-session.js';

export interface AmqpSourceOptions {
  /** `amqp://user:password@host:5672/vhost` (`amqps://` for TLS; `?heartbeat=30` and so on). */
  url: string;
  /** The quorum queue every worker consumes; declared when missing. */
  queue: string;
  /**
   * The exchange the store publishes to, which the queue is bound to; declared (durable,
   * `exchangeType`) only when missing, so one declared by MinIO is used as it is. Without it,
   * publishers send straight to the queue (the default exchange, routing key = queue name).
   */
  exchange?: string;
  /** Type of the exchange when this source declares it: `topic` unless set. */
  exchangeType?: string;
  /** Routing keys the queue is bound with: `['#']` (everything, on a topic exchange) unless set. */
  bindingKeys?: string[];
  /** Deliveries this worker holds at once — set it to the worker's concurrency. */
  prefetch: number;
  /** Deliveries of one message before it is dead-lettered. */
  maxDeliveries: number;
  /** Where dead letters go (a quorum queue, declared when missing). */
  deadLetterQueue: string;
  /** The broker's `consumer_timeout` (ms): how long a delivery may stay unacknowledged. */
  consumerTimeoutMs?: number;
  /** How long `close` waits for deliveries in hand to be settled (ms). */
  closeWaitMs?: number;
  socket?: SocketOptions;
}

export class AmqpSource implements EventSource {
  readonly name: string;
  readonly maxAttempts: number;
  /**
   * A delivery stays with its consumer until acknowledged or its channel closes; there is no
   * lease to renew. RabbitMQ's `consumer_timeout` (30 min by default) closes a channel that
   * holds one longer, and every message on it goes back — that is the limit reported here.
   */
  readonly leaseMs: number;
  private session: Session | undefined;
  private opening: Promise<Session> | undefined;
  private closing: Promise<void> | undefined;
  private readonly stop = new AbortController();

  private constructor(private readonly options: AmqpSourceOptions) {
    this.name = `amqp:${options.queue}`;
    this.maxAttempts = options.maxDeliveries;
    this.leaseMs = options.consumerTimeoutMs ?? 30 * 60_000;
  }

  /** Connects, declares the queues and the binding, and starts consuming. */
  static async open(options: AmqpSourceOptions): Promise<AmqpSource> {
    const source = new AmqpSource(options);
    source.session = await Session.open(options);
    return source;
  }

  /**
   * Hands out what the consumer has buffered, waiting up to `waitMs` for the first message.
   *
   * A consumer with prefetch rather than basic.get polling: messages are pushed as they
   * arrive, with no poll interval added to latency and no round trip per message (RabbitMQ's
   * docs call basic.get polling highly inefficient). The prefetch window counts every
   * unacknowledged delivery, handed out or buffered, so with `prefetch` equal to the worker's
   * concurrency the buffer never holds more than the worker's free slots: a message does not
   * wait here while this worker is busy and another idle. The price: what is buffered when the
   * source closes goes back counted as a delivery, though no one judged it.
   */
  async receive(max: number, waitMs: number, signal: AbortSignal): Promise<Delivery[]> {
    if (signal.aborted || this.closing) return [];
    const session = await this.current();
    const deadline = Date.now() + waitMs;
    const stop = this.stop.signal;
    while (session.buffer.length === 0 && !session.lost && Date.now() < deadline) {
      if (signal.aborted || stop.aborted) return [];
      await session.arrival(deadline - Date.now(), signal, stop);
    }
    if (this.closing) return [];
    if (session.lost) throw session.lost;
    return session.take(max).map((message) => this.delivery(session, message));
  }

  /**
   * Stops consuming, puts back what was not handed out, waits up to `closeWaitMs` for the
   * deliveries in hand to be settled, then closes the channel and the connection: whatever is
   * still unsettled goes back to the queue for another worker (counted as a delivery).
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stop.abort();
      const session = this.session ?? (await this.opening?.catch(() => undefined));
      if (!session) return;
      await session.stopConsuming();
      await session.drained(this.options.closeWaitMs ?? 5_000);
      await session.close();
    })();
    return this.closing;
  }

  private current(): Promise<Session> {
    if (this.session && !this.session.lost) return Promise.resolve(this.session);
    this.opening ??= Session.open(this.options)
      .then((session) => (this.session = session))
      .finally(() => (this.opening = undefined));
    return this.opening;
  }

  private delivery(session: Session, message: ConsumeMessage): Delivery {
    const { options } = this;
    const attempt = attemptOf(message);
    const id = String(message.properties.messageId ?? randomUUID());
    // Copies carry the publisher's properties and headers, and the attempts made so far.
    const republish = (queue: string, extra: Options.Publish, headers = {}) =>
      session.publish(
        queue,
        message.content,
        { ...properties(message, id), ...extra },
        {
          ...carried(message),
          [ATTEMPTS_HEADER]: attempt,
          ...headers,
        },
      );
    let settled = false;
    // Republished (and confirmed) before the original is acknowledged: a crash between the
    // two leaves a second copy, never none. A copy RabbitMQ refuses puts the original back.
    const settle = async (end: 'ack' | 'requeue', publish?: () => Promise<void>) => {
      if (settled) throw new Error(`AMQP delivery ${id} is already settled`);
      settled = true;
      try {
        session.check();
        try {
          await publish?.();
        } catch (error) {
          session.requeue(message);
          throw error;
        }
        session.check();
        if (end === 'ack') session.channel.ack(message);
        else session.requeue(message);
      } finally {
        session.settled(message);
      }
    };
    return {
      id,
      body: message.content,
      attempt,
      ack: () => settle('ack'),
      retry: (delayMs) =>
        delayMs > 0
          ? settle('ack', async () => {
              const expiration = String(Math.min(Math.round(delayMs), MAX_DELAY_MS));
              await republish(await session.delayQueue(delayMs), { expiration });
            })
          : // Now (a worker giving its work back): the broker's own requeue, counted by it.
            settle('requeue'),
      deadLetter: (reason) =>
        settle('ack', () =>
          republish(
            options.deadLetterQueue,
            {},
            {
              [REASON_HEADER]: reason.slice(0, 1000),
              [SOURCE_QUEUE_HEADER]: options.queue,
            },
          ),
        ),
      extend: () => Promise.resolve(),
    };
  }
}
