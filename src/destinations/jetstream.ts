import { nanos, StorageType, type JetStreamClient, type NatsConnection } from 'nats';
import type { DeliveryOutcome, DestinationAdapter, OutboxEntry } from '../delivery/types.js';
import type { NatsConnections, NatsServerSet } from './nats-connections.js';

export interface JetStreamStreamSettings {
  name: string;
  /** Create the stream when it is missing; an existing stream is never changed. */
  create: boolean;
  /** Subjects of a created stream; default: the destination's subject. */
  subjects?: string[] | undefined;
  maxAgeSeconds?: number | undefined;
  duplicateWindowSeconds: number;
  storage: 'file' | 'memory';
  replicas: number;
}

export interface JetStreamSettings {
  subject: string;
  server: NatsServerSet;
  /** The stream that must capture the subject (publishes expect it). */
  stream?: JetStreamStreamSettings | undefined;
}

// JetStream API error codes (nats-server's errors.json).
const STREAM_NOT_FOUND = 10059;
const STREAM_NAME_IN_USE = 10058;

/**
 * Publishes the event message, unchanged, to a JetStream subject, with the outbox row's
 * event id as `Nats-Msg-Id`: JetStream drops a redelivery of the same row within the
 * stream's duplicate window. Delivered means JetStream's PubAck (stored, or a duplicate of
 * something stored); everything else is classified by `jetstreamOutcome`.
 */
export function jetstreamAdapter(
  settings: JetStreamSettings,
  connections: NatsConnections,
): DestinationAdapter {
  const { subject, stream } = settings;
  const timeout = settings.server.timeoutMs;
  let client: { nc: NatsConnection; js: JetStreamClient } | undefined;
  // The connection the stream is known to exist on; cleared when a publish finds no stream.
  let ensuredOn: NatsConnection | undefined;
  return {
    kind: 'async',
    async deliver(entry: OutboxEntry): Promise<DeliveryOutcome> {
      let step = 'connect to NATS';
      try {
        const nc = await connections.get(settings.server);
        if (stream?.create && ensuredOn !== nc) {
          step = `create stream ${stream.name}`;
          await ensureStream(nc, stream, subject, timeout);
          ensuredOn = nc;
        }
        if (client?.nc !== nc) client = { nc, js: nc.jetstream({ timeout }) };
        step = `publish to ${subject}`;
        await client.js.publish(subject, Buffer.from(entry.body), {
          msgID: entry.eventId,
          timeout,
          ...(stream ? { expect: { streamName: stream.name } } : {}),
        });
        return { ok: true };
      } catch (error) {
        if ((error as { code?: string }).code === '503') ensuredOn = undefined;
        return jetstreamOutcome(error, step, timeout);
      }
    },
  };
}

/** Creates the stream unless it exists (another Vigil may create it at the same moment). */
async function ensureStream(
  nc: NatsConnection,
  stream: JetStreamStreamSettings,
  subject: string,
  timeoutMs: number,
): Promise<void> {
  const jsm = await nc.jetstreamManager({ timeout: timeoutMs });
  try {
    await jsm.streams.info(stream.name);
    return;
  } catch (error) {
    if (apiErrorOf(error)?.err_code !== STREAM_NOT_FOUND) throw error;
  }
  try {
    await jsm.streams.add({
      name: stream.name,
      subjects: stream.subjects ?? [subject],
      storage: stream.storage === 'memory' ? StorageType.Memory : StorageType.File,
      num_replicas: stream.replicas,
      max_age: nanos((stream.maxAgeSeconds ?? 0) * 1000),
      duplicate_window: nanos(stream.duplicateWindowSeconds * 1000),
    });
  } catch (error) {
    if (apiErrorOf(error)?.err_code !== STREAM_NAME_IN_USE) throw error;
  }
}

interface JetStreamApiError {
  code: number;
  err_code?: number;
  description: string;
}

function apiErrorOf(error: unknown): JetStreamApiError | undefined {
  return (error as { api_error?: JetStreamApiError }).api_error;
}

/**
 * What a failed step means for the event. JetStream's own answers follow HTTP, as webhooks
 * do: a 4xx (message larger than the stream allows, a sealed stream, the subject captured
 * by another stream than the expected one) cannot change on a retry and is permanent; a 5xx
 * (storage full, cluster unavailable) is retried. Without an answer — refused or lost
 * connections, no PubAck in time, and "no responders", which is how NATS says no stream
 * listens on the subject (not created yet, deleted, or JetStream restarting) — the event
 * is retried with backoff, and dead-lettered after `maxAttempts` like any other.
 * A message over the server's max_payload or a publish the account may not make is
 * permanent.
 */
export function jetstreamOutcome(error: unknown, step: string, timeoutMs: number): DeliveryOutcome {
  const api = apiErrorOf(error);
  if (api) {
    const permanent = api.code >= 400 && api.code < 500 && api.code !== 408 && api.code !== 429;
    const detail = api.err_code === undefined ? '' : ` (err_code ${api.err_code})`;
    return {
      ok: false,
      permanent,
      error: `${step}: JetStream answered ${api.code} ${api.description}${detail}`,
    };
  }
  const code = (error as { code?: string }).code;
  switch (code) {
    case '503':
      return {
        ok: false,
        permanent: false,
        error: `${step}: no responders (no stream captures the subject, or JetStream is unavailable)`,
      };
    case 'TIMEOUT':
      return { ok: false, permanent: false, error: `${step}: no answer within ${timeoutMs} ms` };
    case 'MAX_PAYLOAD_EXCEEDED':
    case 'BAD_SUBJECT':
    case 'PERMISSIONS_VIOLATION':
      return { ok: false, permanent: true, error: `${step}: ${code}` };
    default:
      return {
        ok: false,
        permanent: false,
        error: `${step}: ${code ?? (error instanceof Error ? error.message : String(error))}`,
      };
  }
}
