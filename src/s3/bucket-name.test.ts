import { describe, expect, it } from 'vitest';
import { bucketNameProblem } from './bucket-name.js';

describe('bucketNameProblem', () => {
  it.each(['abc', 'my-bucket', 'my.bucket.name', 'a'.repeat(63), '1bucket', 'bucket-1'])(
    'accepts %s',
    (name) => {
      expect(bucketNameProblem(name)).toBeUndefined();
    },
  );
  it.each([
    ['ab', /between 3 and 63/],
    ['a'.repeat(64), /between 3 and 63/],
    ['MyBucket', /lowercase/],
    ['my_bucket', /lowercase/],
    ['-bucket', /begin and end/],
    ['bucket.', /begin and end/],
    ['my..bucket', /adjacent periods/],
    ['10.0.0.1', /IP address/],
    ['xn--bucket', /prefix xn--/],
    ['sthree-bucket', /prefix sthree-/],
    ['bucket-s3alias', /suffix -s3alias/],
    ['bucket--ol-s3', /suffix --ol-s3/],
  ])('rejects %s', (name, reason) => {
    expect(bucketNameProblem(name)).toMatch(reason);
  });
});
