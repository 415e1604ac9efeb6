/**
 * RabbitMQ for tests: where it is (`VIGIL_TEST_AMQP_URL`, default the development and CI
 * machines' broker), whether it answers, and throwaway queue names.
 */
import { randomBytes } from 'node:crypto';
import { connect as netConnect, createServer, type AddressInfo, type Socket } from 'node:net';
import { connect, type ChannelModel } from 'amqplib';

/** The test broker: `VIGIL_TEST_AMQP_URL`, or amqp://guest:guest@127.0.0.1:5672. */
export function amqpUrl(): string {
  return process.env.VIGIL_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
}

export type AmqpProbe =
  | { reachable: true; url: string }
  | { reachable: false; url: string; required: boolean; message: string };

/**
 * Connects once with a short timeout and opens a channel. An unreachable broker is `required`
 * in CI (`CI=true`: the caller fails a test with `message`); elsewhere the message, printed
 * here, says the suite is skipped.
 *
 * @example
 * const amqp = await probeAmqp();
 * if (!amqp.reachable && amqp.required)
 *   it('reaches RabbitMQ', () => {
 *     throw new Error(amqp.message);
 *   });
 * describe.skipIf(!amqp.reachable)('on RabbitMQ', () => { … });
 */
export async function probeAmqp(url = amqpUrl(), timeoutMs = 2000): Promise<AmqpProbe> {
  const shown = url.replace(/\/\/[^@/]*@/, '//');
  let connection: ChannelModel | undefined;
  try {
    connection = await connect(url, { timeout: timeoutMs });
    connection.on('error', () => {});
    const channel = await connection.createChannel();
    await channel.close();
    return { reachable: true, url: shown };
  } catch (error) {
    const why =
      (error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error));
    const required = process.env.CI === 'true';
    const message = required
      ? `RabbitMQ is required in CI at ${shown} (${why}); set VIGIL_TEST_AMQP_URL or start rabbitmq-server`
      : `RabbitMQ not reachable at ${shown} (${why}); skipping`;
    if (!required) console.warn(message);
    return { reachable: false, url: shown, required, message };
  } finally {
    await connection?.close().catch(() => {});
  }
}

/** The names one test uses: its queue, dead-letter queue and exchange. */
export interface TestTopology {
  queue: string;
  deadLetterQueue: string;
  exchange: string;
}

/**
 * Names unique across parallel test files and runs (`vigil-test-<hex>-<n>`), deleted together
 * by `deleteAll` (an `afterAll`) with the delay queues an AMQP source derives from them.
 */
export class TestQueues {
  private readonly prefix = randomBytes(4).toString('hex');
  private readonly created: TestTopology[] = [];
  private count = 0;

  constructor(private readonly url = amqpUrl()) {}

  /** Fresh names; nothing is created yet. */
  fresh(): TestTopology {
    this.count++;
    const queue = `vigil-test-${this.prefix}-${this.count}`;
    const names = { queue, deadLetterQueue: `${queue}.dlq`, exchange: `${queue}.events` };
    this.created.push(names);
    return names;
  }

  /** Deleting a queue or exchange that is not there succeeds, so every candidate is tried. */
  async deleteAll(): Promise<void> {
    const connection = await connect(this.url);
    connection.on('error', () => {});
    try {
      const channel = await connection.createChannel();
      for (const { queue, deadLetterQueue, exchange } of this.created.splice(0)) {
        const delays = Array.from({ length: 32 }, (_, k) => `${queue}.delay-${2 ** k}ms`);
        for (const name of [queue, deadLetterQueue, ...delays]) await channel.deleteQueue(name);
        await channel.deleteExchange(exchange);
      }
      await channel.close();
    } finally {
      await connection.close().catch(() => {});
    }
  }
}

/**
 * A TCP relay to the broker on a loopback port of its own, so a test can cut a client's
 * connection the way a crash does (SIGKILL, a pulled cable): no close handshake, the broker
 * just sees the socket end.
 */
export interface Relay {
  /** `url` with the relay's host and port. */
  url: string;
  /** Destroys every connection relayed so far; new ones are still relayed. */
  cut(): void;
  close(): Promise<void>;
}

export async function startRelay(url = amqpUrl()): Promise<Relay> {
  const target = new URL(url);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = netConnect(Number(target.port || 5672), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const relayed = new URL(url);
  relayed.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const cut = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: relayed.toString(),
    cut,
    close: async () => {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
