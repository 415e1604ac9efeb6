import { describe, expect, it } from 'vitest';
import { ipInCidr } from './ip.js';
import { actionMatches, arnMatches, globMatches, LITERAL_STAR } from './match.js';

describe('actionMatches', () => {
  it.each([
    ['s3:*', 's3:GetObject', true],
    ['s3:get*', 's3:GetObject', true],
    ['s3:Get?bject', 's3:GetObject', true],
    ['s3:Get*', 'sqs:GetQueueUrl', false],
    ['*', 'iam:CreateUser', true],
  ])('%s covers %s: %s', (pattern, action, result) => {
    expect(actionMatches(pattern, action)).toBe(result);
  });
});

describe('arnMatches', () => {
  it.each([
    ['*', 'arn:aws:s3:::b/k', true],
    ['arn:aws:s3:::b/*', 'arn:aws:s3:::b/a/b:c', true],
    ['arn:aws:s3:::b/*', 'arn:aws:s3:::b', false],
    ['arn:aws:s3:::b*', 'arn:aws:s3:::bucket/k', true],
    ['arn:aws:s3:::B/*', 'arn:aws:s3:::b/k', false],
    ['arn:aws:s3:*', 'arn:aws:s3:::b/k', true],
    ['arn:aws:*:*:*:*', 'arn:aws:sqs:us-east-1:123456789012:q', true],
    ['arn:aws:sqs:*:123456789012:q', 'arn:aws:sqs:us-east-1:123456789012:q', true],
    ['arn:aws:sqs:*:123456789012:q', 'arn:aws:sqs:us-east-1:999999999999:q', false],
    ['arn:aws:s3:::b/k', '*', false],
    // Regular-expression characters in a pattern are plain text.
    ['arn:aws:s3:::b/(a).[b]+', 'arn:aws:s3:::b/(a).[b]+', true],
  ])('%s covers %s: %s', (pattern, arn, result) => {
    expect(arnMatches(pattern, arn)).toBe(result);
  });
});

describe('globMatches', () => {
  it('reads the literal-star marker as a plain asterisk', () => {
    expect(globMatches(`a${LITERAL_STAR}`, 'a*')).toBe(true);
    expect(globMatches(`a${LITERAL_STAR}`, 'ab')).toBe(false);
  });
});

describe('ipInCidr', () => {
  it.each([
    ['10.1.2.3', '10.0.0.0/8', true],
    ['11.1.2.3', '10.0.0.0/8', false],
    ['::ffff:10.1.2.3', '10.0.0.0/8', true],
    ['2001:db8::1', '2001:db8::/32', true],
    ['2001:db8::1', '2001:db8::1', true],
    ['10.1.2.3', '0.0.0.0/0', true],
    ['10.1.2.3', '10.0.0.0/33', false],
    ['10.1.2.3', 'not-an-ip', false],
    ['garbage', '10.0.0.0/8', false],
    ['10.1.2.3', '2001:db8::/32', false],
  ])('%s in %s: %s', (address, cidr, result) => {
    expect(ipInCidr(address, cidr)).toBe(result);
  });
});
