/**
 * The config file's `nats` and `sqs` sections: destinations outside Vigil (scale-out mode),
 * declared by name (NATS JetStream subjects, `arn:vigil:nats:<region>:<account>:<name>`) or
 * by ARN (SQS queues of another AWS account).
 */
import { z } from 'zod';
import { parseDestinationArn } from '../events/index.js';
import { subjectMatches } from './nats-subjects.js';

/** Names of NATS destinations: the rules of Vigil's other destination names. */
const destinationName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,80}$/, 'expected 1-80 letters, digits, hyphens or underscores');

const natsServer = z
  .string()
  .regex(
    /^(?:(?:nats|tls):\/\/)?[^\s/]+$/,
    'expected a NATS server URL such as nats://127.0.0.1:4222',
  );

/** A subject a message is published to: dot-separated tokens, no wildcards. */
const publishSubject = z
  .string()
  .max(255)
  .regex(
    /^[^\s.*>]+(?:\.[^\s.*>]+)*$/,
    'expected a NATS subject without wildcards, such as vigil.events',
  );

/** A stream's subject filter: tokens, `*` for one token, a final `>` for the rest. */
const subjectFilter = z
  .string()
  .max(255)
  .regex(
    /^(?:[^\s.*>]+|\*)(?:\.(?:[^\s.*>]+|\*))*(?:\.>)?$|^>$/,
    'expected a NATS subject filter such as vigil.events.>',
  );

const streamSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1-64 letters, digits, hyphens or underscores'),
    /**
     * Create the stream when it is missing (an existing stream is never changed). Either
     * way, publishes expect this stream: one captured by another stream is dead-lettered.
     */
    create: z.boolean().default(true),
    /** Subjects of a created stream; default: the destination's subject. */
    subjects: z.array(subjectFilter).min(1).optional(),
    /** Messages older than this are removed; unset or 0: kept until other limits apply. */
    maxAgeSeconds: z.number().min(0).optional(),
    /** How long JetStream remembers a Nats-Msg-Id to drop a redelivery; its default is 2 min. */
    duplicateWindowSeconds: z.number().min(1).default(120),
    storage: z.enum(['file', 'memory']).default('file'),
    replicas: z.number().int().min(1).max(5).default(1),
  })
  .strict()
  .refine((s) => !s.maxAgeSeconds || s.duplicateWindowSeconds <= s.maxAgeSeconds, {
    message: 'duplicateWindowSeconds cannot be longer than maxAgeSeconds',
    path: ['duplicateWindowSeconds'],
  });

const natsDestinationSchema = z
  .object({
    name: destinationName,
    subject: publishSubject,
    /** Another NATS system for this destination; default: `nats.servers`. */
    servers: z.array(natsServer).min(1).optional(),
    stream: streamSchema.optional(),
  })
  .strict()
  .refine(
    (d) => !d.stream?.subjects || d.stream.subjects.some((f) => subjectMatches(f, d.subject)),
    {
      message: "the stream's subjects do not include the destination's subject",
      path: ['stream', 'subjects'],
    },
  );

export const natsConfigSchema = z
  .object({
    servers: z.array(natsServer).min(1).default(['nats://127.0.0.1:4222']),
    user: z.string().min(1).optional(),
    pass: z.string().min(1).optional(),
    token: z.string().min(1).optional(),
    /** Longest wait for a connection, and for JetStream's PubAck of one event. */
    timeoutMs: z.number().int().min(100).max(120_000).default(5000),
    destinations: z.array(natsDestinationSchema).default([]),
  })
  .strict()
  .refine((n) => new Set(n.destinations.map((d) => d.name)).size === n.destinations.length, {
    message: 'destination names must be unique',
    path: ['destinations'],
  });

const sqsQueueSchema = z
  .object({
    /** `arn:aws:sqs:<region>:<account>:<name>` of an account other than Vigil's `accountId`. */
    arn: z
      .string()
      .refine(
        (arn) => parseDestinationArn('queue', arn)?.service === 'sqs',
        'expected an SQS queue ARN such as arn:aws:sqs:us-east-1:111122223333:events',
      ),
    /** Default: `<endpoint>/<account>/<name>`, or AWS's URL of the queue. */
    url: z.url({ protocol: /^https?$/ }).optional(),
    /** Default: the ARN's region. */
    region: z.string().min(1).optional(),
    /** Another SQS endpoint (LocalStack, a second Vigil); default: AWS's, from the region. */
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    /** Default: the AWS SDK's default credential chain (environment, profile, role). */
    accessKeyId: z.string().min(3).max(128).optional(),
    secretAccessKey: z.string().min(8).max(256).optional(),
    sessionToken: z.string().min(1).optional(),
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  })
  .strict()
  .refine((q) => (q.accessKeyId === undefined) === (q.secretAccessKey === undefined), {
    message: 'set both accessKeyId and secretAccessKey, or neither (the default credential chain)',
    path: ['accessKeyId'],
  });

export const sqsConfigSchema = z
  .object({ queues: z.array(sqsQueueSchema).default([]) })
  .strict()
  .refine((s) => new Set(s.queues.map((q) => q.arn)).size === s.queues.length, {
    message: 'queue ARNs must be unique',
    path: ['queues'],
  });

export type NatsConfig = z.infer<typeof natsConfigSchema>;
export type NatsDestinationConfig = NatsConfig['destinations'][number];
export type SqsConfig = z.infer<typeof sqsConfigSchema>;
export type SqsQueueConfig = SqsConfig['queues'][number];
