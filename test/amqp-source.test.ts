/**
 * The AMQP event source against a real RabbitMQ (`VIGIL_TEST_AMQP_URL`, default
 * 127.0.0.1:5672): the shared EventSource contract, then what is RabbitMQ's own — the quorum
 * queue and its binding to the exchange the store publishes to, the prefetch bound, a lost
 * connection, a copy the broker cannot route, the dead letter's headers. Each test has its
 * own queues (random names), deleted at the end. A crash is a relayed TCP connection cut.
 */
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AmqpSource,
  ATTEMPTS_HEADER,
  attemptOf,
  REASON_HEADER,
  SOURCE_QUEUE_HEADER,
  type AmqpSourceOptions,
} from '../src/worker/amqp-source.js';
import type { Delivery, EventSource } from '../src/worker/types.js';
import {
  amqpUrl,
  probeAmqp,
  startRelay,
  TestQueues,
  type Relay,
  type TestTopology,
} from './support/amqp.js';
import {
  eventSourceContract,
  receiveSome,
  type SourceHarness,
} from './support/event-source-contract.js';

const amqp = await probeAmqp();
const ROUTING_KEY = 'uploads.events';

interface AmqpHarness extends SourceHarness {
  names: TestTopology;
  channel: ConfirmChannel;
  open(overrides?: Partial<AmqpSourceOptions>): Promise<AmqpSource>;
  publishWith(body: string, routingKey: string, properties?: object): Promise<void>;
  /** Cuts `source`'s connection without closing the source. */
  cut(source: EventSource): void;
}

/**
 * A harness on fresh names: the topology declared once by a source opened and closed, a
 * publisher on a confirm channel (as MinIO publishes to the exchange), every source behind a
 * relay of its own so it can be crashed.
 */
async function amqpHarness(names: TestTopology): Promise<AmqpHarness> {
  const base: AmqpSourceOptions = {
    url: amqpUrl(),
    queue: names.queue,
    exchange: names.exchange,
    bindingKeys: [ROUTING_KEY],
    prefetch: 4,
    maxDeliveries: 5,
    deadLetterQueue: names.deadLetterQueue,
    closeWaitMs: 2000,
  };
  await (await AmqpSource.open(base)).close();
  const connection: ChannelModel = await connect(amqpUrl());
  connection.on('error', () => {});
  const channel = await connection.createConfirmChannel();
  const relays = new Map<EventSource, Relay>();
  const publishWith = (body: string, routingKey: string, properties = {}) =>
    new Promise<void>((resolve, reject) =>
      channel.publish(names.exchange, routingKey, Buffer.from(body), properties, (error) =>
        error ? reject(new Error('not confirmed')) : resolve(),
      ),
    );
  return {
    names,
    channel,
    publishWith,
    publish: (body) => publishWith(body, ROUTING_KEY),
    async open(overrides = {}) {
      const relay = await startRelay(amqpUrl());
      const source = await AmqpSource.open({ ...base, url: relay.url, ...overrides });
      relays.set(source, relay);
      return source;
    },
    async deadLetters() {
      const letters = [];
      for (;;) {
        const message = await channel.get(names.deadLetterQueue, { noAck: true });
        if (!message) return letters;
        const reason: unknown = message.properties.headers?.[REASON_HEADER];
        letters.push({
          body: message.content.toString(),
          reason: typeof reason === 'string' ? reason : undefined,
        });
      }
    },
    cut: (source) => relays.get(source)?.cut(),
    async crash(source) {
      relays.get(source)?.cut();
      // What the crashed process would never do, done so the test leaves nothing behind.
      await source.close();
    },
    async remove() {
      for (const [source, relay] of relays) {
        await source.close();
        await relay.close();
      }
      await connection.close();
    },
  };
}

describe('AmqpSource', () => {
  if (!amqp.reachable) {
    if (amqp.required)
      it('reaches RabbitMQ', () => {
        throw new Error(amqp.message);
      });
    else it.skip(`needs RabbitMQ (${amqp.message})`, () => {});
    return;
  }
  const queues = new TestQueues();
  afterAll(() => queues.deleteAll());

  describe('the EventSource contract', () =>
    eventSourceContract(() => amqpHarness(queues.fresh()), { redeliveryMs: 0 }));

  describe('on RabbitMQ', () => {
    const withHarness = (test: (h: AmqpHarness) => Promise<void>) => async () => {
      const h = await amqpHarness(queues.fresh());
      try {
        await test(h);
      } finally {
        await h.remove();
      }
    };

    it(
      'declares a quorum queue bound with the binding keys, and takes nothing else',
      withHarness(async (h) => {
        const source = await h.open();
        const probe = await connect(amqpUrl());
        probe.on('error', () => {});
        const classic = await probe.createChannel();
        classic.on('error', () => {});
        // Redeclaring a queue as another type is refused: the queue is a quorum queue.
        await expect(
          classic.assertQueue(h.names.queue, {
            durable: true,
            arguments: { 'x-queue-type': 'classic' },
          }),
        ).rejects.toThrow(/PRECONDITION_FAILED/);
        await probe.close().catch(() => {});
        await h.publishWith('{"other":true}', 'something.else');
        await h.publish('{"mine":true}');
        const [delivery] = await receiveSome(source, 1);
        expect(delivery!.body.toString()).toBe('{"mine":true}');
        await delivery!.ack();
        expect(await source.receive(5, 300, new AbortController().signal)).toEqual([]);
      }),
    );

    it(
      'holds at most `prefetch` messages, so another worker takes the rest',
      withHarness(async (h) => {
        const busy = await h.open({ prefetch: 2 });
        const idle = await h.open({ prefetch: 10 });
        for (let n = 0; n < 6; n++) await h.publish(`{"n":${n}}`);
        const held = await receiveSome(busy, 2);
        expect(await busy.receive(10, 300, new AbortController().signal)).toEqual([]);
        const rest = await receiveSome(idle, 4);
        expect([...held, ...rest].map((d) => d.body.toString()).sort()).toEqual(
          [0, 1, 2, 3, 4, 5].map((n) => `{"n":${n}}`),
        );
        for (const delivery of [...held, ...rest]) await delivery.ack();
      }),
    );

    it(
      'puts a message back at once on retry(0), as a worker releasing its work does',
      withHarness(async (h) => {
        const source = await h.open();
        await h.publish('{"n":1}');
        const [first] = await receiveSome(source, 1);
        const started = Date.now();
        await first!.retry(0);
        const [again] = await receiveSome(source, 1);
        expect(again!.attempt).toBe(2);
        expect(Date.now() - started).toBeLessThan(1000);
        await again!.ack();
      }),
    );

    it(
      'refuses to settle a delivery twice, and keeps its channel',
      withHarness(async (h) => {
        const source = await h.open();
        await h.publish('{"n":1}');
        const [first] = await receiveSome(source, 1);
        await first!.ack();
        await expect(first!.ack()).rejects.toThrow(/already settled/);
        await expect(first!.retry(100)).rejects.toThrow(/already settled/);
        await h.publish('{"n":2}');
        const [second] = await receiveSome(source, 1);
        expect(second!.attempt).toBe(1);
        await second!.ack();
      }),
    );

    it(
      'on a lost connection: held deliveries cannot be settled, the source reconnects',
      withHarness(async (h) => {
        const source = await h.open();
        await h.publish('{"n":1}');
        const [held] = await receiveSome(source, 1);
        h.cut(source);
        await new Promise((resolve) => setTimeout(resolve, 100));
        await expect(held!.ack()).rejects.toThrow(/back in the queue/);
        let again: Delivery | undefined;
        for (let tries = 0; !again && tries < 20; tries++)
          [again] = await source.receive(1, 1000, new AbortController().signal).catch(() => []);
        expect(again?.attempt).toBe(2);
        await again?.ack();
      }),
    );

    it(
      'refuses a copy no queue takes, and puts the original back',
      withHarness(async (h) => {
        const source = await h.open();
        await h.publish('{"n":1}');
        const [first] = await receiveSome(source, 1);
        await h.channel.deleteQueue(h.names.deadLetterQueue);
        await expect(first!.deadLetter('poison')).rejects.toThrow(/no queue .* took the copy/);
        const [again] = await receiveSome(source, 1);
        expect(again!.attempt).toBe(2);
        await again!.ack();
      }),
    );

    it(
      'keeps the publisher’s properties and headers on a dead letter, with its own',
      withHarness(async (h) => {
        const source = await h.open();
        await h.publishWith('{"n":1}', ROUTING_KEY, {
          contentType: 'application/json',
          messageId: 'event-1',
          headers: { 'minio-event': 's3:ObjectCreated:Put' },
        });
        const [first] = await receiveSome(source, 1);
        expect(first!.id).toBe('event-1');
        await first!.retry(50);
        const [second] = await receiveSome(source, 1);
        expect(second!.id).toBe('event-1');
        await second!.deadLetter('failed 2 times');
        const letter = await h.channel.get(h.names.deadLetterQueue, { noAck: true });
        expect(letter && letter.properties).toMatchObject({
          contentType: 'application/json',
          messageId: 'event-1',
          headers: {
            'minio-event': 's3:ObjectCreated:Put',
            [REASON_HEADER]: 'failed 2 times',
            [SOURCE_QUEUE_HEADER]: h.names.queue,
            [ATTEMPTS_HEADER]: 2,
          },
        });
      }),
    );
  });
});

describe('attemptOf', () => {
  const message = (headers: Record<string, unknown> | undefined, redelivered = false) =>
    ({ fields: { redelivered }, properties: { headers } }) as Parameters<typeof attemptOf>[0];
  it.each([
    ['a first delivery', message(undefined), 1],
    ['a first delivery of a quorum queue copy', message({ 'x-delivery-count': 0 }), 1],
    ['after two returns', message({ 'x-delivery-count': 2 }, true), 3],
    ['a redelivery without a count', message({}, true), 2],
    ['a copy after three attempts', message({ [ATTEMPTS_HEADER]: 3 }), 4],
    [
      'a copy after three attempts, returned once',
      message({ [ATTEMPTS_HEADER]: 3, 'x-delivery-count': 1 }, true),
      5,
    ],
    ['a header that is not a number', message({ [ATTEMPTS_HEADER]: 'many' }), 1],
  ])('%s', (_, m, attempt) => {
    expect(attemptOf(m)).toBe(attempt);
  });
});
