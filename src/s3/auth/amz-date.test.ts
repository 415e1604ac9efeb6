import { describe, expect, it } from 'vitest';
import { S3Error } from '../errors.js';
import {
  assertNotSkewed,
  formatAmzDate,
  parseAmzDate,
  requestTimeFromHeaders,
} from './amz-date.js';

describe('parseAmzDate', () => {
  it('parses the ISO 8601 basic format', () => {
    expect(parseAmzDate('20130524T000000Z')?.toISOString()).toBe('2013-05-24T00:00:00.000Z');
  });

  it.each(['2013-05-24T00:00:00Z', '20130524T000000', '20130230T000000Z', '20130524T250000Z', ''])(
    'rejects %j',
    (value) => {
      expect(parseAmzDate(value)).toBeUndefined();
    },
  );

  it('round-trips with formatAmzDate', () => {
    expect(formatAmzDate(new Date('2026-01-02T03:04:05.678Z'))).toBe('20260102T030405Z');
  });
});

describe('requestTimeFromHeaders', () => {
  it('prefers x-amz-date and falls back to an HTTP Date header', () => {
    expect(
      requestTimeFromHeaders('20130524T000000Z', 'Sat, 25 May 2013 00:00:00 GMT').amzDate,
    ).toBe('20130524T000000Z');
    expect(requestTimeFromHeaders(undefined, 'Fri, 24 May 2013 00:00:00 GMT').amzDate).toBe(
      '20130524T000000Z',
    );
  });

  it('rejects a missing or invalid date', () => {
    expect(() => requestTimeFromHeaders(undefined, undefined)).toThrow(S3Error);
    expect(() => requestTimeFromHeaders('yesterday', undefined)).toThrow(
      'AWS authentication requires a valid Date or x-amz-date header',
    );
  });
});

describe('assertNotSkewed', () => {
  const signed = new Date('2013-05-24T00:00:00Z');

  it('allows up to the maximum skew either way', () => {
    expect(() =>
      assertNotSkewed(signed, 'raw', new Date('2013-05-24T00:15:00Z'), 900_000),
    ).not.toThrow();
    expect(() =>
      assertNotSkewed(signed, 'raw', new Date('2013-05-23T23:45:00Z'), 900_000),
    ).not.toThrow();
  });

  it('reports S3 details beyond it', () => {
    try {
      assertNotSkewed(signed, '20130524T000000Z', new Date('2013-05-24T00:15:01Z'), 900_000);
      expect.unreachable();
    } catch (error) {
      expect((error as S3Error).code).toBe('RequestTimeTooSkewed');
      expect((error as S3Error).details).toEqual({
        RequestTime: '20130524T000000Z',
        ServerTime: '2013-05-24T00:15:01Z',
        MaxAllowedSkewMilliseconds: '900000',
      });
    }
  });
});
