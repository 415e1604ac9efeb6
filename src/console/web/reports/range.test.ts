import { describe, expect, it } from 'vitest';
import { lastSevenDays, localDate, rangeToIso } from './range.js';

describe('report range', () => {
  it('defaults to the last 7 days, today included', () => {
    expect(lastSevenDays(new Date(2026, 10, 24, 15, 30))).toEqual({
      from: '2026-11-18',
      to: '2026-11-24',
    });
    expect(lastSevenDays(new Date(2026, 2, 3))).toEqual({ from: '2026-02-25', to: '2026-03-03' });
  });

  it('sends whole local days', () => {
    expect(rangeToIso({ from: '2026-11-18', to: '2026-11-24' })).toEqual({
      from: new Date(2026, 10, 18).toISOString(),
      to: new Date(2026, 10, 25).toISOString(),
    });
    expect(rangeToIso({ from: '2026-11-24', to: '2026-11-24' })).not.toBeNull();
  });

  it('refuses an empty or reversed range', () => {
    expect(rangeToIso({ from: '2026-11-25', to: '2026-11-24' })).toBeNull();
    expect(rangeToIso({ from: '', to: '2026-11-24' })).toBeNull();
  });

  it('writes local dates', () => {
    expect(localDate(new Date(2026, 0, 5))).toBe('2026-01-05');
  });
});
