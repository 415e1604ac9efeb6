import { describe, expect, it } from 'vitest';
import {
  systemMetadataFromHeaders,
  userMetadataFromHeaders,
  userMetadataHeaders,
} from './metadata.js';

describe('user metadata', () => {
  it('recovers raw UTF-8 bytes that Node decoded as Latin-1', () => {
    const raw = Buffer.from('Zoë', 'utf8').toString('latin1');
    expect(userMetadataFromHeaders({ 'x-amz-meta-name': raw })).toEqual({ name: 'Zoë' });
  });
  it('decodes RFC 2047 B and Q encoded-words', () => {
    expect(
      userMetadataFromHeaders({
        'x-amz-meta-b': '=?UTF-8?B?Wm/DqyDwn5qA?=',
        'x-amz-meta-q': '=?UTF-8?Q?Zo=C3=AB_x?=',
      }),
    ).toEqual({
      b: 'Zoë 🚀',
      q: 'Zoë x',
    });
  });
  it('encodes non-ASCII values as RFC 2047 on the way out, ASCII as is', () => {
    expect(userMetadataHeaders({ a: 'plain', b: 'Zoë 🚀' })).toEqual({
      'x-amz-meta-a': 'plain',
      'x-amz-meta-b': '=?UTF-8?B?Wm/DqyDwn5qA?=',
    });
  });
  it('enforces the 2 KB limit with MetadataTooLarge', () => {
    expect(() => userMetadataFromHeaders({ 'x-amz-meta-big': 'x'.repeat(2100) })).toThrow(
      /metadata/i,
    );
  });
});

describe('system metadata', () => {
  it('drops aws-chunked from Content-Encoding and defaults the content type', () => {
    expect(systemMetadataFromHeaders({ 'content-encoding': 'aws-chunked,gzip' })).toEqual({
      contentEncoding: 'gzip',
      contentType: 'binary/octet-stream',
    });
    expect(
      systemMetadataFromHeaders({ 'content-encoding': 'aws-chunked', 'content-type': 'image/png' }),
    ).toEqual({
      contentType: 'image/png',
    });
  });
});
