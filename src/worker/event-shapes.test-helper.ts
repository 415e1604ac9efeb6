/** Shared by the event-shapes tests: fixtures, the pipeline's view of a message, test keys. */
import { readFileSync } from 'node:fs';
import type { EventOrigin } from '../events/index.js';
import { createdObject, eventRecords } from '../pipeline/event.js';
import type { BrokerMessage } from './event-shapes.js';

export type Json = Record<string, unknown>;

export interface Fixture {
  _source: unknown;
  message?: Json;
  messages?: Json[];
}

export function fixture(name: string): Fixture {
  const url = new URL(`../../test/fixtures/broker-messages/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Fixture;
}

export function messageOf(name: string): Json {
  const { message } = fixture(name);
  if (message === undefined) throw new Error(`fixture ${name} has no message`);
  return structuredClone(message);
}

/** What the pipeline acts on, per record: createdObject's fields, or why it ignores it. */
export type Seen =
  | {
      eventName: string;
      bucket: string;
      key: string;
      etag: string;
      size: number | null;
      versionId?: string;
      sequencer?: string;
    }
  | { ignored: string };

export function throughPipeline(message: BrokerMessage): Seen[] {
  if (message.kind !== 's3-records') throw new Error(`not records: ${JSON.stringify(message)}`);
  return eventRecords(message.event).map((record) => {
    const created = createdObject(record);
    if ('ignored' in created) return { ignored: created.ignored };
    const { eventName, bucket, key, etag, size, versionId, sequencer } = created.event;
    return { eventName, bucket, key, etag, size, versionId, sequencer };
  });
}

export function originOf(message: BrokerMessage): string {
  return message.kind === 'unrecognized' ? `unrecognized: ${message.reason}` : message.origin;
}

/** Keys that differ under every encoding in play: space, +, %, /, =, &, ~, *, quotes, unicode. */
export const KEYS = [
  'photos/red flower.jpg',
  'a+b=c&d.jpg',
  '100% real/50%off.png',
  'ünïcödé/猫 🐈.jpg',
  "~weird (1)*'!.jpg",
];

export const origin: EventOrigin = {
  requestId: '4B1C9E0F2A7D3E55',
  hostId: 'u1sQ6gT0Zc8Qm4yQk2b7yVHn9pV3a0F3xkQ0b0pWcS4yL5v8Qe1m2N7r6t9w0A==',
  principalId: 'AWS:AIDAVIGILREQUESTER',
  sourceIp: '203.0.113.9',
  region: 'eu-west-1',
  time: new Date('2026-03-01T12:34:56.789Z'),
};
