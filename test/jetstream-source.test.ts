/**
 * The EventSource contract (test/support/event-source-contract.ts) on NATS JetStream: each
 * test on a throwaway stream, its dead-letter stream and a durable consumer; a crash is a
 * relayed TCP connection cut with no reconnect, after which JetStream redelivers what the
 * source held once the ack wait runs out. Needs NATS with JetStream (running here and in CI;
 * skipped elsewhere, saying so).
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'nats';
import { describe, it } from 'vitest';
import { JetStreamSource } from '../src/worker/jetstream-source.js';
import type { EventSource } from '../src/worker/types.js';
import { startRelay, type Relay } from './support/amqp.js';
import { eventSourceContract, type SourceHarness } from './support/event-source-contract.js';
import { probeNats } from './support/nats.js';

const nats = await probeNats();
const ACK_WAIT_MS = 1500;

async function jetStreamHarness(url: string): Promise<SourceHarness> {
  const id = randomBytes(4).toString('hex');
  const stream = `VIGIL_SOURCE_TEST_${id}`;
  const subject = `vigil-source-test-${id}.events`;
  const deadLetterSubject = `vigil-source-dead-${id}`;
  const nc = await connect({ servers: url });
  const jsm = await nc.jetstreamManager();
  const opened: { source: EventSource; relay: Relay }[] = [];
  let deadSeen = 0;
  return {
    open: async () => {
      const relay = await startRelay(url);
      const source = await JetStreamSource.open({
        servers: relay.url,
        stream,
        subjects: [`vigil-source-test-${id}.>`],
        durable: `source-test-${id}`,
        ackWaitMs: ACK_WAIT_MS,
        maxDeliver: 5,
        deadLetterSubject,
        connection: { reconnect: false },
      });
      opened.push({ source, relay });
      return source;
    },
    publish: async (body) => {
      await nc.jetstream().publish(subject, new TextEncoder().encode(body));
    },
    deadLetters: async () => {
      const info = await jsm.streams.info(`${stream}_DLQ`).catch(() => undefined);
      const letters = [];
      for (let seq = deadSeen + 1; info && seq <= info.state.last_seq; seq++) {
        const message = await jsm.streams.getMessage(`${stream}_DLQ`, { seq });
        letters.push({
          body: new TextDecoder().decode(message.data),
          reason: message.header.get('Vigil-Dead-Letter-Reason') || undefined,
        });
        deadSeen = seq;
      }
      return letters;
    },
    crash: async (source) => {
      const entry = opened.find((o) => o.source === source);
      await entry?.relay.close();
    },
    remove: async () => {
      for (const { source, relay } of opened.splice(0)) {
        await source.close().catch(() => {});
        await relay.close();
      }
      for (const name of [stream, `${stream}_DLQ`])
        await jsm.streams.delete(name).catch(() => false);
      await nc.close();
    },
  };
}

describe('the EventSource contract on NATS JetStream', () => {
  if (!nats.reachable && nats.required)
    it('reaches NATS JetStream', () => {
      throw new Error(nats.message);
    });
  if (!nats.reachable) {
    it.skip('needs NATS JetStream', () => {});
    return;
  }
  eventSourceContract(() => jetStreamHarness(nats.url), { redeliveryMs: ACK_WAIT_MS });
});
