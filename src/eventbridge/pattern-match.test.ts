import { describe, expect, it } from 'vitest';
import { matchesEventPattern, parseEventPattern } from './pattern.js';

/** Patterns are written as raw JSON, or as objects where the text does not matter. */
type PatternSource = string | Record<string, unknown>;
type Case = [label: string, pattern: PatternSource, event: unknown, expected: boolean];

const run = (label: string, pattern: PatternSource, event: unknown, expected: boolean): void => {
  const json = typeof pattern === 'string' ? pattern : JSON.stringify(pattern);
  expect(matchesEventPattern(parseEventPattern(json), event), label).toBe(expected);
};

describe('content filtering examples', () => {
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
  // The event is Event Ruler's README sample (github.com/aws/event-ruler), which these
  // examples were written against.
  const event = {
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    time: '2017-10-02T16:24:49Z',
    detail: {
      'c-count': 5,
      'd-count': 3,
      'x-limit': 301.8,
      'source-ip': '10.0.0.33',
      state: 'running',
    },
  };
  const numeric = {
    detail: {
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ numeric: ['=', 3.018e2] }],
    },
  };
  const complex = {
    time: [{ prefix: '2017-10-02' }],
    detail: {
      state: [{ 'anything-but': 'initializing' }],
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ 'anything-but': [100, 200, 300] }],
      'source-ip': [{ cidr: '10.0.0.0/8' }],
    },
  };
  const withDetail = (fields: Record<string, unknown>) => ({
    ...event,
    detail: { ...event.detail, ...fields },
  });
  it.each<Case>([
    ['numeric: all three hold', numeric, event, true],
    ['numeric: c-count 0 is not > 0', numeric, withDetail({ 'c-count': 0 }), false],
    ['numeric: x-limit 301.9 is not 3.018e2', numeric, withDetail({ 'x-limit': 301.9 }), false],
    [
      'IP in 10.0.0.0/24',
      { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
      { detail: { sourceIPAddress: '10.0.0.255' } },
      true,
    ],
    [
      'IP outside 10.0.0.0/24',
      { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
      { detail: { sourceIPAddress: '10.0.1.0' } },
      false,
    ],
    [
      'IPv6 in 2001:db8::/32',
      { ip: [{ cidr: '2001:db8::/32' }] },
      { ip: '2001:db8:85a3::8a2e:370:7334' },
      true,
    ],
    ['exists: detail.state present', { detail: { state: [{ exists: true }] } }, event, true],
    [
      'exists: detail.state absent',
      { detail: { state: [{ exists: true }] } },
      { detail: { 'c-count': { c1: 100 } } },
      false,
    ],
    [
      'exists false: c-count absent',
      { detail: { 'c-count': [{ exists: false }] } },
      { detail: { state: ['initializing', 'running'] } },
      true,
    ],
    [
      'exists false: c-count is not a leaf',
      { detail: { 'c-count': [{ exists: false }] } },
      { detail: { 'c-count': { c1: 100 } } },
      true,
    ],
    ['exists false: c-count present', { detail: { 'c-count': [{ exists: false }] } }, event, false],
    ['complex example', complex, event, true],
    ['complex example, excluded state', complex, withDetail({ state: 'initializing' }), false],
    ['complex example, excluded x-limit', complex, withDetail({ 'x-limit': 300 }), false],
  ])('%s', run);

  // The duplicate-key note: "the last reference will be the one used to evaluate events".
  const duplicate =
    '{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}';
  it.each<Case>([
    ['last duplicate key wins (us-west)', duplicate, { detail: { location: 'us-west' } }, true],
    ['last duplicate key wins (eu-west)', duplicate, { detail: { location: 'eu-west' } }, true],
    ['last duplicate key wins (us-east)', duplicate, { detail: { location: 'us-east' } }, false],
  ])('%s', run);
});

describe('JSON types', () => {
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html: values
  // follow JSON rules; strings match character by character, without case folding.
  it.each<Case>([
    ['the string "5" is not the number 5', '{"a": ["5"]}', { a: 5 }, false],
    ['the number 5 is not the string "5"', '{"a": [5]}', { a: '5' }, false],
    ['the number 5', '{"a": [5]}', { a: 5 }, true],
    // JSON.parse has already made 5.0 and 5 one number; Event Ruler also compares numbers
    // by value, beside their text.
    ['5.0 in the pattern', '{"a": [5.0]}', { a: 5 }, true],
    ['3.0e2 in the pattern', '{"a": [3.0e2]}', { a: 300 }, true],
    ['true', '{"a": [true]}', { a: true }, true],
    ['true is not "true"', '{"a": [true]}', { a: 'true' }, false],
    ['false is not null', '{"a": [false]}', { a: null }, false],
    ['null is not false', '{"a": [null]}', { a: false }, false],
    ['numeric never matches a string', '{"a": [{"numeric": [">", 0]}]}', { a: '5' }, false],
    ['numeric beyond 5e9 never matches', '{"a": [{"numeric": [">", 0]}]}', { a: 5e9 + 1 }, false],
    ['numeric at 5e9 matches', '{"a": [{"numeric": [">", 0]}]}', { a: 5e9 }, true],
    ['numeric >= is inclusive', '{"a": [{"numeric": [">=", 1, "<", 2]}]}', { a: 1 }, true],
    ['numeric < is exclusive', '{"a": [{"numeric": [">=", 1, "<", 2]}]}', { a: 2 }, false],
    ['numeric <= alone', '{"a": [{"numeric": ["<=", -1.5]}]}', { a: -1.5 }, true],
    ['prefix never matches a number', '{"a": [{"prefix": "1"}]}', { a: 12 }, false],
    ['empty prefix matches any string', '{"a": [{"prefix": ""}]}', { a: '' }, true],
    ['empty prefix does not match null', '{"a": [{"prefix": ""}]}', { a: null }, false],
    [
      'equals-ignore-case never matches a boolean',
      '{"a": [{"equals-ignore-case": "true"}]}',
      { a: true },
      false,
    ],
    ['cidr never matches a non-address', '{"a": [{"cidr": "10.0.0.0/8"}]}', { a: '10.0.0' }, false],
    ['cidr: IPv4 block, IPv6 address', '{"a": [{"cidr": "0.0.0.0/0"}]}', { a: '::1' }, false],
  ])('%s', run);
});

describe('anything-but', () => {
  it.each<Case>([
    // Event Ruler compares a string anything-but against the value's JSON text.
    ['a string exclusion passes a number', '{"a": [{"anything-but": "x"}]}', { a: 5 }, true],
    ['a string exclusion passes null', '{"a": [{"anything-but": "x"}]}', { a: null }, true],
    [
      'a numeric exclusion never passes a string',
      '{"a": [{"anything-but": [1, 2]}]}',
      { a: 'x' },
      false,
    ],
    [
      'a prefix exclusion passes a number',
      '{"a": [{"anything-but": {"prefix": "x"}}]}',
      { a: 5 },
      true,
    ],
    ['never matches an absent field', '{"a": [{"anything-but": "x"}]}', { b: 'y' }, false],
    ['never matches an empty array', '{"a": [{"anything-but": "x"}]}', { a: [] }, false],
    // An array matches when any element does (compare SNS's "[100, 50]" example).
    [
      'an array with another value',
      '{"a": [{"anything-but": [100, 500]}]}',
      { a: [100, 50] },
      true,
    ],
    [
      'an array of excluded values only',
      '{"a": [{"anything-but": [100, 500]}]}',
      { a: [100, 500] },
      false,
    ],
    [
      'a list of prefixes',
      '{"a": [{"anything-but": {"prefix": ["x", "y"]}}]}',
      { a: 'yes' },
      false,
    ],
    [
      'a list of wildcards',
      '{"a": [{"anything-but": {"wildcard": ["*.png", "*.jpg"]}}]}',
      { a: 'a.gif' },
      true,
    ],
    [
      'a list ignoring case',
      '{"a": [{"anything-but": {"equals-ignore-case": ["X", "Y"]}}]}',
      { a: 'y' },
      false,
    ],
  ])('%s', run);
});

describe('structure', () => {
  it.each<Case>([
    ['an event that is not an object', '{"a": ["x"]}', ['x'], false],
    ['a null event', '{"a": [{"exists": false}]}', null, false],
    ['exists false when the parent is absent', '{"a": {"b": [{"exists": false}]}}', {}, true],
    [
      'exists false when the parent is a string',
      '{"a": {"b": [{"exists": false}]}}',
      { a: 'x' },
      true,
    ],
    ['a nested pattern against a string', '{"a": {"b": ["x"]}}', { a: 'x' }, false],
    ['a leaf pattern against an object', '{"a": ["x"]}', { a: { b: 'x' } }, false],
    ['exists true on an object is false', '{"a": [{"exists": true}]}', { a: { b: 1 } }, false],
    ['exists true on null', '{"a": [{"exists": true}]}', { a: null }, true],
    ['exists true on an empty array', '{"a": [{"exists": true}]}', { a: [] }, false],
    ['exists false on an empty array', '{"a": [{"exists": false}]}', { a: [] }, true],
    ['a value within a nested array', '{"a": ["x"]}', { a: [['y'], ['x']] }, true],
    ['numeric over an array', '{"a": [{"numeric": [">", 5]}]}', { a: [1, 10] }, true],
    ['objects within an array', '{"a": {"b": ["x"]}}', { a: [{ b: 'y' }, { b: 'x' }] }, true],
    // Event Ruler README, "JSON Array Matching": fields must match within one element.
    [
      'fields from two array elements do not combine',
      '{"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}}',
      {
        employees: [
          { firstName: 'Anna', lastName: 'Smith' },
          { firstName: 'Peter', lastName: 'Jones' },
        ],
      },
      false,
    ],
    [
      'fields from one array element',
      '{"employees": {"firstName": ["Anna"], "lastName": ["Smith"]}}',
      { employees: [[{ firstName: 'John' }], [{ firstName: 'Anna', lastName: 'Smith' }]] },
      true,
    ],
    [
      '$or inside a nested object',
      '{"d": {"$or": [{"a": ["1"]}, {"b": ["2"]}]}}',
      { d: { b: '2' } },
      true,
    ],
    [
      '$or inside a nested object, at the wrong level',
      '{"d": {"$or": [{"a": ["1"]}, {"b": ["2"]}]}}',
      { b: '2' },
      false,
    ],
    ['only own properties count', '{"constructor": [{"exists": true}]}', {}, false],
    [
      'a field named __proto__',
      '{"__proto__": ["x"]}',
      JSON.parse('{"__proto__": "x"}') as unknown,
      true,
    ],
    [
      'escaped star matches a literal star only',
      '{"a": [{"wildcard": "a\\\\*b"}]}',
      { a: 'a*b' },
      true,
    ],
    ['escaped star is not a wildcard', '{"a": [{"wildcard": "a\\\\*b"}]}', { a: 'axb' }, false],
    [
      'escaped backslash before a wildcard',
      '{"a": [{"wildcard": "\\\\\\\\*"}]}',
      { a: '\\dir' },
      true,
    ],
  ])('%s', run);

  it('does not overflow the stack on deeply nested event arrays', () => {
    let deep: unknown = 'x';
    for (let depth = 0; depth < 100_000; depth++) deep = [deep];
    expect(matchesEventPattern(parseEventPattern('{"a": ["x"]}'), { a: deep })).toBe(true);
  });
});

describe('$or', () => {
  // Event Ruler README, "The $or Primitive" (github.com/aws/event-ruler)
  const sourceAndEither = {
    source: ['aws.cloudwatch'],
    $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
  };
  const parallel = {
    $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
    detail: {
      $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }],
    },
  };
  const nested = {
    source: ['aws.cloudwatch'],
    $or: [
      { metricName: ['CPUUtilization', 'ReadLatency'] },
      {
        metricType: ['MetricType'],
        namespace: ['AWS/EC2', 'AWS/ES'],
        $or: [{ metricId: [1234] }, { spaceId: [1000] }],
      },
      { scope: ['Service'] },
    ],
  };
  it.each<Case>([
    [
      'source and metricName',
      sourceAndEither,
      { source: 'aws.cloudwatch', metricName: 'ReadLatency' },
      true,
    ],
    [
      'source and namespace',
      sourceAndEither,
      { source: 'aws.cloudwatch', namespace: 'AWS/ES' },
      true,
    ],
    ['either, but not source', sourceAndEither, { source: 'aws.ec2', namespace: 'AWS/ES' }, false],
    [
      'parallel $or, both hold',
      parallel,
      { namespace: 'AWS/EC2', detail: { source: 'aws.cloudwatch' } },
      true,
    ],
    [
      'parallel $or, inner fails',
      parallel,
      { namespace: 'AWS/EC2', detail: { source: 'aws.ec2' } },
      false,
    ],
    [
      'nested $or, inner branch',
      nested,
      { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 },
      true,
    ],
    [
      'nested $or, inner branch missing',
      nested,
      { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2' },
      false,
    ],
    ['nested $or, third branch', nested, { source: 'aws.cloudwatch', scope: 'Service' }, true],
    [
      '$or with exists false',
      { $or: [{ a: [{ exists: false }] }, { b: ['x'] }] },
      { b: 'y' },
      true,
    ],
  ])('%s', run);
});
