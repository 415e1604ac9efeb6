import { describe, expect, it } from 'vitest';
import { formatAge, formatBytes, formatConfidence, formatDuration, formatUsd } from './format.js';
import { parseRetryAfter } from './api.js';

describe('formatAge', () => {
  it.each([
    [0, '0 s'],
    [45_000, '45 s'],
    [3 * 60_000 + 59_000, '3 min'],
    [2 * 3_600_000, '2 h'],
    [2 * 3_600_000 + 5 * 60_000, '2 h 5 min'],
    [3 * 86_400_000 + 4 * 3_600_000, '3 d 4 h'],
    [-5, '0 s'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});

describe('formatDuration', () => {
  it.each([
    [123.4, '123 ms'],
    [1_240, '1.24 s'],
    [12_345, '12.3 s'],
    [125_000, '2 min 5 s'],
    [120_000, '2 min'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('small formats', () => {
  it('reads confidences, sizes and prices', () => {
    expect(formatConfidence(97.4999)).toBe('97.5%');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1_258_291)).toBe('1.2 MB');
    expect(formatUsd(0.001)).toBe('$0.001');
    expect(formatUsd(0.0000213)).toBe('$0.000021');
    expect(formatUsd(null)).toBe('—');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('42')).toBe(42);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
    const now = Date.parse('2026-11-24T10:00:00Z');
    expect(parseRetryAfter('Tue, 24 Nov 2026 10:01:00 GMT', now)).toBe(60);
  });
});
