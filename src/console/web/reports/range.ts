/** The report's date range: whole local days, as the date inputs show them. */

export interface DayRange {
  /** `YYYY-MM-DD`, local, inclusive. */
  from: string;
  to: string;
}

const pad = (value: number) => String(value).padStart(2, '0');

export function localDate(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The last 7 days, today included. */
export function lastSevenDays(today = new Date()): DayRange {
  const from = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 6);
  return { from: localDate(from), to: localDate(today) };
}

function parseLocalDate(text: string, dayOffset = 0): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return null;
  const [, year, month, day] = match.map(Number) as [number, number, number, number];
  const date = new Date(year, month - 1, day + dayOffset);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The API's `from`/`to`: from the first day's midnight to the midnight after the last day. */
export function rangeToIso(range: DayRange): { from: string; to: string } | null {
  const start = parseLocalDate(range.from);
  const end = parseLocalDate(range.to, 1);
  if (start === null || end === null || end <= start) return null;
  return { from: start.toISOString(), to: end.toISOString() };
}

const dayLabel = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
});
const hourLabel = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

/** An axis label for a period start. */
export function periodLabel(start: string, granularity: 'hour' | 'day'): string {
  const date = new Date(start);
  return (granularity === 'day' ? dayLabel : hourLabel).format(date);
}
