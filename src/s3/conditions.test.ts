import { describe, expect, it } from 'vitest';
import { evaluateConditions, type ConditionalHeaders } from './conditions.js';

const etag = 'abc123';
const modified = new Date('2026-06-15T12:00:00.500Z');
const before = 'Mon, 15 Jun 2026 11:00:00 GMT';
const same = 'Mon, 15 Jun 2026 12:00:00 GMT';
const after = 'Mon, 15 Jun 2026 13:00:00 GMT';

describe('evaluateConditions', () => {
  it.each<[string, ConditionalHeaders, string]>([
    ['no conditions', {}, 'proceed'],
    ['If-Match equal', { ifMatch: '"abc123"' }, 'proceed'],
    ['If-Match in a list', { ifMatch: '"x", "abc123"' }, 'proceed'],
    ['If-Match *', { ifMatch: '*' }, 'proceed'],
    ['If-Match different', { ifMatch: '"zzz"' }, 'precondition-failed'],
    ['If-None-Match equal', { ifNoneMatch: '"abc123"' }, 'not-modified'],
    ['If-None-Match weak equal', { ifNoneMatch: 'W/"abc123"' }, 'not-modified'],
    ['If-None-Match different', { ifNoneMatch: '"zzz"' }, 'proceed'],
    ['If-Modified-Since before', { ifModifiedSince: before }, 'proceed'],
    ['If-Modified-Since same second', { ifModifiedSince: same }, 'not-modified'],
    ['If-Modified-Since after', { ifModifiedSince: after }, 'not-modified'],
    ['If-Modified-Since unparseable', { ifModifiedSince: 'yesterday' }, 'proceed'],
    ['If-Unmodified-Since before', { ifUnmodifiedSince: before }, 'precondition-failed'],
    ['If-Unmodified-Since same second', { ifUnmodifiedSince: same }, 'proceed'],
    [
      'If-Match true wins over If-Unmodified-Since false',
      { ifMatch: '"abc123"', ifUnmodifiedSince: before },
      'proceed',
    ],
    [
      'If-None-Match false and If-Modified-Since true',
      { ifNoneMatch: '"abc123"', ifModifiedSince: before },
      'not-modified',
    ],
    [
      'If-None-Match true ignores If-Modified-Since',
      { ifNoneMatch: '"zzz"', ifModifiedSince: after },
      'proceed',
    ],
  ])('%s', (_name, headers, expected) => {
    expect(evaluateConditions(headers, etag, modified)).toBe(expected);
  });

  it('turns not-modified into precondition-failed for copy sources', () => {
    expect(evaluateConditions({ ifNoneMatch: '"abc123"' }, etag, modified, 'copy')).toBe(
      'precondition-failed',
    );
  });
});
