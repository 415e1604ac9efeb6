import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';

const load = (values: Record<string, unknown>) =>
  loadConfig({}, {}, { path: 'vigil.json', values });

describe('the nats and sqs config sections', () => {
  it('defaults to no destinations on the local NATS', () => {
    const config = load({});
    expect(config.nats).toEqual({
      servers: ['nats://127.0.0.1:4222'],
      timeoutMs: 5000,
      destinations: [],
    });
    expect(config.sqs).toEqual({ queues: [] });
  });

  it('fills in a declared stream', () => {
    const config = load({
      nats: { destinations: [{ name: 'w', subject: 'vigil.events', stream: { name: 'EV' } }] },
    });
    expect(config.nats.destinations[0]!.stream).toEqual({
      name: 'EV',
      create: true,
      duplicateWindowSeconds: 120,
      storage: 'file',
      replicas: 1,
    });
  });

  it.each([
    [
      { nats: { destinations: [{ name: 'w', subject: 'vigil.*' }] } },
      'Invalid nats.destinations[0].subject (from config file vigil.json): expected a NATS subject without wildcards, such as vigil.events',
    ],
    [
      {
        nats: {
          destinations: [
            { name: 'w', subject: 'vigil.events', stream: { name: 'EV', subjects: ['other.>'] } },
          ],
        },
      },
      "Invalid nats.destinations[0].stream.subjects (from config file vigil.json): the stream's subjects do not include the destination's subject",
    ],
    [
      {
        nats: {
          destinations: [
            { name: 'w', subject: 'a' },
            { name: 'w', subject: 'b' },
          ],
        },
      },
      'Invalid nats.destinations (from config file vigil.json): destination names must be unique',
    ],
    [
      {
        nats: {
          destinations: [
            {
              name: 'w',
              subject: 'a',
              stream: { name: 'S', maxAgeSeconds: 60, duplicateWindowSeconds: 120 },
            },
          ],
        },
      },
      'Invalid nats.destinations[0].stream.duplicateWindowSeconds (from config file vigil.json): duplicateWindowSeconds cannot be longer than maxAgeSeconds',
    ],
    [
      { nats: { servers: ['http://nats:4222'] } },
      'Invalid nats.servers[0] (from config file vigil.json): expected a NATS server URL such as nats://127.0.0.1:4222',
    ],
    [
      { sqs: { queues: [{ arn: 'arn:aws:sns:us-east-1:111122223333:topic' }] } },
      'Invalid sqs.queues[0].arn (from config file vigil.json): expected an SQS queue ARN such as arn:aws:sqs:us-east-1:111122223333:events',
    ],
    [
      { sqs: { queues: [{ arn: 'arn:aws:sqs:us-east-1:111122223333:q', accessKeyId: 'AKID' }] } },
      'Invalid sqs.queues[0].accessKeyId (from config file vigil.json): set both accessKeyId and secretAccessKey, or neither (the default credential chain)',
    ],
    [
      {
        accountId: '111122223333',
        sqs: { queues: [{ arn: 'arn:aws:sqs:us-east-1:111122223333:q' }] },
      },
      "Invalid sqs.queues[0].arn (from config file vigil.json): account 111122223333 is Vigil's own (accountId): its queues are Vigil's built-in queues; declare them in queues instead",
    ],
  ])('refuses %j', (values, message) => {
    expect(() => load(values)).toThrow(message);
  });
});
