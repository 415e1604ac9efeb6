import type { EventBridgeEvent } from './s3-event.js';

/** One event's delivery to one rule target: the target's ARN and the body it receives. */
export interface EventBusDelivery {
  targetArn: string;
  body: string;
}

/**
 * Vigil's default event bus as the outbox sees it: which rule targets an event reaches.
 * Called inside the change's transaction, so its answer must come from memory or the same
 * database, and must not throw for a well-formed event.
 */
export interface EventBus {
  /** One delivery per target of each enabled rule whose pattern matches `event`. */
  deliveriesFor(event: EventBridgeEvent): EventBusDelivery[];
}
