/** What history needs from an outbox row's message. */
export interface EventFacts {
  /** `s3.object.eTag`; null when the event has none (removals, test events). */
  etag: string | null;
  /** `eventTime` (or a test event's `Time`), epoch ms; null when absent or unreadable. */
  eventTime: number | null;
}

interface MessageShape {
  Records?: { eventTime?: unknown; s3?: { object?: { eTag?: unknown } } }[];
  /** S3's test event. */
  Time?: unknown;
  /** SNS's notification envelope (a topic subscription's row): the S3 message as text. */
  Type?: unknown;
  Message?: unknown;
}

const NOTHING: EventFacts = { etag: null, eventTime: null };

/**
 * Reads the eTag and event time out of an outbox row's body: S3's event message, S3's test
 * event, or either wrapped in SNS's envelope. Never throws — a body it cannot read (only
 * possible if someone wrote one by hand) gives nulls, and history must not fail a delivery.
 *
 * @example
 * eventFacts('{"Records":[{"eventTime":"2024-01-01T00:00:00.000Z","s3":{"object":{"eTag":"abc"}}}]}');
 * // { etag: 'abc', eventTime: 1704067200000 }
 */
export function eventFacts(body: string): EventFacts {
  let message: MessageShape;
  try {
    message = JSON.parse(body) as MessageShape;
  } catch {
    return NOTHING;
  }
  if (typeof message !== 'object' || message === null) return NOTHING;
  if (message.Type === 'Notification' && typeof message.Message === 'string') {
    return eventFacts(message.Message);
  }
  const record = Array.isArray(message.Records) ? message.Records[0] : undefined;
  const etag = record?.s3?.object?.eTag;
  return {
    etag: typeof etag === 'string' ? etag : null,
    eventTime: epochMs(record ? record.eventTime : message.Time),
  };
}

function epochMs(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}
