/**
 * The `worker` section of the config file: where `vigil worker` takes events from and where
 * it reaches objects and the review queue. Everything else — `moderation`, `pipeline`,
 * `reporting` — is the same section `vigil serve` reads.
 */
import { z } from 'zod';

const streamName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1-64 letters, digits, hyphens or underscores');

const jetStreamSchema = z
  .object({
    type: z.literal('jetstream'),
    servers: z.array(z.string().min(1)).min(1).default(['nats://127.0.0.1:4222']),
    /** The stream events are published to (created for `subjects` when missing). */
    stream: streamName.default('vigil-events'),
    subjects: z.array(z.string().min(1)).min(1).default(['vigil.events.>']),
    /** The durable consumer all workers share. */
    durable: streamName.default('vigil-workers'),
    /** Seconds a message stays with a worker without a sign of life before redelivery. */
    ackWaitSeconds: z.number().min(1).max(3600).default(30),
    /** Attempts before a message is dead-lettered. */
    maxDeliver: z.number().int().min(1).max(100).default(5),
    /** Subject of the dead letters (in a stream `<stream>_DLQ`). */
    deadLetterSubject: z.string().min(1).default('vigil.dead-letters'),
  })
  .strict();

const sqsSourceSchema = z
  .object({
    type: z.literal('sqs'),
    /** The queue the store's events arrive in (Amazon SQS, or a Vigil queue's URL). */
    queueUrl: z.url(),
    /** Seconds a received message stays with a worker without an extension (1-43,200). */
    visibilitySeconds: z.number().int().min(1).max(43_200).default(30),
    /** Receives of one message before it is dead-lettered. */
    maxReceives: z.number().int().min(1).max(1000).default(5),
    /** Where dead letters go, with the reason in the `VigilDeadLetterReason` attribute. */
    deadLetterQueueUrl: z.url(),
  })
  .strict();

const amqpSourceSchema = z
  .object({
    type: z.literal('amqp'),
    /** `amqp://user:password@host:5672/vhost` (`amqps://` for TLS). */
    url: z.string().regex(/^amqps?:\/\//, 'expected an amqp:// or amqps:// URL'),
    /** The exchange the store publishes to (MinIO's `exchange`, Ceph's `amqp-exchange`). */
    exchange: z.string().min(1).max(255).optional(),
    /** Its type when Vigil declares it (it does only when the exchange is missing). */
    exchangeType: z.enum(['topic', 'direct', 'fanout', 'headers']).default('topic'),
    /** Routing keys the queue is bound with. */
    bindingKeys: z.array(z.string()).min(1).default(['#']),
    /** The quorum queue every worker consumes. */
    queue: z.string().min(1).max(200).default('vigil-events'),
    /** Where dead letters go, with the reason in the `Vigil-Dead-Letter-Reason` header. */
    deadLetterQueue: z.string().min(1).max(255).default('vigil-events.dead'),
    /** Deliveries of one message before it is dead-lettered (below RabbitMQ 4's limit of 20). */
    maxDeliveries: z.number().int().min(1).max(19).default(5),
    /** The broker's consumer_timeout: how long a delivery may stay unacknowledged. */
    consumerTimeoutSeconds: z.number().int().min(1).max(604_800).default(1800),
  })
  .strict();

export const workerSchema = z
  .object({
    source: z
      .discriminatedUnion('type', [jetStreamSchema, sqsSourceSchema, amqpSourceSchema])
      .default(jetStreamSchema.parse({ type: 'jetstream' })),
    /** The S3 endpoint objects are read and tagged on (Vigil, MinIO, Ceph RGW; AWS when unset). */
    s3: z
      .object({
        endpoint: z.url().optional(),
        /** Path-style addressing (`endpoint/bucket/key`): what most self-hosted stores want. */
        forcePathStyle: z.boolean().default(true),
      })
      .strict()
      .default({ forcePathStyle: true }),
    /** The SQS endpoint of the review queue and of an `sqs` source; AWS when unset. */
    sqs: z.object({ endpoint: z.url().optional() }).strict().default({}),
    region: z.string().min(1).default('us-east-1'),
    /** Run moderate-image on every ObjectCreated record (off: only the functions below run). */
    moderate: z.boolean().default(true),
    /**
     * Names of entries in `functions` to invoke with every event message, after
     * moderate-image: Lambda-style handlers (docs/functions.md) run in this worker's threads.
     */
    functions: z.array(z.string().min(1)).default([]),
    /** Messages judged at once. */
    concurrency: z.number().int().min(1).max(256).default(4),
    /** Health (`/_vigil/health`) and metrics (`/_vigil/metrics`) on this port. */
    healthPort: z.number().int().min(0).max(65_535).default(9100),
    healthHost: z.string().min(1).default('127.0.0.1'),
    /** First retry delay and its cap, in seconds. */
    retryBaseSeconds: z.number().min(0.01).max(3600).default(1),
    retryMaxSeconds: z.number().min(0.01).max(3600).default(60),
    /** Seconds SIGTERM waits for work in hand before releasing it to other workers. */
    drainSeconds: z.number().min(0).max(3600).default(30),
  })
  .strict();

export type WorkerSettings = z.infer<typeof workerSchema>;
