/**
 * The dead letters of the event source a config's `worker` section names, for `vigil dlq
 * --worker` and the console: `<stream>_DLQ` for JetStream, `deadLetterQueueUrl` for SQS. An
 * AMQP source's are left to RabbitMQ's tools (said, with the queue's name).
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { WorkerSettings } from './config.js';
import { readBrokerMessage } from './event-shapes.js';
import { JetStreamDeadLetters } from './jetstream-dead-letters.js';
import { SqsDeadLetters } from './sqs-dead-letters.js';
import type { DeadLetterStore } from './types.js';

export async function openWorkerDeadLetters(settings: WorkerSettings): Promise<DeadLetterStore> {
  const source = settings.source;
  if (source.type === 'jetstream')
    return JetStreamDeadLetters.open({ servers: source.servers, stream: source.stream });
  if (source.type === 'amqp')
    // Reading a RabbitMQ queue without taking its messages would count a delivery against
    // each one every time (quorum queues' x-delivery-count); RabbitMQ's own tools do it.
    throw new Error(
      `the dead letters of an AMQP source are in the RabbitMQ queue ${source.deadLetterQueue}: list them with RabbitMQ's management UI or rabbitmqadmin, and move them back to ${source.queue} with a shovel (docs/scale-out.md)`,
    );
  const sqs = new SQSClient({
    region: settings.region,
    ...(settings.sqs.endpoint ? { endpoint: settings.sqs.endpoint } : {}),
  });
  const letters = new SqsDeadLetters(sqs, {
    deadLetterQueueUrl: source.deadLetterQueueUrl,
    queueUrl: source.queueUrl,
  });
  return {
    name: letters.name,
    list: (limit) => letters.list(limit),
    redrive: (ids) => letters.redrive(ids),
    close: () => {
      sqs.destroy();
      return Promise.resolve();
    },
  };
}

/** The event and object a dead letter was about, when its body says; else its start. */
export function deadLetterSummary(body: string): string {
  const message = readBrokerMessage(body);
  if (message.kind === 's3-records')
    return message.event.Records.map(
      (r) => `${r.eventName}  s3://${r.s3.bucket.name}/${r.s3.object.key}`,
    ).join(', ');
  const start = body.slice(0, 80).replace(/\s+/g, ' ');
  return `${message.kind === 'test-event' ? 's3:TestEvent' : 'unreadable'}: ${start}${body.length > 80 ? '…' : ''}`;
}
