import { describe, expect, it } from 'vitest';
import {
  canonicalQuery,
  canonicalUri,
  parseQuery,
  percentDecode,
  splitRawUrl,
} from './uri-encoding.js';

describe('splitRawUrl', () => {
  it.each([
    ['/b/k?x=1', '/b/k', 'x=1'],
    ['/b/k', '/b/k', ''],
    ['/b/k?', '/b/k', ''],
    ['', '/', ''],
    ['?list-type=2', '/', 'list-type=2'],
    ['http://bucket.host:9000/k?a=b', '/k', 'a=b'],
    ['/a?b=c?d', '/a', 'b=c?d'],
  ])('%j → path %j, query %j', (raw, path, query) => {
    expect(splitRawUrl(raw)).toEqual({ path, query });
  });
});

describe('canonicalUri', () => {
  it.each([
    ['/bucket/key', '/bucket/key'],
    ['/bucket/a%20b', '/bucket/a%20b'],
    ['/bucket/a b', '/bucket/a%20b'],
    ['/bucket/a+b', '/bucket/a%2Bb'],
    ['/bucket/a%2bb', '/bucket/a%2Bb'],
    ["/bucket/!*'()", '/bucket/%21%2A%27%28%29'],
    ['/bucket/a%2Fb', '/bucket/a%2Fb'],
    ['/bucket/%C3%BC', '/bucket/%C3%BC'],
    ['/bucket/ü', '/bucket/%C3%BC'],
    ['/bucket//double/./dot/../x', '/bucket//double/./dot/../x'],
    ['/bucket/100%', '/bucket/100%25'],
    ['/bucket/~_-.', '/bucket/~_-.'],
  ])('%j → %j', (raw, canonical) => {
    expect(canonicalUri(raw)).toBe(canonical);
  });
});

describe('canonicalQuery', () => {
  it('sorts by name then value and encodes strictly, "/" included', () => {
    expect(canonicalQuery('prefix=a/b c&list-type=2&delimiter=%2F')).toBe(
      'delimiter=%2F&list-type=2&prefix=a%2Fb%20c',
    );
    expect(canonicalQuery('a=2&a=1&b')).toBe('a=1&a=2&b=');
  });

  it('keeps "+" as a literal plus', () => {
    expect(canonicalQuery('k=a+b')).toBe('k=a%2Bb');
  });

  it('sorts by encoded bytes (uppercase before lowercase)', () => {
    expect(canonicalQuery('b=1&B=2&_=3&a=4')).toBe('B=2&_=3&a=4&b=1');
  });

  it('can leave out the signature of a presigned URL', () => {
    expect(canonicalQuery('X-Amz-Signature=abc&X-Amz-Date=1', 'X-Amz-Signature')).toBe(
      'X-Amz-Date=1',
    );
  });
});

describe('parseQuery and percentDecode', () => {
  it('decodes names and values', () => {
    expect(parseQuery('X-Amz-Credential=AKID%2F20130524%2Fus-east-1&flag&=v')).toEqual([
      { name: 'X-Amz-Credential', value: 'AKID/20130524/us-east-1' },
      { name: 'flag', value: '' },
      { name: '', value: 'v' },
    ]);
  });

  it('leaves malformed escapes literal', () => {
    expect(percentDecode('%zz%4').toString()).toBe('%zz%4');
    expect(percentDecode('%e2%82%ac€').toString()).toBe('€€');
  });
});
