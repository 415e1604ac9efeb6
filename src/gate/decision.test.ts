import { describe, expect, it } from 'vitest';
import { gateDecision, parsePublicPath, type GateDecision } from './decision.js';

const tag = (Key: string, Value: string) => ({ Key, Value });

describe('gateDecision', () => {
  // name, tags, open mode, closed mode not cleared, closed mode cleared
  const rows: [
    string,
    { Key: string; Value: string }[],
    GateDecision,
    GateDecision,
    GateDecision,
  ][] = [
    ['untagged', [], 'serve', 'pending', 'serve'],
    ['other tags only', [tag('owner', 'alice')], 'serve', 'pending', 'serve'],
    ['blocked', [tag('BlockedContent', 'true')], 'blocked', 'blocked', 'blocked'],
    ['blocked, upper case', [tag('BlockedContent', 'TRUE')], 'blocked', 'blocked', 'blocked'],
    ['block tag false', [tag('BlockedContent', 'false')], 'serve', 'pending', 'serve'],
    ['block tag key in other case', [tag('blockedcontent', 'true')], 'serve', 'pending', 'serve'],
    // An uploader can set ScanStatus=clean itself: it clears nothing.
    ['tagged clean', [tag('ScanStatus', 'clean')], 'serve', 'pending', 'serve'],
    [
      'tagged clean but blocked',
      [tag('ScanStatus', 'clean'), tag('BlockedContent', 'true')],
      'blocked',
      'blocked',
      'blocked',
    ],
    // Could not be judged: never served, whatever the mode or a record says.
    ['failed', [tag('ScanStatus', 'failed')], 'failed', 'failed', 'failed'],
    ['pending', [tag('ScanStatus', 'pending')], 'serve', 'pending', 'serve'],
  ];
  it.each(rows)('%s', (_name, tags, open, closed, closedCleared) => {
    expect(gateDecision(tags, 'open', false)).toBe(open);
    expect(gateDecision(tags, 'open', true)).toBe(open);
    expect(gateDecision(tags, 'closed', false)).toBe(closed);
    expect(gateDecision(tags, 'closed', true)).toBe(closedCleared);
  });
});

describe('parsePublicPath', () => {
  it.each([
    ['/_vigil/public/b/k.jpg', { bucket: 'b', key: 'k.jpg' }],
    ['/_vigil/public/b/a/b/c.jpg?x=1', { bucket: 'b', key: 'a/b/c.jpg' }],
    ['/_vigil/public/b/a%20b%2Fc%25', { bucket: 'b', key: 'a b/c%' }],
    ['/_vigil/public/b/a+b', { bucket: 'b', key: 'a+b' }],
    ['/_vigil/public/b//lead', { bucket: 'b', key: '/lead' }],
    ['/_vigil/public/b/%2E%2E%2Fx', { bucket: 'b', key: '../x' }],
  ])('%s', (url, expected) => {
    expect(parsePublicPath(url)).toEqual(expected);
  });

  it.each([
    '/_vigil/public/',
    '/_vigil/public/b',
    '/_vigil/public/b/',
    '/_vigil/public//k',
    '/_vigil/public/b/%E0%A4%A',
    '/_vigil/public/b/%ZZ',
    '/_vigil/publicb/k',
    '/b/k',
  ])('rejects %s', (url) => {
    expect(parsePublicPath(url)).toBeUndefined();
  });
});
