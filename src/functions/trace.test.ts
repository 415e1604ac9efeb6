import { describe, expect, it } from 'vitest';
import {
  MAX_RECURSIVE_INVOCATIONS,
  exceedsRecursionLimit,
  formatTraceHeader,
  lineageHash,
  nextTraceHeader,
  parseTraceHeader,
  recursionDepth,
} from './trace.js';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const fixed = { now: Date.UTC(2024, 0, 1), randomHex: (n: number) => 'ab'.repeat(n) };

describe('parseTraceHeader', () => {
  it.each([
    [
      'an X-Ray root and sampling decision',
      `Root=${ROOT};Sampled=1`,
      { root: ROOT, sampled: '1', lineage: [] },
    ],
    [
      'a parent segment',
      `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`,
      { root: ROOT, parent: '53995c3f42cd8ad8', sampled: '1', lineage: [] },
    ],
    [
      'a lineage of several functions, as AWS propagates it',
      `Root=${ROOT};Sampled=1;Lineage=a87bd80c:1|68fd508a:5|c512fbe3:2`,
      {
        root: ROOT,
        sampled: '1',
        lineage: [
          { hash: 'a87bd80c', count: 1 },
          { hash: '68fd508a', count: 5 },
          { hash: 'c512fbe3', count: 2 },
        ],
      },
    ],
    [
      'the versioned lineage spelling (1:hash:count) an SQS message attribute carried',
      `Root=1-b5a9daed-357f662c2c285cf280b61d38;Parent=6654c0335342e1d2;Sampled=1;Lineage=1:fe460cdd:0`,
      {
        root: '1-b5a9daed-357f662c2c285cf280b61d38',
        parent: '6654c0335342e1d2',
        sampled: '1',
        lineage: [{ hash: 'fe460cdd', count: 0 }],
      },
    ],
    [
      'spaces, an ALB Self field and malformed lineage entries',
      ` Self=1-67891234-12456789abcdef012345678;Root=${ROOT} ; Lineage=zzzzzzzz:1|a87bd80c:x|a87bd80c:4|a87bd80c:2`,
      { root: ROOT, lineage: [{ hash: 'a87bd80c', count: 4 }] },
    ],
  ])('reads %s', (_, header, expected) => {
    expect(parseTraceHeader(header)).toEqual(expected);
  });

  it.each([
    ['nothing', undefined],
    ['an empty header', ''],
    ['no known field', 'Foo=bar'],
    ['a malformed root alone', 'Root=not-a-root'],
    ['an oversized header', `Root=${ROOT};Lineage=${'a87bd80c:1|'.repeat(500)}`],
  ])('ignores %s', (_, header) => {
    expect(parseTraceHeader(header)).toBeUndefined();
  });
});

describe('nextTraceHeader and recursionDepth', () => {
  it('starts a chain for an event nobody traced', () => {
    const header = nextTraceHeader(undefined, 'resize', fixed);
    expect(header).toBe(
      `Root=1-65920080-${'ab'.repeat(12)};Parent=${'ab'.repeat(8)};Sampled=0;Lineage=${lineageHash('resize')}:1`,
    );
    expect(recursionDepth(header, 'resize')).toBe(1);
    expect(recursionDepth(header, 'other')).toBe(0);
  });

  it('keeps the root and sampling, renews the parent and counts per function', () => {
    const previous = `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:3`;
    const once = nextTraceHeader(previous, 'resize', fixed);
    expect(parseTraceHeader(once)).toEqual({
      root: ROOT,
      parent: 'ab'.repeat(8),
      sampled: '1',
      lineage: [
        { hash: 'a87bd80c', count: 3 },
        { hash: lineageHash('resize'), count: 1 },
      ],
    });
    const twice = nextTraceHeader(once, 'resize', fixed);
    expect(recursionDepth(twice, 'resize')).toBe(2);
    expect(parseTraceHeader(twice)!.lineage[0]).toEqual({ hash: 'a87bd80c', count: 3 });
  });

  it('uses fresh random ids by default', () => {
    const a = parseTraceHeader(nextTraceHeader(undefined, 'f'))!;
    const b = parseTraceHeader(nextTraceHeader(undefined, 'f'))!;
    expect(a.root).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(a.parent).toMatch(/^[0-9a-f]{16}$/);
    expect(a.root).not.toBe(b.root);
  });

  it('allows 16 invocations of a function per chain and stops the 17th', () => {
    let header: string | undefined;
    let runs = 0;
    while (!exceedsRecursionLimit(header, 'loop')) {
      runs += 1;
      header = nextTraceHeader(header, 'loop', fixed);
      if (runs > 100) break;
    }
    expect(MAX_RECURSIVE_INVOCATIONS).toBe(16);
    expect(runs).toBe(16);
    expect(recursionDepth(header, 'loop')).toBe(16);
    expect(exceedsRecursionLimit(header, 'other')).toBe(false);
  });

  it('round-trips through formatTraceHeader', () => {
    const header = `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=0;Lineage=a87bd80c:1|68fd508a:5`;
    expect(formatTraceHeader(parseTraceHeader(header)!)).toBe(header);
  });

  it('hashes function names to 8 hex digits', () => {
    expect(lineageHash('resize')).toMatch(/^[0-9a-f]{8}$/);
    expect(lineageHash('resize')).not.toBe(lineageHash('resize2'));
  });
});
