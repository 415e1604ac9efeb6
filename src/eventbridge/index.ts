export {
  buildS3EventBridgeEvent,
  detailTypeOf,
  isS3EventBridgeEventName,
  type EventBridgeEvent,
  type S3EventBridgeEventName,
  type S3EventBridgeInput,
} from './s3-event.js';
export {
  InvalidEventPatternError,
  matchesEventPattern,
  parseEventPattern,
  type EventPattern,
} from './pattern.js';
export type { EventBus, EventBusDelivery } from './types.js';
