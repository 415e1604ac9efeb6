export * from './types.js';
export {
  notificationFromXml,
  notificationToXml,
  NotificationXmlError,
} from './notification-xml.js';
export {
  eventNameMatches,
  isKnownEventName,
  KNOWN_EVENT_NAMES,
  keyMatchesFilter,
  matchingDestinations,
  type KnownEventName,
} from './matching.js';
export {
  ARN_ELEMENT,
  destinationProblemsError,
  MAX_NOTIFICATION_CONFIGURATIONS,
  missingDestinationReason,
  parseDestinationArn,
  validateNotificationConfiguration,
  type DestinationArn,
  type DestinationProblem,
} from './notification-config.js';
export * from './message.js';
export * from './sns-envelope.js';
