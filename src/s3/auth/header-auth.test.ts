import { describe, expect, it } from 'vitest';
import { S3Error } from '../errors.js';
import { parseAuthorizationHeader } from './header-auth.js';
import { deriveSigningKey, signaturesMatch } from './signing-key.js';

const FIELDS = {
  credential: 'AKID/20130524/us-east-1/s3/aws4_request',
  signedHeaders: 'host;x-amz-date',
  signature: 'f'.repeat(64),
};

describe('parseAuthorizationHeader', () => {
  it.each([
    `AWS4-HMAC-SHA256 Credential=${FIELDS.credential}, SignedHeaders=host;x-amz-date, Signature=${FIELDS.signature}`,
    `AWS4-HMAC-SHA256 Credential=${FIELDS.credential},SignedHeaders=host;x-amz-date,Signature=${FIELDS.signature}`,
    `  AWS4-HMAC-SHA256   Signature=${FIELDS.signature} ,Credential=${FIELDS.credential},  SignedHeaders=host;x-amz-date  `,
  ])('parses %j', (header) => {
    expect(parseAuthorizationHeader(header)).toEqual(FIELDS);
  });

  it.each([
    ['AWS4-HMAC-SHA256', 'AuthorizationHeaderMalformed'],
    [
      `AWS4-HMAC-SHA256 Credential=${FIELDS.credential}, Signature=abc`,
      'AuthorizationHeaderMalformed',
    ],
    ['AWS4-HMAC-SHA256 garbage', 'AuthorizationHeaderMalformed'],
    ['AWS AKID:c2lnbmF0dXJl', 'InvalidRequest'],
    ['Bearer token', 'InvalidRequest'],
  ])('rejects %j with %s', (header, code) => {
    try {
      parseAuthorizationHeader(header);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(S3Error);
      expect((error as S3Error).code).toBe(code);
    }
  });
});

describe('deriveSigningKey', () => {
  it('matches the AWS General Reference example', () => {
    // "Examples of how to derive a signing key for Signature Version 4".
    const key = deriveSigningKey(
      'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      '20120215',
      'us-east-1',
      'iam',
    );
    expect(key.toString('hex')).toBe(
      'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d',
    );
    expect(
      deriveSigningKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20120215', 'us-east-1', 'iam'),
    ).toBe(key);
  });
});

describe('signaturesMatch', () => {
  it('compares hex signatures of any length safely', () => {
    expect(signaturesMatch('ab'.repeat(32), 'ab'.repeat(32))).toBe(true);
    expect(signaturesMatch('ab'.repeat(32), 'AB'.repeat(32))).toBe(true);
    expect(signaturesMatch('ab'.repeat(32), 'ab')).toBe(false);
    expect(signaturesMatch('ab'.repeat(32), 'ac'.repeat(32))).toBe(false);
  });
});
