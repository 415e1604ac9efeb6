import { describe, expect, it } from 'vitest';
import { InvalidEventPatternError, parseEventPattern } from './pattern.js';
import { cidrContains, parseCidr, parseIpLiteral } from './pattern-ip.js';
import { compileWildcard, wildcardMatches } from './pattern-wildcard.js';

function reasonFor(json: string, maxLength?: number): string | undefined {
  try {
    parseEventPattern(json, maxLength === undefined ? {} : { maxLength });
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEventPatternError);
    const { message, reason } = error as InvalidEventPatternError;
    expect(message).toBe(`Event pattern is not valid. Reason: ${reason}`);
    return reason;
  }
}

describe('parseEventPattern accepts', () => {
  // Every pattern shown in the EventBridge user guide's "Comparison operators" table:
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
  it.each([
    '{"Location": ["New York"], "Day": ["Monday"]}',
    '{"state": [{"anything-but": "initializing"}]}',
    '{"Region": [{"anything-but": {"prefix": "us-"}}]}',
    '{"FileName": [{"anything-but": {"suffix": ".png"}}]}',
    '{"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}',
    '{"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}',
    '{"Region": [{"prefix": "us-"}]}',
    '{"service": [{"prefix": {"equals-ignore-case": "eventb"}}]}',
    '{"LastName": [""]}',
    '{"Name": ["Alice"]}',
    '{"Name": [{"equals-ignore-case": "alice"}]}',
    '{"FileName": [{"suffix": ".png"}]}',
    '{"service": [{"suffix": {"equals-ignore-case": "tBridge"}}]}',
    '{"ProductName": [{"exists": true}]}',
    '{"ProductName": [{"exists": false}]}',
    '{"Weather": [{"anything-but": ["Raining"]}]}',
    '{"UserID": [null]}',
    '{"Price": [{"numeric": ["=", 100]}]}',
    '{"Price": [{"numeric": [">", 10, "<=", 20]}]}',
    '{"PaymentType": ["Credit", "Debit"]}',
    '{"$or": [{"Location": ["New York"]}, {"Day": ["Monday"]}]}',
    '{"FileName": [{"wildcard": "dir/*.png"}]}',
    '{"x-limit": [{"anything-but": [100, 200, 300]}]}',
    '{"ip": [{"cidr": "2001:db8::/64"}]}',
    '{"ip": [{"cidr": "10.0.0.0/31"}]}',
    '{"a": [{"numeric": [">=", -5e9, "<=", 5e9]}]}',
    '{"a": [true, false, null, 0, -1.5, "x", {"prefix": ""}]}',
    // A key named like an operator is an ordinary field outside $or.
    '{"prefix": ["x"], "detail": {"numeric": [1]}}',
  ])('%s', (json) => {
    expect(reasonFor(json)).toBeUndefined();
  });
});

describe('parseEventPattern refuses, in Event Ruler words', () => {
  it.each([
    ['[]', 'Filter is not an object'],
    ['"x"', 'Filter is not an object'],
    ['null', 'Filter is not an object'],
    ['{}', 'Empty objects are not allowed'],
    ['{"a": {}}', 'Empty objects are not allowed'],
    ['{"a": "x"}', '"a" must be an object or an array'],
    ['{"a": {"b": 5}}', '"b" must be an object or an array'],
    ['{"a": []}', 'Empty arrays are not allowed'],
    ['{"a": [["x"]]}', 'Match value must be String, number, true, false, or null'],
    ['{"a": [{}]}', 'Match expression name not found'],
    ['{"a": [{"contains": "x"}]}', 'Unrecognized match type contains'],
    ['{"a": [{"prefix": "x", "suffix": "y"}]}', 'Only one key allowed in match expression'],
    ['{"a": [{"prefix": 5}]}', 'prefix match pattern must be a string'],
    ['{"a": [{"suffix": null}]}', 'suffix match pattern must be a string'],
    ['{"a": [{"prefix": {}}]}', 'Prefix expression name not found'],
    ['{"a": [{"suffix": {"wildcard": "x"}}]}', 'Unsupported suffix pattern: wildcard'],
    [
      '{"a": [{"prefix": {"equals-ignore-case": 5}}]}',
      'equals-ignore-case match pattern must be a string',
    ],
    ['{"a": [{"equals-ignore-case": ["x"]}]}', 'equals-ignore-case match pattern must be a string'],
    ['{"a": [{"exists": "true"}]}', 'exists match pattern must be either true or false.'],
    ['{"a": [{"wildcard": 5}]}', 'wildcard match pattern must be a string'],
    ['{"a": [{"wildcard": "abc**def"}]}', 'Consecutive wildcard characters at pos 4'],
    ['{"a": [{"wildcard": "é**"}]}', 'Consecutive wildcard characters at pos 3'],
    ['{"a": [{"wildcard": "a\\\\b"}]}', 'Invalid escape character at pos 2'],
    ['{"a": [{"wildcard": "ab\\\\"}]}', 'Invalid escape character at pos 3'],
    ['{"a": [{"numeric": 5}]}', 'Value of numeric must be an array.'],
    ['{"a": [{"numeric": []}]}', 'Invalid member in numeric match: ]'],
    ['{"a": [{"numeric": [5]}]}', 'Invalid member in numeric match: 5'],
    ['{"a": [{"numeric": ["!=", 5]}]}', 'Unrecognized numeric range operator: !='],
    ['{"a": [{"numeric": ["=", "5"]}]}', 'Value of equals must be numeric'],
    ['{"a": [{"numeric": [">="]}]}', 'Value of >= must be numeric'],
    ['{"a": [{"numeric": ["=", 5, "<", 6]}]}', 'Too many elements in numeric expression'],
    ['{"a": [{"numeric": ["<", 5, ">", 1]}]}', 'Too many elements in numeric expression'],
    ['{"a": [{"numeric": [">", 0, 5]}]}', 'Bad value in numeric range: 5'],
    ['{"a": [{"numeric": [">", 0, ">", 5]}]}', 'Bad numeric range operator: >'],
    ['{"a": [{"numeric": [">", 0, "<"]}]}', 'Value of < must be numeric'],
    ['{"a": [{"numeric": [">", 0, "<=", 5, 6]}]}', 'Too many terms in numeric range expression'],
    ['{"a": [{"numeric": [">", 5, "<", 5]}]}', 'Bottom must be less than top'],
    ['{"a": [{"numeric": [">", 6e9]}]}', 'Value must be between -5.0E9 and 5.0E9, inclusive'],
    ['{"a": [{"numeric": [">", 0], "exists": true}]}', 'Too many elements in numeric expression'],
    [
      '{"a": [{"anything-but": null}]}',
      'Value of anything-but must be an array or single string/number value.',
    ],
    [
      '{"a": [{"anything-but": true}]}',
      'Value of anything-but must be an array or single string/number value.',
    ],
    [
      '{"a": [{"anything-but": []}]}',
      'Inside anything but list, either all values are number or string, mixed type is not supported',
    ],
    [
      '{"a": [{"anything-but": ["a", 1]}]}',
      'Inside anything but list, either all values are number or string, mixed type is not supported',
    ],
    [
      '{"a": [{"anything-but": [null]}]}',
      'Inside anything but list, start|null|boolean is not supported.',
    ],
    ['{"a": [{"anything-but": [-6e9]}]}', 'Value must be between -5.0E9 and 5.0E9, inclusive'],
    ['{"a": [{"anything-but": {}}]}', 'Anything-But expression name not found'],
    [
      '{"a": [{"anything-but": {"numeric": [">", 1]}}]}',
      'Unsupported anything-but pattern: numeric',
    ],
    ['{"a": [{"anything-but": {"prefix": ""}}]}', 'Null prefix/suffix not allowed'],
    ['{"a": [{"anything-but": {"suffix": [".png", ""]}}]}', 'Null prefix/suffix not allowed'],
    ['{"a": [{"anything-but": {"prefix": 5}}]}', 'prefix/suffix match pattern must be a string'],
    [
      '{"a": [{"anything-but": {"prefix": null}}]}',
      'Value of anything-but must be an array or single string/number value.',
    ],
    [
      '{"a": [{"anything-but": {"equals-ignore-case": [1]}}]}',
      'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.',
    ],
    ['{"a": [{"anything-but": {"wildcard": "a**"}}]}', 'Consecutive wildcard characters at pos 2'],
    ['{"a": [{"anything-but": {"wildcard": [7]}}]}', 'wildcard match pattern must be a string'],
    [
      '{"a": [{"anything-but": {"prefix": "a", "suffix": "b"}}]}',
      'Too many elements in numeric expression',
    ],
    ['{"a": [{"cidr": 5}]}', 'prefix match pattern must be a string'],
    ['{"a": [{"cidr": "10.0.0.0"}]}', "Malformed CIDR, one '/' required"],
    ['{"a": [{"cidr": "10.0.0.0/"}]}', "Malformed CIDR, one '/' required"],
    ['{"a": [{"cidr": "10.0.0.0/8/8"}]}', "Malformed CIDR, one '/' required"],
    ['{"a": [{"cidr": "10.0.0.0/x"}]}', 'Malformed CIDR, mask bits must be an integer'],
    ['{"a": [{"cidr": "10.0.0.0/-1"}]}', 'Malformed CIDR, mask bits must not be negative'],
    ['{"a": [{"cidr": "10.0.0.0/32"}]}', 'IPv4 mask bits must be < 32'],
    ['{"a": [{"cidr": "2001:db8::/128"}]}', 'IPv6 mask bits must be < 128'],
    ['{"a": [{"cidr": "10.0.0.256/24"}]}', 'Invalid IP address: 10.0.0.256'],
    ['{"a": [{"cidr": "1:2:3:4:5:6:7:8:9/24"}]}', 'Invalid IP address: 1:2:3:4:5:6:7:8:9'],
    ['{"a": [{"cidr": "example.com/24"}]}', 'Nonstandard IP address: example.com'],
    ['{"$or": {"a": ["x"]}}', 'It must be an Array followed with $or.'],
    ['{"$or": []}', 'There must have at least 2 Objects in $or relationship.'],
    ['{"$or": [{"a": ["x"]}]}', 'There must have at least 2 Objects in $or relationship.'],
    ['{"$or": [{"a": ["x"]}, "b"]}', 'Only JSON object is allowed in array of $or relationship.'],
    ['{"$or": [{"a": ["x"]}, {}]}', 'Empty objects are not allowed'],
    [
      '{"$or": [{"prefix": ["x"]}, {"b": ["y"]}]}',
      'prefix is Ruler reserved fieldName which cannot be used inside $or.',
    ],
    [
      '{"$or": [{"a": {"numeric": [1]}}, {"b": ["y"]}]}',
      'numeric is Ruler reserved fieldName which cannot be used inside $or.',
    ],
  ])('%s: %s', (json, reason) => {
    expect(reasonFor(json)).toBe(reason);
  });

  it('refuses text that is not JSON', () => {
    expect(reasonFor('{"a": [')).toMatch(/^Filter is not valid JSON: /);
  });

  it('holds a pattern to the 2,048-character quota unless told otherwise', () => {
    const json = `{"a": ["${'x'.repeat(2048 - 11)}"]}`;
    expect(json).toHaveLength(2048);
    expect(reasonFor(json)).toBeUndefined();
    const longer = `{"a": ["${'x'.repeat(2049 - 11)}"]}`;
    expect(reasonFor(longer)).toBe('Event pattern is 2049 characters long; the limit is 2048');
    expect(reasonFor(longer, 4096)).toBeUndefined();
  });
});

describe('wildcards', () => {
  it.each([
    ['*', [''], true],
    ['*', ['', 'anything'], true],
    ['Simple*Service', ['SimpleService', 'SimpleQueueService'], true],
    ['Simple*Service', ['SimpleServiceX', 'XSimpleService', 'Simple'], false],
    ['*Title*', ['Title', 'A Title here'], true],
    ['*a*a', ['aa', 'banana'], true],
    ['*a*a', ['a', 'ab'], false],
    ['a*b*c', ['abc', 'a-b-c', 'abbc'], true],
    ['a*b*c', ['ac', 'acb', 'abcx'], false],
    ['', [''], true],
    ['', ['x'], false],
  ])('%s against %j: %s', (operand, values, expected) => {
    const pieces = compileWildcard(operand);
    for (const value of values) expect(wildcardMatches(pieces, value), value).toBe(expected);
  });

  it('turns escapes into literal characters', () => {
    expect(compileWildcard('a\\*b')).toEqual(['a*b']);
    expect(compileWildcard('a\\\\*b')).toEqual(['a\\', 'b']);
    expect(compileWildcard('\\**')).toEqual(['*', '']);
  });
});

describe('addresses', () => {
  it.each([
    ['10.0.0.0/8', '10.255.1.1', true],
    ['10.0.0.0/8', '11.0.0.0', false],
    ['10.0.0.5/24', '10.0.0.1', true],
    ['0.0.0.0/0', '255.255.255.255', true],
    ['192.168.1.128/25', '192.168.1.127', false],
    ['192.168.1.128/25', '192.168.1.200', true],
    ['2001:db8::/32', '2001:0db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::', false],
    ['::/0', '::', true],
    ['fe80::/10', 'febf::1', true],
    ['fe80::/10', 'fec0::1', false],
  ])('%s contains %s: %s', (cidr, address, expected) => {
    const parsed = parseIpLiteral(address);
    expect(parsed).toBeDefined();
    expect(cidrContains(parseCidr(cidr), parsed!)).toBe(expected);
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '256.0.0.1', ':', '1::2::3', '12345::', 'g::1', 'host'])(
    '%j is not an address literal',
    (text) => {
      expect(parseIpLiteral(text)).toBeUndefined();
    },
  );
});
