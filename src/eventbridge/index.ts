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
export { createEventBridgeRoute, type EventBridgeRouteOptions } from './api.js';
export { ConfigRuleError, declareConfigRules } from './config-rules.js';
export { eventBridgeConfigSchema, type EventBridgeConfig } from './config-schema.js';
export { EventBridgeError, type EventBridgeErrorCode } from './errors.js';
export {
  RuleStore,
  type FailedTarget,
  type RuleInput,
  type RuleStoreOptions,
} from './rule-store.js';
export type { EventRule, RuleState, RuleTarget } from './rule-model.js';
export { vigilTargetCheck, type TargetCheck } from './targets.js';
