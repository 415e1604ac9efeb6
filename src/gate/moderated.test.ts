import { describe, expect, it } from 'vitest';
import type { DestinationConfiguration } from '../events/index.js';
import { sendsUploadsTo } from './moderated.js';

const lambda = (name: string, events: string[]): DestinationConfiguration => ({
  kind: 'lambda',
  id: 'x',
  arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
  events,
  filterRules: [],
});

describe('sendsUploadsTo', () => {
  it.each<[string, DestinationConfiguration[], boolean]>([
    ['every upload to the function', [lambda('moderate-image', ['s3:ObjectCreated:*'])], true],
    ['PUTs only', [lambda('moderate-image', ['s3:ObjectCreated:Put'])], true],
    [
      'completed multipart uploads only',
      [lambda('moderate-image', ['s3:ObjectCreated:CompleteMultipartUpload'])],
      true,
    ],
    ['deletions only', [lambda('moderate-image', ['s3:ObjectRemoved:*'])], false],
    ['another function', [lambda('thumbnails', ['s3:ObjectCreated:*'])], false],
    [
      'a name that only starts the same',
      [lambda('moderate-image-v2', ['s3:ObjectCreated:*'])],
      false,
    ],
    [
      'a queue',
      [
        {
          kind: 'queue',
          id: 'q',
          arn: 'arn:aws:sqs:us-east-1:000000000000:moderate-image',
          events: ['s3:ObjectCreated:*'],
          filterRules: [],
        },
      ],
      false,
    ],
    ['nothing', [], false],
  ])('%s: %s', (_name, destinations, expected) => {
    expect(sendsUploadsTo({ destinations, eventBridge: false }, 'moderate-image')).toBe(expected);
  });

  it('is false for a bucket without a configuration', () => {
    expect(sendsUploadsTo(undefined, 'moderate-image')).toBe(false);
  });
});
