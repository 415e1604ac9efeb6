/** SigV4 timestamps: the ISO 8601 basic format `YYYYMMDDTHHMMSSZ` and S3's time checks. */
import { S3Error } from '../errors.js';

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;

/** Parses `YYYYMMDDTHHMMSSZ`; undefined when malformed or not a real calendar time. */
export function parseAmzDate(value: string): Date | undefined {
  const match = AMZ_DATE.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return formatAmzDate(date) === value ? date : undefined;
}

export function formatAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** The time format S3 uses in error details, e.g. `2013-05-24T00:00:00Z`. */
export function formatServerTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The signing time of a header-authenticated request: `x-amz-date`, else the `Date` header
 * (either format). Returns the raw value too, for error details.
 *
 * @throws S3Error `AccessDenied` when neither header holds a valid time, as S3 does.
 */
export function requestTimeFromHeaders(
  amzDateHeader: string | undefined,
  dateHeader: string | undefined,
): { date: Date; amzDate: string; raw: string } {
  const raw = amzDateHeader ?? dateHeader;
  let date: Date | undefined;
  if (raw !== undefined) {
    date = parseAmzDate(raw.trim());
    if (!date && amzDateHeader === undefined) {
      const millis = Date.parse(raw);
      if (!Number.isNaN(millis)) date = new Date(millis);
    }
  }
  if (!date || raw === undefined) {
    throw new S3Error(
      'AccessDenied',
      'AWS authentication requires a valid Date or x-amz-date header',
    );
  }
  return { date, amzDate: formatAmzDate(date), raw };
}

/** @throws S3Error `RequestTimeTooSkewed` when the request time is too far from `now`. */
export function assertNotSkewed(
  requestTime: Date,
  raw: string,
  now: Date,
  maxSkewMs: number,
): void {
  if (Math.abs(now.getTime() - requestTime.getTime()) <= maxSkewMs) return;
  throw new S3Error('RequestTimeTooSkewed', undefined, {
    RequestTime: raw,
    ServerTime: formatServerTime(now),
    MaxAllowedSkewMilliseconds: String(maxSkewMs),
  });
}
