import { describe, expect, it } from 'vitest';
import { gateDecision, parsePublicPath, type GateDecision } from './decision.js';

const tag = (Key: string, Value: string) => ({ Key, Value });

describe('gateDecision', () => {
  const rows: [string, { Key: string; Value: string }[], GateDecision, GateDecision][] = [
    // name, tags, open mode, closed mode
    ['untagged', [], 'serve', 'pending'],
    ['other tags only', [tag('owner', 'alice')], 'serve', 'pending'],
    ['blocked', [tag('BlockedContent', 'true')], 'blocked', 'blocked'],
    ['blocked, upper case', [tag('BlockedContent', 'TRUE')], 'blocked', 'blocked'],
    ['block tag false', [tag('BlockedContent', 'false')], 'serve', 'pending'],
    ['block tag key in other case', [tag('blockedcontent', 'true')], 'serve', 'pending'],
    ['clean', [tag('ScanStatus', 'clean')], 'serve', 'serve'],
    [
      'clean but blocked',
      [tag('ScanStatus', 'clean'), tag('BlockedContent', 'true')],
      'blocked',
      'blocked',
    ],
    [
      'clean, block tag false',
      [tag('ScanStatus', 'clean'), tag('BlockedContent', 'false')],
      'serve',
      'serve',
    ],
    ['failed', [tag('ScanStatus', 'failed')], 'serve', 'failed'],
    ['pending', [tag('ScanStatus', 'pending')], 'serve', 'pending'],
    ['status in other case', [tag('ScanStatus', 'CLEAN')], 'serve', 'pending'],
  ];
  it.each(rows)('%s', (_name, tags, open, closed) => {
    expect(gateDecision(tags, 'open')).toBe(open);
    expect(gateDecision(tags, 'closed')).toBe(closed);
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
