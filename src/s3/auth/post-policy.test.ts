import { describe, expect, it } from 'vitest';
import { S3Error } from '../errors.js';
import {
  addFormField,
  checkFileSize,
  checkPostPolicy,
  fileBaseName,
  parsePostPolicy,
  planPostBodyChecks,
  substituteFilename,
  verifyPostSignature,
  type FormField,
  type PostForm,
} from './post-policy.js';

function formOf(entries: [string, string][]): Map<string, FormField> {
  const form = new Map<string, FormField>();
  for (const [name, value] of entries) addFormField(form, name, value);
  return form;
}

const encode = (document: unknown) =>
  Buffer.from(typeof document === 'string' ? document : JSON.stringify(document)).toString(
    'base64',
  );

function errorOf(fn: () => unknown): S3Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof S3Error) return error;
    throw error;
  }
  throw new Error('expected an S3Error');
}

// The worked example of AWS's "Example: Browser-Based Upload using HTTP POST (Using AWS
// Signature Version 4)": its credentials, policy (base64) and the signature AWS computes.
const AWS_EXAMPLE = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  policy:
    'eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9',
  signature: '8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e',
};

/** The form of the AWS example, fields in its order, as a browser would send it. */
function awsExampleForm(overrides: Record<string, string> = {}): Map<string, FormField> {
  const fields: Record<string, string> = {
    key: 'user/user1/${filename}',
    acl: 'public-read',
    success_action_redirect: 'http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html',
    'Content-Type': 'image/jpeg',
    'x-amz-meta-uuid': '14365123651274',
    'x-amz-server-side-encryption': 'AES256',
    'X-Amz-Credential': 'AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request',
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Date': '20151229T000000Z',
    'x-amz-meta-tag': '',
    Policy: AWS_EXAMPLE.policy,
    'X-Amz-Signature': AWS_EXAMPLE.signature,
    ...overrides,
  };
  return formOf(Object.entries(fields));
}

const lookupSecret = (id: string) =>
  id === AWS_EXAMPLE.accessKeyId ? AWS_EXAMPLE.secret : undefined;

describe('verifyPostSignature', () => {
  it("accepts AWS's worked example and reports who signed it", () => {
    const { auth, policy } = verifyPostSignature(awsExampleForm(), lookupSecret);
    expect(policy).toBe(AWS_EXAMPLE.policy);
    expect(auth).toMatchObject({
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      region: 'us-east-1',
      service: 's3',
      signing: { amzDate: '20151229T000000Z', scope: '20151229/us-east-1/s3/aws4_request' },
    });
  });

  it.each([
    ['a changed signature', { 'X-Amz-Signature': '0'.repeat(64) }, 'SignatureDoesNotMatch'],
    [
      'a changed policy',
      { Policy: encode({ expiration: '2030-01-01T00:00:00Z' }) },
      'SignatureDoesNotMatch',
    ],
    [
      'another signing date',
      {
        'X-Amz-Date': '20151230T000000Z',
        'X-Amz-Credential': 'AKIAIOSFODNN7EXAMPLE/20151230/us-east-1/s3/aws4_request',
      },
      'SignatureDoesNotMatch',
    ],
    [
      'an unknown access key',
      { 'X-Amz-Credential': 'AKIDSTRANGER/20151229/us-east-1/s3/aws4_request' },
      'InvalidAccessKeyId',
    ],
    ['another algorithm', { 'X-Amz-Algorithm': 'AWS4-HMAC-SHA512' }, 'InvalidRequest'],
    ['a malformed date', { 'X-Amz-Date': '2015-12-29' }, 'InvalidArgument'],
    [
      'a credential dated another day than x-amz-date',
      { 'X-Amz-Credential': 'AKIAIOSFODNN7EXAMPLE/20151228/us-east-1/s3/aws4_request' },
      'AuthorizationQueryParametersError',
    ],
  ])('refuses %s', (_name, overrides, code) => {
    expect(errorOf(() => verifyPostSignature(awsExampleForm(overrides), lookupSecret)).code).toBe(
      code,
    );
  });

  it('names a missing signing field as S3 does', () => {
    const form = awsExampleForm();
    form.delete('x-amz-date');
    const error = errorOf(() => verifyPostSignature(form, lookupSecret));
    expect(error.code).toBe('InvalidArgument');
    expect(error.message).toBe(
      "Bucket POST must contain a field named 'X-Amz-Date'.  If it is specified, please check the order of the fields.",
    );
    expect(error.details).toEqual({ ArgumentName: 'X-Amz-Date', ArgumentValue: '' });
  });

  it.each([
    ['no policy and no signature (anonymous)', [['key', 'k']], 'AccessDenied'],
    [
      'a signature without its policy',
      [
        ['key', 'k'],
        ['x-amz-signature', 'ab'],
      ],
      'InvalidArgument',
    ],
    [
      'a policy without any signature',
      [
        ['key', 'k'],
        ['policy', 'e30='],
      ],
      'AccessDenied',
    ],
    [
      'Signature Version 2 fields',
      [
        ['key', 'k'],
        ['policy', 'e30='],
        ['AWSAccessKeyId', 'AKID'],
        ['signature', 'c2ln'],
      ],
      'InvalidRequest',
    ],
  ] as [string, [string, string][], string][])('refuses %s', (_name, entries, code) => {
    expect(errorOf(() => verifyPostSignature(formOf(entries), lookupSecret)).code).toBe(code);
  });
});

describe('parsePostPolicy', () => {
  it('reads the AWS example', () => {
    const policy = parsePostPolicy(AWS_EXAMPLE.policy);
    expect(policy.expiration).toEqual(new Date('2015-12-30T12:00:00.000Z'));
    expect(policy.conditions).toHaveLength(11);
    expect(policy.conditions[1]).toEqual({
      kind: 'match',
      operator: 'starts-with',
      field: 'key',
      written: '$key',
      value: 'user/user1/',
    });
    expect(policy.conditions[0]).toEqual({
      kind: 'match',
      operator: 'eq',
      field: 'bucket',
      written: '$bucket',
      value: 'sigv4examplebucket',
    });
  });

  it.each([
    [
      'the escapes of the policy language (\\$, \\v) beside JSON ones',
      String.raw`{"expiration":"2030-01-01T00:00:00Z","conditions":[["starts-with","$key","\$a\\$b\v\u00e9"]]}`,
      '$a\\$b\u000bé',
    ],
    [
      'operators in any case',
      '{"expiration":"2030-01-01T00:00:00Z","conditions":[["StArTs-WiTh","$KeY","x"]]}',
      'x',
    ],
  ])('understands %s', (_name, document, value) => {
    expect(parsePostPolicy(encode(document)).conditions[0]).toMatchObject({ field: 'key', value });
  });

  it('reads content-length-range bounds given as numbers or digit strings', () => {
    const policy = parsePostPolicy(
      encode({
        expiration: '2030-01-01T00:00:00Z',
        conditions: [['content-length-range', 1, '1048576']],
      }),
    );
    expect(policy.conditions).toEqual([{ kind: 'length', min: 1, max: 1048576 }]);
  });

  it.each([
    ['not JSON', 'not json', 'Invalid Policy: Invalid JSON.'],
    ['a JSON array', [], 'Invalid Policy: Invalid JSON.'],
    ['no expiration', { conditions: [] }, 'Invalid Policy: Policy missing expiration.'],
    [
      'EXPIRATION in capitals',
      { EXPIRATION: '2030-01-01T00:00:00Z', conditions: [] },
      'Invalid Policy: Policy missing expiration.',
    ],
    [
      'an expiration that is not ISO 8601',
      { expiration: '2030-01-01 00:00:00+00:00', conditions: [] },
      "Invalid Policy: Invalid 'expiration' value: '2030-01-01 00:00:00+00:00'",
    ],
    [
      'an expiration on a day that does not exist',
      { expiration: '2030-02-31T00:00:00Z', conditions: [] },
      "Invalid Policy: Invalid 'expiration' value: '2030-02-31T00:00:00Z'",
    ],
    [
      'no conditions',
      { expiration: '2030-01-01T00:00:00Z' },
      'Invalid Policy: Policy missing conditions.',
    ],
    [
      'CONDITIONS in capitals',
      { expiration: '2030-01-01T00:00:00Z', CONDITIONS: [] },
      'Invalid Policy: Policy missing conditions.',
    ],
    [
      'an empty condition',
      { expiration: '2030-01-01T00:00:00Z', conditions: [{}] },
      'Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.',
    ],
    [
      'a condition with two properties',
      { expiration: '2030-01-01T00:00:00Z', conditions: [{ acl: 'private', key: 'k' }] },
      'Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.',
    ],
    [
      'a content-length-range without maximum',
      { expiration: '2030-01-01T00:00:00Z', conditions: [['content-length-range', 0]] },
      'Invalid Policy: Invalid Condition: ["content-length-range",0]',
    ],
    [
      'a negative content-length-range',
      { expiration: '2030-01-01T00:00:00Z', conditions: [['content-length-range', -1, 0]] },
      'Invalid Policy: Invalid Condition: ["content-length-range",-1,0]',
    ],
    [
      'a field without $',
      { expiration: '2030-01-01T00:00:00Z', conditions: [['eq', 'key', 'k']] },
      'Invalid Policy: Invalid Condition: ["eq","key","k"]',
    ],
    [
      'an unknown operator',
      { expiration: '2030-01-01T00:00:00Z', conditions: [['ends-with', '$key', 'k']] },
      'Invalid Policy: Invalid Condition: ["ends-with","$key","k"]',
    ],
    [
      'a number where a string belongs',
      { expiration: '2030-01-01T00:00:00Z', conditions: [{ success_action_status: 201 }] },
      'Invalid Policy: Invalid Condition: {"success_action_status":201}',
    ],
  ])('refuses %s', (_name, document, message) => {
    const error = errorOf(() => parsePostPolicy(encode(document)));
    expect(error.status).toBe(400);
    expect(error.message).toBe(message);
  });
});

describe('checkPostPolicy', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const bucket = 'photos';
  const check = (conditions: unknown[], entries: [string, string][], at = now) =>
    checkPostPolicy(
      parsePostPolicy(encode({ expiration: '2026-01-01T00:00:00.000Z', conditions })),
      formOf(entries),
      { bucket, now: at, maxSize: 5 * 1024 ** 3 },
    );
  const failure = (conditions: unknown[], entries: [string, string][]) =>
    errorOf(() => check(conditions, entries)).message;

  it.each([
    ['exact match, object form', [{ acl: 'private' }], [['acl', 'private']]],
    ['exact match, eq', [['eq', '$acl', 'private']], [['acl', 'private']]],
    ['starts-with', [['starts-with', '$key', 'user/']], [['key', 'user/cat.jpg']]],
    ['starts-with the empty prefix (any content)', [['starts-with', '$key', '']], [['key', 'x']]],
    [
      'an empty field against an empty prefix',
      [['starts-with', '$x-amz-meta-tag', '']],
      [['x-amz-meta-tag', '']],
    ],
    [
      'names in any case',
      [['StArTs-WiTh', '$KeY', 'foo'], { AcL: 'private' }],
      [
        ['kEy', 'foo.txt'],
        ['aCl', 'private'],
      ],
    ],
    ['the bucket against the addressed bucket', [{ bucket: 'photos' }], []],
    [
      'a bucket field, covered by the bucket condition',
      [{ bucket: 'photos' }],
      [['bucket', 'photos']],
    ],
    [
      'a Content-Type list whose every type has the prefix',
      [['starts-with', '$Content-Type', 'image/']],
      [['Content-Type', 'image/png, image/jpeg']],
    ],
    [
      'starts-with on success_action_status',
      [['starts-with', '$success_action_status', '20']],
      [['success_action_status', '201']],
    ],
    [
      'two conditions on one field',
      [
        ['starts-with', '$key', 'a/'],
        ['starts-with', '$key', 'a/b/'],
      ],
      [['key', 'a/b/c']],
    ],
    [
      'repeated fields, compared comma-joined',
      [{ 'x-amz-meta-tag': 'Ninja,Stallman' }],
      [
        ['x-amz-meta-tag', 'Ninja'],
        ['x-amz-meta-tag', 'Stallman'],
      ],
    ],
    [
      'exempt fields',
      [],
      [
        ['policy', 'e30='],
        ['X-Amz-Signature', 'ab'],
        ['x-ignore-anything', '1'],
        ['file', 'x'],
      ],
    ],
  ] as [string, unknown[], [string, string][]][])('passes %s', (_name, conditions, entries) => {
    expect(() => check(conditions, entries)).not.toThrow();
  });

  it.each([
    [
      'a different value',
      [{ acl: 'private' }],
      [['acl', 'public-read']],
      '["eq", "$acl", "private"]',
    ],
    [
      'eq, as written in the policy',
      [['eq', '$Content-Type', 'image/png']],
      [['content-type', 'image/PNG']],
      '["eq", "$Content-Type", "image/png"]',
    ],
    [
      'a missing prefix',
      [['starts-with', '$key', 'user/']],
      [['key', 'admin/x']],
      '["starts-with", "$key", "user/"]',
    ],
    [
      'an absent field, even for the empty prefix',
      [['starts-with', '$Content-Type', '']],
      [],
      '["starts-with", "$Content-Type", ""]',
    ],
    ['another bucket', [{ bucket: 'other' }], [['bucket', 'other']], '["eq", "$bucket", "other"]'],
    [
      'starts-with on bucket (exact matching only)',
      [['starts-with', '$bucket', '']],
      [],
      '["starts-with", "$bucket", ""]',
    ],
    [
      'starts-with on a signing field',
      [['starts-with', '$x-amz-date', '2026']],
      [['x-amz-date', '20260101T000000Z']],
      '["starts-with", "$x-amz-date", "2026"]',
    ],
    [
      'a Content-Type list with a type outside the prefix',
      [['starts-with', '$Content-Type', 'image/']],
      [['Content-Type', 'image/png,text/html']],
      '["starts-with", "$Content-Type", "image/"]',
    ],
    [
      'a field added to a repeated one',
      [{ 'x-amz-meta-tag': 'Ninja' }],
      [
        ['x-amz-meta-tag', 'Ninja'],
        ['x-amz-meta-tag', 'Stallman'],
      ],
      '["eq", "$x-amz-meta-tag", "Ninja"]',
    ],
  ] as [string, unknown[], [string, string][], string][])(
    'fails %s',
    (_name, conditions, entries, condition) => {
      expect(failure(conditions, entries)).toBe(
        `Invalid according to Policy: Policy Condition failed: ${condition}`,
      );
    },
  );

  it('names every field no condition covers, as sent and in order', () => {
    expect(
      failure(
        [{ key: 'k' }],
        [
          ['X-Amz-Meta-Foo', 'a'],
          ['key', 'k'],
          ['success_action_status', '201'],
          ['bucket', 'x'],
        ],
      ),
    ).toBe(
      'Invalid according to Policy: Extra input fields: X-Amz-Meta-Foo, success_action_status, bucket',
    );
  });

  it('refuses an expired policy, with the status S3 uses', () => {
    const error = errorOf(() => check([], [], new Date('2026-01-01T00:00:00.001Z')));
    expect([error.status, error.code, error.message]).toEqual([
      403,
      'AccessDenied',
      'Invalid according to Policy: Policy expired.',
    ]);
    expect(() => check([], [], new Date('2026-01-01T00:00:00.000Z'))).not.toThrow();
  });

  it('returns the allowed size: every range applies, within the largest upload', () => {
    expect(check([], [])).toEqual({ min: 0, max: 5 * 1024 ** 3 });
    expect(
      check(
        [
          ['content-length-range', 10, 1000],
          ['content-length-range', 20, 5000],
        ],
        [],
      ),
    ).toEqual({ min: 20, max: 1000 });
  });

  it("passes AWS's example form once ${filename} is expanded", () => {
    const form = substituteFilename(awsExampleForm(), 'C:\\Users\\eric\\cat.jpg');
    expect(form.get('key')?.value).toBe('user/user1/cat.jpg');
    const range = checkPostPolicy(parsePostPolicy(AWS_EXAMPLE.policy), form, {
      bucket: 'sigv4examplebucket',
      now: new Date('2015-12-30T00:00:00Z'),
      maxSize: 100,
    });
    expect(range).toEqual({ min: 0, max: 100 });
  });
});

describe('form fields', () => {
  it.each([
    ['C:\\Program Files\\directory1\\file.txt', 'file.txt'],
    ['photos/2024/cat.jpg', 'cat.jpg'],
    ['mixed\\path/to\\cat.jpg', 'cat.jpg'],
    ['cat.jpg', 'cat.jpg'],
    ['..', '..'],
    ['', ''],
  ])('uses %j as the file name %j', (filename, base) => {
    expect(fileBaseName(filename)).toBe(base);
  });

  it('expands ${filename} in every field but the policy and the signature', () => {
    const form: PostForm = formOf([
      ['key', 'in/${filename}'],
      ['x-amz-meta-original', '${filename} (${filename})'],
      ['policy', 'AAA${filename}'],
      ['X-Amz-Signature', '${filename}'],
    ]);
    const expanded = substituteFilename(form, 'dir/a.png');
    expect([...expanded.values()]).toEqual([
      { name: 'key', value: 'in/a.png' },
      { name: 'x-amz-meta-original', value: 'a.png (a.png)' },
      { name: 'policy', value: 'AAA${filename}' },
      { name: 'X-Amz-Signature', value: '${filename}' },
    ]);
    expect(substituteFilename(form, undefined).get('key')?.value).toBe('in/');
  });

  it('joins repeated fields with commas and keeps the first spelling of the name', () => {
    const form = formOf([
      ['X-Amz-Meta-Tag', 'a'],
      ['x-amz-meta-tag', 'b'],
    ]);
    expect(form.get('x-amz-meta-tag')).toEqual({ name: 'X-Amz-Meta-Tag', value: 'a,b' });
  });
});

describe('checkFileSize', () => {
  it.each([
    [10, 100, 100, true, undefined],
    [10, 100, 10, true, undefined],
    [10, 100, 101, false, 'EntityTooLarge'],
    [10, 100, 9, false, undefined],
    [10, 100, 9, true, 'EntityTooSmall'],
    [0, 0, 0, true, undefined],
  ])('range %i..%i, %i bytes (ended: %s): %s', (min, max, size, ended, code) => {
    const run = () => checkFileSize({ min, max }, size, ended);
    if (code === undefined) expect(run).not.toThrow();
    else expect(errorOf(run).code).toBe(code);
  });

  it('reports the sizes as S3 does', () => {
    expect(errorOf(() => checkFileSize({ min: 5, max: 10 }, 3, true)).details).toEqual({
      ProposedSize: '3',
      MinSizeAllowed: '5',
    });
    expect(errorOf(() => checkFileSize({ min: 5, max: 10 }, 11, false)).details).toEqual({
      MaxSizeAllowed: '10',
    });
  });
});

describe('planPostBodyChecks', () => {
  it.each([
    [[['Content-MD5', 'XUFAKrxLKna5cZ2REBfFkg==']], { contentMd5: 'XUFAKrxLKna5cZ2REBfFkg==' }],
    [
      [['x-amz-checksum-crc32', 'y/Q5Jg==']],
      { checksum: { algorithm: 'CRC32', source: { kind: 'header', value: 'y/Q5Jg==' } } },
    ],
    [
      [['X-Amz-Checksum-Algorithm', 'sha256']],
      { checksum: { algorithm: 'SHA256', source: { kind: 'hint' } } },
    ],
    [[['key', 'k']], {}],
  ] as [[string, string][], object][])('plans %j', (entries, plan) => {
    expect(planPostBodyChecks(formOf(entries))).toEqual(plan);
  });

  it.each([
    [[['Content-MD5', 'nope']], 'InvalidDigest'],
    [[['x-amz-checksum-sha256', 'short']], 'InvalidRequest'],
    [[['x-amz-checksum-algorithm', 'MD5']], 'InvalidRequest'],
  ] as [[string, string][], string][])('refuses %j', (entries, code) => {
    expect(errorOf(() => planPostBodyChecks(formOf(entries))).code).toBe(code);
  });
});
