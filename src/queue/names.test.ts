import { describe, expect, it } from 'vitest';
import {
  assertQueueName,
  queueArn,
  queueNameFromArn,
  queueNameFromUrl,
  queueUrl,
} from './names.js';
import { decodeReceipt, encodeReceipt, newReceiptToken } from './receipt.js';
import type { QueueError } from './types.js';

const scope = { region: 'eu-west-1', accountId: '123456789012' };

describe('queue names, ARNs and URLs', () => {
  it('builds and reads back ARNs of its own scope only', () => {
    expect(queueArn(scope, 'jobs')).toBe('arn:aws:sqs:eu-west-1:123456789012:jobs');
    expect(queueNameFromArn(scope, 'arn:aws:sqs:eu-west-1:123456789012:jobs')).toBe('jobs');
    expect(queueNameFromArn(scope, 'arn:aws:sqs:us-east-1:123456789012:jobs')).toBeUndefined();
    expect(queueNameFromArn(scope, 'arn:aws:sqs:eu-west-1:999999999999:jobs')).toBeUndefined();
    expect(queueNameFromArn(scope, 'arn:aws:sqs:eu-west-1:123456789012:a:b')).toBeUndefined();
    expect(queueNameFromArn(scope, 'dummy')).toBeUndefined();
  });

  it('builds queue URLs on the client’s host and reads the name back from any host', () => {
    const url = queueUrl('localhost:9000', '123456789012', 'jobs');
    expect(url).toBe('http://localhost:9000/123456789012/jobs');
    expect(queueNameFromUrl(url, '123456789012')).toBe('jobs');
    expect(queueNameFromUrl('https://vigil.example/123456789012/jobs/', '123456789012')).toBe(
      'jobs',
    );
  });

  it.each([
    ['not a url', 'InvalidAddress'],
    ['http://localhost:9000/', 'InvalidAddress'],
    ['http://localhost:9000/jobs', 'InvalidAddress'],
    ['http://localhost:9000/123456789012/jobs/extra', 'InvalidAddress'],
    ['http://localhost:9000/000000000000/jobs', 'QueueDoesNotExist'],
  ])('refuses the queue URL %j with %s', (url, code) => {
    expect(() => queueNameFromUrl(url, '123456789012')).toThrow(
      expect.objectContaining({ code }) as QueueError,
    );
  });

  it('refuses .fifo names as the unsupported FIFO attribute', () => {
    expect(() => assertQueueName('orders.fifo')).toThrow(
      expect.objectContaining({ code: 'InvalidAttributeName' }) as QueueError,
    );
  });
});

describe('receipt handles', () => {
  it('round-trips and rejects anything else', () => {
    const receipt = { queue: 'jobs', seq: 42, token: newReceiptToken() };
    const handle = encodeReceipt(receipt);
    expect(decodeReceipt(handle)).toEqual(receipt);
    expect(newReceiptToken()).not.toBe(receipt.token);
    for (const bad of [
      '',
      'garbage',
      handle.slice(0, -2),
      `${handle}!`,
      Buffer.from('v1 jobs 0 x').toString('base64url'),
    ]) {
      expect(decodeReceipt(bad)).toBeUndefined();
    }
  });
});
