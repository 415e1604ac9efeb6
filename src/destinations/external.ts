import type { Logger } from 'pino';
import type { DestinationAdapter } from '../delivery/types.js';
import { parseDestinationArn } from '../events/index.js';
import type { NatsConfig, SqsConfig } from './config-schema.js';
import { jetstreamAdapter } from './jetstream.js';
import { NatsConnections } from './nats-connections.js';
import { sqsDestination, type SqsDestination } from './sqs.js';

/**
 * Destinations outside Vigil, declared in the config file: NATS JetStream subjects (by
 * name) and SQS queues of other AWS accounts (by ARN). Their adapters live as long as Vigil,
 * holding the NATS connections and SQS clients, which `close` ends.
 */
export interface ExternalDestinations {
  /** The adapter of `nats.destinations[].name`, or undefined when none is declared. */
  jetstream(name: string): DestinationAdapter | undefined;
  /** The adapter of an `sqs.queues[].arn`, or undefined when none is declared. */
  sqs(arn: string): DestinationAdapter | undefined;
  /** Closes connections and clients; call once no delivery is in flight. */
  close(): Promise<void>;
}

export const NO_EXTERNAL_DESTINATIONS: ExternalDestinations = {
  jetstream: () => undefined,
  sqs: () => undefined,
  close: () => Promise.resolve(),
};

/** Builds the adapters of the config file's `nats` and `sqs` sections (no I/O until used). */
export function createExternalDestinations(
  config: { nats: NatsConfig; sqs: SqsConfig },
  logger?: Logger,
): ExternalDestinations {
  const { nats } = config;
  const connections = new NatsConnections(logger);
  const jetstream = new Map<string, DestinationAdapter>();
  for (const destination of nats.destinations) {
    const server = {
      servers: destination.servers ?? nats.servers,
      user: nats.user,
      pass: nats.pass,
      token: nats.token,
      timeoutMs: nats.timeoutMs,
    };
    const settings = { subject: destination.subject, server, stream: destination.stream };
    jetstream.set(destination.name, jetstreamAdapter(settings, connections));
  }
  const queues = new Map<string, SqsDestination>();
  for (const queue of config.sqs.queues) {
    const arn = parseDestinationArn('queue', queue.arn)!;
    queues.set(
      queue.arn,
      sqsDestination({
        arn,
        url: queue.url,
        region: queue.region,
        endpoint: queue.endpoint,
        credentials:
          queue.accessKeyId !== undefined && queue.secretAccessKey !== undefined
            ? {
                accessKeyId: queue.accessKeyId,
                secretAccessKey: queue.secretAccessKey,
                sessionToken: queue.sessionToken,
              }
            : undefined,
        timeoutMs: queue.timeoutMs,
      }),
    );
  }
  return {
    jetstream: (name) => jetstream.get(name),
    sqs: (arn) => queues.get(arn)?.adapter,
    close: async () => {
      for (const queue of queues.values()) queue.close();
      await connections.close();
    },
  };
}
