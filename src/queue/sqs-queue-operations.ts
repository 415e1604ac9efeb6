/** The queue operations of the SQS JSON API: requests in, response members out. */
import { queueNameFromUrl, queueUrl } from './names.js';
import type { Input } from './sqs-input.js';
import type { QueueService } from './store.js';
import { QueueError } from './types.js';

export interface OperationContext {
  queues: QueueService;
  accountId: string;
  /** The Host header the client used: queue URLs are built on it. */
  host: string;
  /** The caller's access key id, reported as the SenderId of what it sends. */
  senderId: string;
  /** Aborted when the client goes away (ends a long poll). */
  signal: AbortSignal;
}

export type Operation = (ctx: OperationContext, input: Input) => Promise<object> | object;

/** The queue a request's `QueueUrl` names. */
export function queueOf(ctx: OperationContext, input: Input): string {
  return queueNameFromUrl(input.string('QueueUrl'), ctx.accountId);
}

export const QUEUE_OPERATIONS: Record<string, Operation> = {
  async CreateQueue(ctx, input) {
    const name = input.string('QueueName');
    if (Object.keys(input.stringMap('tags')).length > 0) {
      throw new QueueError('UnsupportedOperation', 'Vigil does not support queue tags.');
    }
    const { queue } = await ctx.queues.createQueue(name, input.stringMap('Attributes'));
    return { QueueUrl: queueUrl(ctx.host, ctx.accountId, queue.name) };
  },

  GetQueueUrl(ctx, input) {
    const name = input.string('QueueName');
    const owner = input.optionalString('QueueOwnerAWSAccountId');
    if ((owner !== undefined && owner !== ctx.accountId) || !ctx.queues.exists(name)) {
      throw new QueueError('QueueDoesNotExist');
    }
    return { QueueUrl: queueUrl(ctx.host, ctx.accountId, name) };
  },

  ListQueues(ctx, input) {
    const page = ctx.queues.listQueues(input.optionalString('QueueNamePrefix') ?? '', {
      maxResults: input.optionalInteger('MaxResults'),
      nextToken: input.optionalString('NextToken'),
    });
    return {
      ...(page.names.length > 0
        ? { QueueUrls: page.names.map((name) => queueUrl(ctx.host, ctx.accountId, name)) }
        : {}),
      ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}),
    };
  },

  GetQueueAttributes(ctx, input) {
    const attributes = ctx.queues.getAttributes(
      queueOf(ctx, input),
      input.stringList('AttributeNames'),
    );
    return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
  },

  async SetQueueAttributes(ctx, input) {
    const queue = queueOf(ctx, input);
    if (!input.has('Attributes')) {
      throw new QueueError(
        'MissingParameter',
        'The request must contain the parameter Attributes.',
      );
    }
    await ctx.queues.setAttributes(queue, input.stringMap('Attributes'));
    return {};
  },

  async PurgeQueue(ctx, input) {
    await ctx.queues.purge(queueOf(ctx, input));
    return {};
  },

  async DeleteQueue(ctx, input) {
    await ctx.queues.deleteQueue(queueOf(ctx, input));
    return {};
  },
};
