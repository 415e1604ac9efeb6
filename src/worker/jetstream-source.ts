/**
 * Event messages from a NATS JetStream stream, through a durable pull consumer that every
 * worker shares: each message goes to one worker at a time, is acknowledged explicitly once
 * judged, redelivered after `ackWait` when a worker dies holding it, redelivered after a
 * back-off when a worker fails it, and after `maxDeliver` attempts (or an unreadable body)
 * published to a dead-letter subject with the reason, then terminated.
 *
 * Facts (NATS docs, "JetStream Consumers" and "Consumer Details": AckExplicit, AckWait,
 * MaxDeliver, BackOff; "Acknowledgement": +ACK, -NAK with delay, +WPI "work in progress"
 * resets the ack timer, +TERM stops redelivery).
 */
import {
  AckPolicy,
  connect,
  DeliverPolicy,
  headers as natsHeaders,
  nanos,
  type ConnectionOptions,
  type Consumer,
  type JetStreamClient,
  type JsMsg,
  type NatsConnection,
} from 'nats';
import type { Delivery, EventSource } from './types.js';

export interface JetStreamSourceOptions {
  servers: string | string[];
  /** The stream the events are in; created (for `subjects`) when missing. */
  stream: string;
  /** Subjects the stream takes when this source creates it. */
  subjects: string[];
  /** The durable consumer every worker pulls from. */
  durable: string;
  /** How long a delivery is held without a sign of life before redelivery (ms). */
  ackWaitMs: number;
  /** Deliveries of one message before it is dead-lettered. */
  maxDeliver: number;
  /** Where dead letters are published (a subject of a stream of their own). */
  deadLetterSubject: string;
  connection?: Partial<ConnectionOptions>;
}

/** The longest `close` waits for deliveries in hand to be settled. */
const CLOSE_WAIT_MS = 5000;

export class JetStreamSource implements EventSource {
  readonly name: string;
  readonly maxAttempts: number;
  readonly leaseMs: number;
  private closed = false;
  /** Deliveries handed out and not yet settled. */
  private readonly inHand = new Set<JsMsg>();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly consumer: Consumer,
    private readonly options: JetStreamSourceOptions,
  ) {
    this.name = `jetstream:${options.stream}/${options.durable}`;
    this.maxAttempts = options.maxDeliver;
    this.leaseMs = options.ackWaitMs;
  }

  /**
   * Connects, and makes sure the stream, the dead-letter stream and the durable consumer
   * exist (workers started at once race to create them; the losers find them made).
   */
  static async open(options: JetStreamSourceOptions): Promise<JetStreamSource> {
    const nc = await connect({
      servers: options.servers,
      name: 'vigil-worker',
      maxReconnectAttempts: -1,
      ...options.connection,
    });
    try {
      const jsm = await nc.jetstreamManager();
      await ensureStream(jsm, options.stream, options.subjects);
      await ensureStream(jsm, `${options.stream}_DLQ`, [options.deadLetterSubject]);
      const consumer = {
        durable_name: options.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(options.ackWaitMs),
        // Unacknowledged: the worker settles every message itself, dead letters included.
        max_deliver: -1,
      };
      await jsm.consumers.add(options.stream, consumer).catch(async (error: unknown) => {
        // Made by another worker meanwhile: use it as it is.
        if (!(await jsm.consumers.info(options.stream, options.durable).catch(() => undefined)))
          throw error;
      });
      const js = nc.jetstream();
      return new JetStreamSource(
        nc,
        js,
        await js.consumers.get(options.stream, options.durable),
        options,
      );
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  /**
   * The first message as soon as there is one (a pull of one, so a lone upload is not held
   * until a larger batch fills or expires), then whatever else is already waiting, up to
   * `max`, without waiting for more (a `no_wait` pull).
   */
  async receive(max: number, waitMs: number, signal: AbortSignal): Promise<Delivery[]> {
    if (signal.aborted || this.closed) return [];
    const first = await this.consumer.fetch({ max_messages: 1, expires: Math.max(1000, waitMs) });
    const stop = () => first.stop();
    signal.addEventListener('abort', stop, { once: true });
    const deliveries: Delivery[] = [];
    try {
      for await (const message of first) deliveries.push(this.delivery(message));
    } finally {
      signal.removeEventListener('abort', stop);
    }
    if (deliveries.length === 0 || max <= 1 || signal.aborted) return deliveries;
    const waiting = this.js.fetch(this.options.stream, this.options.durable, {
      batch: max - 1,
      no_wait: true,
    });
    for await (const message of waiting) deliveries.push(this.delivery(message));
    return deliveries;
  }

  /**
   * Hands out nothing more; waits (up to the lease, at most `CLOSE_WAIT_MS`) for deliveries in
   * hand to be settled — they need the connection — then drains it.
   */
  async close(): Promise<void> {
    this.closed = true;
    const deadline = Date.now() + Math.min(this.leaseMs, CLOSE_WAIT_MS);
    while (this.inHand.size > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await this.nc.drain().catch(() => this.nc.close());
  }

  private delivery(message: JsMsg): Delivery {
    const { js, options, inHand } = this;
    inHand.add(message);
    const settled = () => inHand.delete(message);
    return {
      id: `${options.stream}:${message.info.streamSequence}`,
      body: message.data,
      attempt: message.info.deliveryCount,
      // ackAck: resolved when the server has the acknowledgement, so a crash right after
      // cannot leave a judged message to be judged again unknowingly.
      ack: async () => {
        await message.ackAck();
        settled();
      },
      retry: (delayMs) => {
        message.nak(delayMs);
        settled();
        return Promise.resolve();
      },
      deadLetter: async (reason) => {
        const h = natsHeaders();
        h.set('Vigil-Dead-Letter-Reason', reason.slice(0, 1000));
        h.set('Vigil-Source-Stream', options.stream);
        h.set('Vigil-Source-Subject', message.subject);
        h.set('Vigil-Source-Sequence', String(message.info.streamSequence));
        h.set('Vigil-Attempts', String(message.info.deliveryCount));
        // Published (and acknowledged by JetStream) before the original is terminated: a
        // crash between the two redelivers it, and the dead-letter id dedups the copy.
        await js.publish(options.deadLetterSubject, message.data, {
          headers: h,
          msgID: `${options.stream}:${message.info.streamSequence}`,
        });
        message.term(reason.slice(0, 200));
        settled();
      },
      extend: () => {
        message.working();
        return Promise.resolve();
      },
    };
  }
}

async function ensureStream(
  jsm: Awaited<ReturnType<NatsConnection['jetstreamManager']>>,
  name: string,
  subjects: string[],
): Promise<void> {
  const existing = await jsm.streams.info(name).catch(() => undefined);
  if (existing) return;
  await jsm.streams.add({ name, subjects }).catch(async (error: unknown) => {
    if (!(await jsm.streams.info(name).catch(() => undefined))) throw error;
  });
}
