import { describe, expect, it } from 'vitest';
import { matchesEventPattern, parseEventPattern } from './pattern.js';

/** Patterns are written as objects, or as raw JSON where the text itself matters. */
type PatternSource = string | Record<string, unknown>;
type Case = [label: string, pattern: PatternSource, event: unknown, expected: boolean];

function matches(pattern: PatternSource, event: unknown): boolean {
  const json = typeof pattern === 'string' ? pattern : JSON.stringify(pattern);
  return matchesEventPattern(parseEventPattern(json), event);
}

const run = (label: string, pattern: PatternSource, event: unknown, expected: boolean): void => {
  expect(matches(pattern, event), label).toBe(expected);
};

const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};
const autoscalingEvent = {
  'detail-type': 'EC2 Instance Launch Successful',
  source: 'aws.autoscaling',
  resources: [],
  detail: { eventVersion: '', responseElements: null },
};
const macieEvent = {
  'detail-type': 'Macie Alert',
  source: 'aws.macie',
  detail: { 'risk-score': 80, tags: ['Custom_Alert', 'Insider'], trigger: { risk: 8 } },
};
const ec2Termination = {
  source: ['aws.ec2'],
  'detail-type': ['EC2 Instance State-change Notification'],
  detail: { state: ['terminated'] },
};

describe('field and value matching', () => {
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
  it.each<Case>([
    ['EC2 termination pattern', ec2Termination, ec2Event, true],
    [
      'EC2 termination pattern, other state',
      ec2Termination,
      { ...ec2Event, detail: { state: 'running' } },
      false,
    ],
    [
      'source is aws.ec2 or aws.fargate',
      { source: ['aws.ec2', 'aws.fargate'] },
      { source: 'aws.fargate' },
      true,
    ],
    ['source is neither', { source: ['aws.ec2', 'aws.fargate'] }, { source: 'aws.s3' }, false],
    [
      'a named field missing from the event',
      { detail: { 'instance-type': ['t2.micro'] } },
      ec2Event,
      false,
    ],
    [
      'field matching on a null value',
      {
        source: ['aws.autoscaling'],
        'detail-type': ['EC2 Instance Launch Successful'],
        detail: { responseElements: [null] },
      },
      autoscalingEvent,
      true,
    ],
    [
      'risk score 80 and trigger risk 8',
      { source: ['aws.macie'], detail: { 'risk-score': [80], trigger: { risk: [8] } } },
      macieEvent,
      true,
    ],
    ['trigger risk 9 does not match', { detail: { trigger: { risk: [9] } } }, macieEvent, false],
    ['strings are case-sensitive', { source: ['AWS.EC2'] }, ec2Event, false],
  ])('%s', run);

  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html
  it.each<Case>([
    ['empty string', { detail: { eventVersion: [''] } }, autoscalingEvent, true],
    ['null', { detail: { responseElements: [null] } }, autoscalingEvent, true],
    [
      'empty string does not match null',
      { detail: { responseElements: [''] } },
      autoscalingEvent,
      false,
    ],
    [
      'null does not match empty string',
      { detail: { eventVersion: [null] } },
      autoscalingEvent,
      false,
    ],
    ['null does not match an absent field', { detail: { other: [null] } }, autoscalingEvent, false],
  ])('null and empty: %s', run);

  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
  const resources = {
    resources: [
      'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
      'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
    ],
  };
  it.each<Case>([
    [
      'pattern and event arrays intersect',
      resources,
      {
        resources: [
          'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        ],
      },
      true,
    ],
    [
      'no common element',
      resources,
      { resources: ['arn:aws:ec2:us-east-1:999999999999:instance/i-1'] },
      false,
    ],
    ['macie tags contain Insider', { detail: { tags: ['Insider'] } }, macieEvent, true],
  ])('arrays: %s', run);
});

describe('comparison operators', () => {
  const detail = (fields: Record<string, unknown>) => ({ detail: fields });
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
  // (the summary table and its sections; the same examples appear on
  // eb-event-patterns-content-based-filtering.html in older revisions of the guide)
  it.each<Case>([
    ['prefix', { time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-02T18:43:48Z' }, true],
    [
      'prefix, other day',
      { time: [{ prefix: '2017-10-02' }] },
      { time: '2017-10-03T18:43:48Z' },
      false,
    ],
    [
      'prefix ignoring case',
      detail({ service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] }),
      detail({ service: 'eventbridge' }),
      true,
    ],
    [
      'prefix ignoring case, no match',
      detail({ service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] }),
      detail({ service: 'sqs' }),
      false,
    ],
    ['suffix', { FileName: [{ suffix: '.png' }] }, { FileName: 'cat.png' }, true],
    [
      'suffix is case-sensitive',
      { FileName: [{ suffix: '.png' }] },
      { FileName: 'cat.PNG' },
      false,
    ],
    [
      'suffix ignoring case',
      detail({ FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] }),
      detail({ FileName: 'cat.PNG' }),
      true,
    ],
    [
      'equals ignoring case',
      { Name: [{ 'equals-ignore-case': 'alice' }] },
      { Name: 'ALICE' },
      true,
    ],
    [
      'equals ignoring case, other name',
      { Name: [{ 'equals-ignore-case': 'alice' }] },
      { Name: 'alicia' },
      false,
    ],
    [
      'anything-but string',
      detail({ state: [{ 'anything-but': 'initializing' }] }),
      detail({ state: 'running' }),
      true,
    ],
    [
      'anything-but string, excluded',
      detail({ state: [{ 'anything-but': 'initializing' }] }),
      detail({ state: 'initializing' }),
      false,
    ],
    [
      'anything-but number',
      detail({ 'x-limit': [{ 'anything-but': 123 }] }),
      detail({ 'x-limit': 124 }),
      true,
    ],
    [
      'anything-but number, excluded',
      detail({ 'x-limit': [{ 'anything-but': 123 }] }),
      detail({ 'x-limit': 123 }),
      false,
    ],
    [
      'anything-but string list',
      detail({ state: [{ 'anything-but': ['stopped', 'overloaded'] }] }),
      detail({ state: 'overloaded' }),
      false,
    ],
    [
      'anything-but string list, other',
      detail({ state: [{ 'anything-but': ['stopped', 'overloaded'] }] }),
      detail({ state: 'running' }),
      true,
    ],
    [
      'anything-but number list',
      detail({ 'x-limit': [{ 'anything-but': [100, 200, 300] }] }),
      detail({ 'x-limit': 200 }),
      false,
    ],
    [
      'anything-but number list, other',
      detail({ 'x-limit': [{ 'anything-but': [100, 200, 300] }] }),
      detail({ 'x-limit': 150 }),
      true,
    ],
    [
      'anything-but prefix',
      detail({ state: [{ 'anything-but': { prefix: 'init' } }] }),
      detail({ state: 'initializing' }),
      false,
    ],
    [
      'anything-but prefix, other',
      detail({ state: [{ 'anything-but': { prefix: 'init' } }] }),
      detail({ state: 'running' }),
      true,
    ],
    [
      'region not in the US',
      { Region: [{ 'anything-but': { prefix: 'us-' } }] },
      { Region: 'eu-west-1' },
      true,
    ],
    [
      'not a .png',
      { FileName: [{ 'anything-but': { suffix: '.png' } }] },
      { FileName: 'a.png' },
      false,
    ],
    [
      'not a .png, a .jpg',
      { FileName: [{ 'anything-but': { suffix: '.png' } }] },
      { FileName: 'a.jpg' },
      true,
    ],
    [
      'anything-but ignoring case',
      { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] },
      { state: 'INITIALIZING' },
      false,
    ],
    [
      'anything-but ignoring case, other',
      { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] },
      { state: 'running' },
      true,
    ],
    [
      'path without /lib/',
      { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
      { FilePath: '/usr/bin/env' },
      true,
    ],
    [
      'path with /lib/',
      { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
      { FilePath: '/usr/lib/libc.so' },
      false,
    ],
    [
      '.png within dir',
      { FileName: [{ wildcard: 'dir/*.png' }] },
      { FileName: 'dir/cat.png' },
      true,
    ],
    [
      '.png outside dir',
      { FileName: [{ wildcard: 'dir/*.png' }] },
      { FileName: 'other/cat.png' },
      false,
    ],
    ['empty', { LastName: [''] }, { LastName: '' }, true],
    ['price is 100', { Price: [{ numeric: ['=', 100] }] }, { Price: 100 }, true],
    [
      'price over 10 and at most 20',
      { Price: [{ numeric: ['>', 10, '<=', 20] }] },
      { Price: 20 },
      true,
    ],
    [
      'price of exactly 10 is not over 10',
      { Price: [{ numeric: ['>', 10, '<=', 20] }] },
      { Price: 10 },
      false,
    ],
    ['ProductName exists', { ProductName: [{ exists: true }] }, { ProductName: 'x' }, true],
    ['ProductName does not exist', { ProductName: [{ exists: false }] }, { Other: 'x' }, true],
    [
      'weather anything but raining',
      { Weather: [{ 'anything-but': ['Raining'] }] },
      { Weather: 'Sunny' },
      true,
    ],
    [
      'payment is credit or debit',
      { PaymentType: ['Credit', 'Debit'] },
      { PaymentType: 'Debit' },
      true,
    ],
  ])('%s', run);

  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
  // ("Or": "Location is New York, or Day is Monday")
  const newYorkOrMonday = { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] };
  it.each<Case>([
    ['$or, first member', newYorkOrMonday, { Location: 'New York', Day: 'Tuesday' }, true],
    ['$or, second member', newYorkOrMonday, { Location: 'Boston', Day: 'Monday' }, true],
    ['$or, neither', newYorkOrMonday, { Location: 'Boston', Day: 'Tuesday' }, false],
  ])('%s', run);
});
