import { describe, expect, it } from 'vitest';
import { resolveAddress } from './addressing.js';
import { S3Error } from './errors.js';

const domains = ['localhost', 's3.example.test'];

describe('resolveAddress', () => {
  it.each([
    ['/', 'localhost:9000', undefined, undefined],
    ['/bucket', 'localhost:9000', 'bucket', undefined],
    ['/bucket/', 'localhost:9000', 'bucket', undefined],
    ['/bucket/a/b.jpg?tagging', '127.0.0.1:9000', 'bucket', 'a/b.jpg'],
    ['/bucket/a%20b+c%2Bd', 'localhost', 'bucket', 'a b+c+d'],
    ['/bucket/%F0%9F%98%80/..//x', 'localhost', 'bucket', '😀/..//x'],
    ['/photos/cat.jpg', 'photos.localhost:9000', 'photos', 'photos/cat.jpg'],
    ['/cat.jpg', 'photos.localhost:9000', 'photos', 'cat.jpg'],
    ['/', 'my.bucket.s3.example.test', 'my.bucket', undefined],
    ['/k', 'other.host:9000', 'k', undefined],
  ])('%s on %s → bucket %s, key %s', (url, host, bucket, key) => {
    expect(resolveAddress(url, host, domains)).toEqual({ bucket, key });
  });

  it('refuses undecodable paths with InvalidURI', () => {
    expect(() => resolveAddress('/bucket/%E0%A4%A', 'localhost', domains)).toThrow(S3Error);
  });
});
