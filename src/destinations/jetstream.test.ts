/**
 * The JetStream adapter against a real nats-server with JetStream: PubAck means delivered,
 * Nats-Msg-Id drops redeliveries, the declared stream is created, and failures are told
 * apart. Skipped where NATS is absent; required in CI.
 */
import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closedPort,
  natsServerBinary,
  natsUrl,
  probeNats,
  startPrivateNatsServer,
  TestStreams,
} from '../../test/support/nats.js';
import type { OutboxEntry } from '../delivery/types.js';
import { jetstreamAdapter, jetstreamOutcome, type JetStreamSettings } from './jetstream.js';
import { NatsConnections } from './nats-connections.js';

function entry(body: string, eventId = randomUUID()): OutboxEntry {
  return {
    id: 1,
    eventId,
    destination: 'arn:vigil:nats:us-east-1:000000000000:workers',
    bucket: 'b',
    key: 'k',
    eventName: 'ObjectCreated:Put',
    body,
    createdAt: Date.now(),
    attempts: 1,
    nextAttemptAt: 0,
    leaseUntil: null,
    state: 'pending',
    lastError: null,
    deadAt: null,
    traceHeader: null,
  };
}

describe('jetstreamOutcome', () => {
  const api = (code: number, err_code: number, description: string) =>
    Object.assign(new Error(description), {
      code: String(code),
      api_error: { code, err_code, description },
    });
  const nats = (code: string) => Object.assign(new Error(code), { code });
  it.each([
    [
      'a message too large for the stream',
      api(400, 10054, 'message size exceeds maximum allowed'),
      true,
      'JetStream answered 400 message size exceeds maximum allowed (err_code 10054)',
    ],
    [
      'another stream than the expected one',
      api(400, 10060, 'expected stream does not match'),
      true,
      'JetStream answered 400 expected stream does not match (err_code 10060)',
    ],
    [
      'a full stream that discards new messages',
      api(503, 10077, 'maximum messages exceeded'),
      false,
      'JetStream answered 503 maximum messages exceeded (err_code 10077)',
    ],
    [
      'storage trouble',
      api(500, 10047, 'insufficient storage resources available'),
      false,
      'JetStream answered 500 insufficient storage resources available (err_code 10047)',
    ],
    [
      'no responders',
      nats('503'),
      false,
      'no responders (no stream captures the subject, or JetStream is unavailable)',
    ],
    ['no PubAck in time', nats('TIMEOUT'), false, 'no answer within 1000 ms'],
    ['a refused connection', nats('CONNECTION_REFUSED'), false, 'CONNECTION_REFUSED'],
    ["over the server's max_payload", nats('MAX_PAYLOAD_EXCEEDED'), true, 'MAX_PAYLOAD_EXCEEDED'],
    ['a publish not permitted', nats('PERMISSIONS_VIOLATION'), true, 'PERMISSIONS_VIOLATION'],
    ['anything else', new Error('something else'), false, 'something else'],
  ])('%s', (_what, error, permanent, message) => {
    expect(jetstreamOutcome(error, 'publish to s', 1000)).toEqual({
      ok: false,
      permanent,
      error: `publish to s: ${message}`,
    });
  });
});

const nats = await probeNats();

if (!nats.reachable && nats.required)
  it('reaches NATS JetStream', () => {
    throw new Error(nats.message);
  });

describe.skipIf(!nats.reachable)('the JetStream adapter', () => {
  const streams = new TestStreams();
  const connections = new NatsConnections();
  let nc: NatsConnection;
  const server = { servers: [natsUrl()], timeoutMs: 2000 };

  beforeAll(async () => {
    nc = await streams.connection();
  });

  afterAll(async () => {
    await connections.close();
    await streams.deleteAll();
  });

  async function storedBodies(stream: string): Promise<{ body: string; msgId?: string }[]> {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(stream);
    const out: { body: string; msgId?: string }[] = [];
    for (
      let seq = info.state.first_seq;
      seq <= info.state.last_seq && info.state.messages > 0;
      seq++
    ) {
      const m = await jsm.streams.getMessage(stream, { seq });
      out.push({
        body: m.string(),
        ...(m.header?.get('Nats-Msg-Id') ? { msgId: m.header.get('Nats-Msg-Id') } : {}),
      });
    }
    return out;
  }

  it('publishes the body unchanged with the event id as Nats-Msg-Id; a redelivery is a duplicate, still delivered', async () => {
    const { stream, subject } = streams.fresh();
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: stream, subjects: [subject] });
    const adapter = jetstreamAdapter({ subject, server }, connections);
    if (adapter.kind !== 'async') throw new Error('expected an async adapter');

    const row = entry('{"Records":[{"eventName":"ObjectCreated:Put"}]}');
    expect(await adapter.deliver(row)).toEqual({ ok: true });
    expect(await adapter.deliver({ ...row, attempts: 2 })).toEqual({ ok: true });
    const other = entry('{"Records":[]}');
    expect(await adapter.deliver(other)).toEqual({ ok: true });

    expect(await storedBodies(stream)).toEqual([
      { body: row.body, msgId: row.eventId },
      { body: other.body, msgId: other.eventId },
    ]);
  });

  it('creates the declared stream with its duplicate window and publishes into it', async () => {
    const { stream, subject } = streams.fresh();
    const settings: JetStreamSettings = {
      subject,
      server,
      stream: {
        name: stream,
        create: true,
        subjects: [`${subject}.>`, subject],
        maxAgeSeconds: 3600,
        duplicateWindowSeconds: 30,
        storage: 'memory',
        replicas: 1,
      },
    };
    const adapter = jetstreamAdapter(settings, connections);
    if (adapter.kind !== 'async') throw new Error('expected an async adapter');
    expect(await adapter.deliver(entry('{"n":1}'))).toEqual({ ok: true });

    const info = await (await nc.jetstreamManager()).streams.info(stream);
    expect(info.config).toMatchObject({
      subjects: [`${subject}.>`, subject],
      storage: 'memory',
      max_age: 3600 * 1e9,
      duplicate_window: 30 * 1e9,
    });
    expect(info.state.messages).toBe(1);
  });

  it('re-creates a declared stream that was deleted while Vigil ran', async () => {
    const { stream, subject } = streams.fresh();
    const adapter = jetstreamAdapter(
      {
        subject,
        server,
        stream: {
          name: stream,
          create: true,
          duplicateWindowSeconds: 120,
          storage: 'memory',
          replicas: 1,
        },
      },
      connections,
    );
    if (adapter.kind !== 'async') throw new Error('expected an async adapter');
    expect(await adapter.deliver(entry('{"n":1}'))).toEqual({ ok: true });
    await (await nc.jetstreamManager()).streams.delete(stream);

    expect(await adapter.deliver(entry('{"n":2}'))).toMatchObject({ ok: false, permanent: false });
    expect(await adapter.deliver(entry('{"n":3}'))).toEqual({ ok: true });
    expect((await storedBodies(stream)).map((m) => m.body)).toEqual(['{"n":3}']);
  });

  it('retries a subject no stream captures, and a server that refuses connections', async () => {
    const { subject } = streams.fresh();
    const noStream = jetstreamAdapter({ subject, server }, connections);
    if (noStream.kind !== 'async') throw new Error('expected an async adapter');
    expect(await noStream.deliver(entry('{}'))).toEqual({
      ok: false,
      permanent: false,
      error: `publish to ${subject}: no responders (no stream captures the subject, or JetStream is unavailable)`,
    });

    const down = jetstreamAdapter(
      { subject, server: { servers: [`nats://127.0.0.1:${await closedPort()}`], timeoutMs: 1000 } },
      connections,
    );
    if (down.kind !== 'async') throw new Error('expected an async adapter');
    expect(await down.deliver(entry('{}'))).toEqual({
      ok: false,
      permanent: false,
      error: 'connect to NATS: CONNECTION_REFUSED',
    });
  });

  it('dead-letters a message the stream can never take, and one captured by another stream', async () => {
    const { stream, subject } = streams.fresh();
    await (
      await nc.jetstreamManager()
    ).streams.add({ name: stream, subjects: [subject], max_msg_size: 200 });
    const adapter = jetstreamAdapter({ subject, server }, connections);
    if (adapter.kind !== 'async') throw new Error('expected an async adapter');
    expect(await adapter.deliver(entry('x'.repeat(500)))).toEqual({
      ok: false,
      permanent: true,
      error: `publish to ${subject}: JetStream answered 400 message size exceeds maximum allowed (err_code 10054)`,
    });

    const elsewhere = jetstreamAdapter(
      {
        subject,
        server,
        stream: {
          name: 'SOME_OTHER',
          create: false,
          duplicateWindowSeconds: 120,
          storage: 'file',
          replicas: 1,
        },
      },
      connections,
    );
    if (elsewhere.kind !== 'async') throw new Error('expected an async adapter');
    expect(await elsewhere.deliver(entry('{}'))).toMatchObject({
      ok: false,
      permanent: true,
      error: `publish to ${subject}: JetStream answered 400 expected stream does not match (err_code 10060)`,
    });
  });

  it('shares one connection among the destinations of one NATS system', async () => {
    const first = await connections.get({ servers: [natsUrl()], timeoutMs: 2000 });
    const again = await connections.get({ servers: [natsUrl()], timeoutMs: 5000 });
    expect(again).toBe(first);
  });
});

const natsServer = natsServerBinary();

describe.skipIf(natsServer === undefined)('the JetStream adapter through a NATS outage', () => {
  it('retries while the server is down and delivers on the same connection once it is back', async () => {
    const server = await startPrivateNatsServer(natsServer!);
    const connections = new NatsConnections();
    try {
      const adapter = jetstreamAdapter(
        {
          subject: 'vigil.outage',
          server: { servers: [server.url], timeoutMs: 500 },
          stream: {
            name: 'OUTAGE',
            create: true,
            duplicateWindowSeconds: 120,
            storage: 'file',
            replicas: 1,
          },
        },
        connections,
      );
      if (adapter.kind !== 'async') throw new Error('expected an async adapter');
      expect(await adapter.deliver(entry('{"n":1}'))).toEqual({ ok: true });
      const connection = await connections.get({ servers: [server.url], timeoutMs: 500 });

      await server.kill();
      const during = entry('{"n":2}');
      expect(await adapter.deliver(during)).toEqual({
        ok: false,
        permanent: false,
        error: 'publish to vigil.outage: no answer within 500 ms',
      });

      await server.start();
      // The connection comes back on its own; the outbox's next attempt goes through, and a
      // copy the client had buffered while disconnected is dropped as a duplicate.
      let outcome = await adapter.deliver({ ...during, attempts: 2 });
      for (let i = 0; i < 20 && !outcome.ok; i++) {
        await new Promise((r) => setTimeout(r, 250));
        outcome = await adapter.deliver({ ...during, attempts: 3 + i });
      }
      expect(outcome).toEqual({ ok: true });
      expect(await connections.get({ servers: [server.url], timeoutMs: 500 })).toBe(connection);

      const nc = await connect({ servers: server.url });
      try {
        const info = await (await nc.jetstreamManager()).streams.info('OUTAGE');
        expect(info.state.messages).toBe(2);
      } finally {
        await nc.close();
      }
    } finally {
      await connections.close();
      await server.remove();
    }
  });
});
