import { describe, expect, it } from 'vitest';
import { eventFacts } from './event-body.js';

const s3 = JSON.stringify({
  Records: [{ eventTime: '2024-01-01T00:00:00.000Z', s3: { object: { key: 'k', eTag: 'abc' } } }],
});

describe('eventFacts', () => {
  it.each([
    ['an S3 event message', s3, { etag: 'abc', eventTime: 1704067200000 }],
    [
      'a removal (no eTag)',
      JSON.stringify({ Records: [{ eventTime: '2024-01-01T00:00:00.000Z', s3: { object: {} } }] }),
      { etag: null, eventTime: 1704067200000 },
    ],
    [
      "SNS's envelope around it",
      JSON.stringify({ Type: 'Notification', Message: s3, Timestamp: '2025-01-01T00:00:00Z' }),
      { etag: 'abc', eventTime: 1704067200000 },
    ],
    [
      "S3's test event",
      JSON.stringify({
        Service: 'Amazon S3',
        Event: 's3:TestEvent',
        Time: '2024-01-01T00:00:00.000Z',
      }),
      { etag: null, eventTime: 1704067200000 },
    ],
    [
      'an unreadable time',
      JSON.stringify({ Records: [{ eventTime: 'soon' }] }),
      { etag: null, eventTime: null },
    ],
    ['not JSON', 'x', { etag: null, eventTime: null }],
    ['JSON null', 'null', { etag: null, eventTime: null }],
    ['an empty Records', '{"Records":[]}', { etag: null, eventTime: null }],
  ])('reads %s', (_name, body, facts) => {
    expect(eventFacts(body)).toEqual(facts);
  });
});
