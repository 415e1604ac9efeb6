import { describe, expect, it } from 'vitest';
import { resolveRange } from './range.js';

describe('resolveRange', () => {
  it.each([
    [undefined, 10, { kind: 'full' }],
    ['bytes=0-0', 10, { kind: 'partial', start: 0, end: 0 }],
    ['bytes=2-5', 10, { kind: 'partial', start: 2, end: 5 }],
    ['bytes=7-', 10, { kind: 'partial', start: 7, end: 9 }],
    ['bytes=-3', 10, { kind: 'partial', start: 7, end: 9 }],
    ['bytes=-30', 10, { kind: 'partial', start: 0, end: 9 }],
    ['bytes=8-100', 10, { kind: 'partial', start: 8, end: 9 }],
    ['bytes=10-', 10, { kind: 'unsatisfiable' }],
    ['bytes=10-20', 10, { kind: 'unsatisfiable' }],
    ['bytes=-0', 10, { kind: 'unsatisfiable' }],
    ['bytes=0-', 0, { kind: 'unsatisfiable' }],
    ['bytes=5-2', 10, { kind: 'full' }],
    ['bytes=0-1,4-5', 10, { kind: 'full' }],
    ['items=0-1', 10, { kind: 'full' }],
    ['bytes=abc', 10, { kind: 'full' }],
  ] as const)('%s of %i bytes → %o', (header, size, expected) => {
    expect(resolveRange(header, size)).toEqual(expected);
  });
});
