/**
 * Vigil's built-in queues: `QueueService` (standard SQS queues in SQLite) and the SQS JSON
 * API route that serves them to unchanged AWS SDKs.
 */
export { QueueService, type QueueServiceOptions } from './store.js';
export { createSqsRoute, type SqsRouteOptions } from './sqs-api.js';
export { queueArn, queueNameFromArn, queueUrl, type QueueScope } from './names.js';
export { DEFAULT_SETTINGS } from './attributes.js';
export { md5OfMessageAttributes } from './md5.js';
export * from './types.js';
