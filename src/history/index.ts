/**
 * Object history: what happened to each object after the fact — its committed changes
 * (`object_activity`), every settled delivery attempt of its events (`delivery_log`), read
 * back with its events still in the outbox and the function invocations of its events — and
 * the timeline the console shows. Tables in the main database (migration 6), pruned by age.
 */
export { installActivityWriter, type ActivityWriterOptions } from './activity-writer.js';
export { createDeliveryLogWriter } from './delivery-log.js';
export { HistoryStore } from './history-store.js';
export {
  pruneHistory,
  DEFAULT_HISTORY_RETENTION_MS,
  type PruneOptions,
  type PruneResult,
} from './prune.js';
export { buildTimeline } from './timeline.js';
export { eventFacts, type EventFacts } from './event-body.js';
export * from './types.js';
