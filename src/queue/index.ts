/**
 * Vigil's built-in queues: `QueueService` (standard SQS queues in SQLite) and the SQS API
 * routes that serve them to unchanged AWS SDKs and CLIs: AWS JSON 1.0 and the older query
 * protocol (form-encoded requests, XML answers).
 */
export { QueueService, type QueueServiceOptions } from './store.js';
export { createSqsRoute, type SqsRouteOptions } from './sqs-api.js';
export { createSqsQueryRoute } from './sqs-query.js';
export { queueArn, queueNameFromArn, queueUrl, type QueueScope } from './names.js';
export { DEFAULT_SETTINGS } from './attributes.js';
export { md5OfMessageAttributes } from './md5.js';
export * from './types.js';
