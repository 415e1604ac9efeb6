export * from './types.js';
export {
  notificationFromXml,
  notificationToXml,
  NotificationXmlError,
} from './notification-xml.js';
