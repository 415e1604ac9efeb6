import { Event } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  eventNameMatches,
  isKnownEventName,
  KNOWN_EVENT_NAMES,
  keyMatchesFilter,
  matchingDestinations,
} from './matching.js';
import type { DestinationConfiguration, FilterRule, NotificationConfiguration } from './types.js';

describe('eventNameMatches', () => {
  it.each([
    ['s3:ObjectCreated:*', 's3:ObjectCreated:Put', true],
    ['s3:ObjectCreated:*', 's3:ObjectCreated:Post', true],
    ['s3:ObjectCreated:*', 's3:ObjectCreated:Copy', true],
    ['s3:ObjectCreated:*', 's3:ObjectCreated:CompleteMultipartUpload', true],
    ['s3:ObjectCreated:Put', 's3:ObjectCreated:Put', true],
    ['s3:ObjectCreated:Put', 's3:ObjectCreated:Post', false],
    ['s3:ObjectCreated:Put', 's3:ObjectCreated:*', false],
    ['s3:ObjectCreated:*', 's3:ObjectRemoved:Delete', false],
    ['s3:ObjectRemoved:*', 's3:ObjectRemoved:DeleteMarkerCreated', true],
    ['s3:ObjectTagging:*', 's3:ObjectTagging:Delete', true],
    ['s3:LifecycleExpiration:*', 's3:LifecycleExpiration:Delete', true],
    ['s3:LifecycleExpiration:*', 's3:LifecycleTransition', false],
    ['s3:LifecycleTransition', 's3:LifecycleTransition', true],
    ['s3:ObjectRestore:*', 's3:ObjectRestore:Completed', true],
    // The wildcard is a whole last segment, never a string prefix.
    ['s3:ObjectCreated:*', 's3:ObjectCreatedX:Put', false],
    ['s3:ObjectCreated:*', 's3:ObjectCreated:', false],
    // Case matters, as in S3's enum.
    ['s3:objectcreated:*', 's3:ObjectCreated:Put', false],
    ['s3:ObjectCreated:Put', 'ObjectCreated:Put', false],
  ])('%s selects %s: %s', (configured, eventName, expected) => {
    expect(eventNameMatches(configured, eventName)).toBe(expected);
  });
});

describe('keyMatchesFilter', () => {
  const prefix = (value: string): FilterRule => ({ name: 'Prefix', value });
  const suffix = (value: string): FilterRule => ({ name: 'Suffix', value });
  it.each<[string, FilterRule[], string, boolean]>([
    ['no rules', [], 'anything/at/all', true],
    ['no rules, empty key', [], '', true],
    ['prefix', [prefix('images/')], 'images/cat.jpg', true],
    ['prefix miss', [prefix('images/')], 'logs/cat.jpg', false],
    ['prefix is case-sensitive', [prefix('images/')], 'Images/cat.jpg', false],
    ['suffix', [suffix('.jpg')], 'images/cat.jpg', true],
    ['suffix is case-sensitive', [suffix('.jpg')], 'images/cat.JPG', false],
    ['suffix .png vs .jpg', [suffix('.png')], 'images/cat.jpg', false],
    ['prefix and suffix', [prefix('images/'), suffix('jpg')], 'images/cat.jpg', true],
    ['prefix and suffix, suffix misses', [prefix('images/'), suffix('jpg')], 'images/a.png', false],
    ['prefix and suffix, prefix misses', [prefix('images/'), suffix('jpg')], 'logs/a.jpg', false],
    ['empty prefix matches all', [prefix('')], 'x', true],
    ['empty suffix matches all', [suffix('')], 'x', true],
    ['key equal to prefix', [prefix('a/')], 'a/', true],
    ['numeric-looking value stays text', [prefix('007')], '007/x', true],
    ['numeric-looking value is not a number', [prefix('007')], '7/x', false],
    ['lowercase rule names too', [{ name: 'suffix', value: '.gz' }], 'a.gz', true],
  ])('%s', (_label, rules, key, expected) => {
    expect(keyMatchesFilter(rules, key)).toBe(expected);
  });
});

describe('matchingDestinations', () => {
  const destination = (
    id: string,
    events: string[],
    filterRules: FilterRule[] = [],
  ): DestinationConfiguration => ({
    kind: 'queue',
    id,
    arn: `arn:aws:sqs:us-east-1:000000000000:${id}`,
    events,
    filterRules,
  });
  const config: NotificationConfiguration = {
    eventBridge: false,
    destinations: [
      destination('jpg', ['s3:ObjectCreated:*'], [{ name: 'Suffix', value: '.jpg' }]),
      destination('png', ['s3:ObjectCreated:Put'], [{ name: 'Suffix', value: '.png' }]),
      destination('removed', ['s3:ObjectRemoved:*', 's3:ObjectTagging:Put']),
    ],
  };
  const ids = (eventName: string, key: string) =>
    matchingDestinations(config, eventName, key).map((d) => d.id);

  it.each([
    ['s3:ObjectCreated:Put', 'a.jpg', ['jpg']],
    ['s3:ObjectCreated:Copy', 'a.jpg', ['jpg']],
    ['s3:ObjectCreated:Put', 'a.png', ['png']],
    ['s3:ObjectCreated:Copy', 'a.png', []],
    ['s3:ObjectCreated:Put', 'a.gif', []],
    ['s3:ObjectRemoved:Delete', 'a.jpg', ['removed']],
    ['s3:ObjectTagging:Put', 'a.png', ['removed']],
    ['s3:ObjectTagging:Delete', 'a.png', []],
  ])('%s on %s goes to %j', (eventName, key, expected) => {
    expect(ids(eventName, key)).toEqual(expected);
  });

  it('returns every matching configuration, in configuration order', () => {
    const both: NotificationConfiguration = {
      eventBridge: false,
      destinations: [
        destination('first', ['s3:ObjectCreated:*'], [{ name: 'Prefix', value: 'a/' }]),
        destination('other', ['s3:ObjectRemoved:*']),
        destination('second', ['s3:ObjectCreated:Put'], [{ name: 'Prefix', value: 'a/b' }]),
      ],
    };
    expect(matchingDestinations(both, 's3:ObjectCreated:Put', 'a/b/c').map((d) => d.id)).toEqual([
      'first',
      'second',
    ]);
  });

  it('matches nothing in an empty configuration', () => {
    expect(
      matchingDestinations({ destinations: [], eventBridge: true }, 's3:ObjectCreated:Put', 'k'),
    ).toEqual([]);
  });
});

describe('known event names', () => {
  it('is exactly the Event enum of the AWS SDK in use, once each', () => {
    expect(new Set(KNOWN_EVENT_NAMES).size).toBe(KNOWN_EVENT_NAMES.length);
    expect([...KNOWN_EVENT_NAMES].sort()).toEqual(Object.values(Event).sort());
  });

  it.each([
    ['s3:ObjectCreated:*', true],
    ['s3:ObjectCreated:CompleteMultipartUpload', true],
    ['s3:ReducedRedundancyLostObject', true],
    ['s3:Replication:OperationReplicatedAfterThreshold', true],
    ['s3:IntelligentTiering', true],
    ['s3:ObjectAnnotation:Put', true],
    ['s3:ObjectRetention:Put', true],
    ['s3:TestEvent', false],
    ['s3:ObjectCreated:Delete', false],
    ['s3:ObjectAccessed:Get', false],
    ['s3:objectcreated:put', false],
    ['ObjectCreated:Put', false],
    ['s3:*', false],
    ['', false],
  ])('%s is known: %s', (name, expected) => {
    expect(isKnownEventName(name)).toBe(expected);
  });
});
