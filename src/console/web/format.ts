/** How numbers, times and sizes read in the console: pure functions, tested beside. */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A wait or an age, coarse: `45 s`, `3 min`, `2 h 5 min`, `3 d 4 h`. */
export function formatAge(ms: number): string {
  const value = Math.max(0, ms);
  if (value < MINUTE) return `${Math.floor(value / SECOND)} s`;
  if (value < HOUR) return `${Math.floor(value / MINUTE)} min`;
  if (value < DAY) {
    const hours = Math.floor(value / HOUR);
    const minutes = Math.floor((value % HOUR) / MINUTE);
    return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
  }
  const days = Math.floor(value / DAY);
  const hours = Math.floor((value % DAY) / HOUR);
  return hours === 0 ? `${days} d` : `${days} d ${hours} h`;
}

/** A measured duration, fine: `123 ms`, `1.24 s`, `2 min 5 s`. */
export function formatDuration(ms: number): string {
  const value = Math.max(0, ms);
  if (value < SECOND) return `${Math.round(value)} ms`;
  if (value < 10 * SECOND) return `${(value / SECOND).toFixed(2)} s`;
  if (value < MINUTE) return `${(value / SECOND).toFixed(1)} s`;
  if (value < HOUR) {
    const seconds = Math.floor((value % MINUTE) / SECOND);
    return `${Math.floor(value / MINUTE)} min${seconds === 0 ? '' : ` ${seconds} s`}`;
  }
  return formatAge(value);
}

export function formatOptionalDuration(ms: number | null): string {
  return ms === null ? '—' : formatDuration(ms);
}

/** Rekognition confidences are 0–100: `97.5%`. */
export function formatConfidence(confidence: number): string {
  return `${confidence.toFixed(1)}%`;
}

/** A fraction 0–1 as a percentage: `12.5%`. */
export function formatShare(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
export function formatCount(value: number): string {
  return integer.format(value);
}

/** Per-image prices are fractions of a cent: two significant digits, `$0.001`. */
export function formatUsd(value: number | null): string {
  if (value === null) return '—';
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: 'USD',
    maximumSignificantDigits: 2,
  }).format(value);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
export function formatDateTime(at: number | string): string {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? String(at) : dateTime.format(date);
}

const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
export function formatTime(at: number): string {
  return timeOnly.format(new Date(at));
}

const timeWithMs = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  fractionalSecondDigits: 3,
  hour12: false,
});
/** For timeline steps, where milliseconds matter: `14:03:07.412`. */
export function formatPreciseTime(at: number): string {
  return timeWithMs.format(new Date(at));
}
