import { describe, expect, it } from 'vitest';
import { headerText } from './header-text.js';

/** A header value as Node hands it over: its bytes read as Latin-1. */
const asNodeReads = (bytes: Buffer) => bytes.toString('latin1');

describe('headerText', () => {
  it('reads UTF-8 bytes as the text they spell', () => {
    expect(headerText(asNodeReads(Buffer.from('Zoë 🚀 日本', 'utf8')))).toBe('Zoë 🚀 日本');
  });

  it('keeps bytes that are not UTF-8 as the Latin-1 text they were', () => {
    expect(headerText(asNodeReads(Buffer.from([0x5a, 0x6f, 0xeb])))).toBe('Zoë');
  });

  it('leaves ASCII alone', () => {
    expect(headerText('plain value, 1e5')).toBe('plain value, 1e5');
  });
});
