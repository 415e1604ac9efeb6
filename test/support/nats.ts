/**
 * NATS JetStream for tests: where it is (`VIGIL_TEST_NATS_URL`, default the development and
 * CI machines' server), whether it answers with JetStream on, and throwaway streams.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';

/** The test server: `VIGIL_TEST_NATS_URL`, or nats://127.0.0.1:4222. */
export function natsUrl(): string {
  return process.env.VIGIL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
}

export type NatsProbe =
  | { reachable: true; url: string }
  | { reachable: false; url: string; required: boolean; message: string };

/**
 * Connects once with a short timeout and asks for JetStream's account info. Unreachable
 * NATS (or NATS without JetStream) is `required` in CI (`CI=true`: the caller fails a test
 * with `message`); elsewhere the message, printed here, says the suite is skipped.
 *
 * @example
 * const nats = await probeNats();
 * if (!nats.reachable && nats.required)
 *   it('reaches NATS JetStream', () => {
 *     throw new Error(nats.message);
 *   });
 * describe.skipIf(!nats.reachable)('on JetStream', () => { … });
 */
export async function probeNats(url = natsUrl(), timeoutMs = 2000): Promise<NatsProbe> {
  let nc: NatsConnection | undefined;
  try {
    nc = await connect({ servers: url, timeout: timeoutMs, reconnect: false });
    await nc.jetstreamManager({ timeout: timeoutMs });
    return { reachable: true, url };
  } catch (error) {
    const why =
      (error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error));
    const required = process.env.CI === 'true';
    const message = required
      ? `NATS with JetStream is required in CI at ${url} (${why}); set VIGIL_TEST_NATS_URL or start nats-server -js`
      : `NATS with JetStream not reachable at ${url} (${why}); skipping`;
    if (!required) console.warn(message);
    return { reachable: false, url, required, message };
  } finally {
    await nc?.close().catch(() => {});
  }
}

/**
 * Streams and subjects unique across parallel test files and runs (`VIGIL_TEST_<hex>_<n>`,
 * `vigil.test.<hex>.<n>`), deleted together by `deleteAll` (an `afterAll`).
 */
export class TestStreams {
  private readonly prefix = randomBytes(4).toString('hex');
  private readonly created: string[] = [];
  private count = 0;
  private nc: NatsConnection | undefined;

  constructor(private readonly url = natsUrl()) {}

  /** A fresh stream name and the subject it will capture; nothing is created yet. */
  fresh(): { stream: string; subject: string } {
    this.count++;
    const stream = `VIGIL_TEST_${this.prefix}_${this.count}`;
    this.created.push(stream);
    return { stream, subject: `vigil.test.${this.prefix}.${this.count}` };
  }

  /** A connection of the test's own, as another client (a worker) would have. */
  async connection(): Promise<NatsConnection> {
    this.nc ??= await connect({ servers: this.url });
    return this.nc;
  }

  async deleteAll(): Promise<void> {
    const nc = await this.connection();
    const jsm = await nc.jetstreamManager();
    for (const name of this.created.splice(0)) await jsm.streams.delete(name).catch(() => false);
    await nc.close();
    this.nc = undefined;
  }
}

/** A loopback port nothing listens on (bound, then closed): connections are refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A nats-server of the test's own, to stop and start again (an outage of NATS itself). */
export interface PrivateNatsServer {
  url: string;
  /** SIGKILL: the server is gone at once, as in a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same port and store directory; resolves once it answers. */
  start(): Promise<void>;
  /** Kills it and removes its store. */
  remove(): Promise<void>;
}

/** The nats-server binary (`NATS_SERVER_BIN`, or `nats-server` on the PATH), if there is one. */
export function natsServerBinary(): string | undefined {
  const bin = process.env.NATS_SERVER_BIN ?? 'nats-server';
  return spawnSync(bin, ['--version']).status === 0 ? bin : undefined;
}

/** Starts `nats-server -js` on a free loopback port with a fresh store directory. */
export async function startPrivateNatsServer(bin: string): Promise<PrivateNatsServer> {
  const port = await closedPort();
  const store = await mkdtemp(join(tmpdir(), 'vigil-nats-'));
  const url = `nats://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  const start = async () => {
    child = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], {
      stdio: 'ignore',
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const nc = await connect({ servers: url, timeout: 500, reconnect: false }).catch(
        () => undefined,
      );
      const ready = await nc?.jetstreamManager({ timeout: 500 }).then(
        () => true,
        () => false,
      );
      await nc?.close();
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`nats-server did not start on ${url}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await start();
  return {
    url,
    kill,
    start,
    remove: async () => {
      await kill();
      await rm(store, { recursive: true, force: true });
    },
  };
}
