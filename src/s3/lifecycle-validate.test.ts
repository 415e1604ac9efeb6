import { describe, expect, it } from 'vitest';
import type { LifecycleRule } from '../storage/lifecycle-rules.js';
import { parseLifecycleConfiguration } from './lifecycle.js';
import { filterLabel } from './lifecycle-validate.js';
import { parseXmlBody } from './xml.js';

const parse = (rules: string): LifecycleRule[] =>
  parseLifecycleConfiguration(
    parseXmlBody(
      `<LifecycleConfiguration>${rules}</LifecycleConfiguration>`,
      'LifecycleConfiguration',
    ),
  );
const rule = (inner: string, scope = '<Filter></Filter>', id = ''): string =>
  `<Rule>${id ? `<ID>${id}</ID>` : ''}${scope}<Status>Enabled</Status>${inner}</Rule>`;
const EXPIRE = '<Expiration><Days>1</Days></Expiration>';
const days = (n: number, storageClass: string): string =>
  `<Transition><Days>${n}</Days><StorageClass>${storageClass}</StorageClass></Transition>`;
const noncurrent = (n: number, storageClass: string): string =>
  `<NoncurrentVersionTransition><NoncurrentDays>${n}</NoncurrentDays><StorageClass>${storageClass}</StorageClass></NoncurrentVersionTransition>`;
const date = (iso: string, storageClass: string): string =>
  `<Transition><Date>${iso}</Date><StorageClass>${storageClass}</StorageClass></Transition>`;
const TAG = '<Tag><Key>k</Key><Value>v</Value></Tag>';
const ABORT =
  '<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>';
const MARKER =
  '<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>';

type Case = [name: string, xml: string, code: string, message: string, details?: object];

const expectError = (xml: string, code: string, message: string, details?: object): void => {
  expect(() => parse(xml)).toThrow(
    expect.objectContaining({ code, message, ...(details ? { details } : {}) }),
  );
};

describe('validateLifecycleRules: recorded against AWS', () => {
  // LocalStack tests/aws/services/s3/test_s3.snapshot.json,
  // TestS3BucketLifecycle::test_put_bucket_lifecycle_conf_exc (recorded 26-07-2023).
  it.each<Case>([
    [
      'a Date that is not midnight ("wrong-data-no-midnight")',
      rule('<Expiration><Date>2023-01-01T02:02:00Z</Date></Expiration>'),
      'InvalidArgument',
      "'Date' must be at midnight GMT",
      { ArgumentName: 'Date', ArgumentValue: '2023-01-01T02:02:00.000Z' },
    ],
    [
      'repeated tag keys in And ("duplicate-tag-keys")',
      rule(EXPIRE, `<Filter><And>${TAG}<Tag><Key>k</Key><Value>w</Value></Tag></And></Filter>`),
      'InvalidRequest',
      'Duplicate Tag Keys are not allowed.',
    ],
  ])('%s', (_name, xml, code, message, details) => expectError(xml, code, message, details));
});

describe('validateLifecycleRules: messages AWS users and clients quote', () => {
  it.each<Case>([
    // terraform/CDK users quoting S3 ("S3 requires expiration to be *strictly* greater").
    [
      'an expiration no later than the last transition',
      rule(`${days(30, 'STANDARD_IA')}<Expiration><Days>30</Days></Expiration>`),
      'InvalidArgument',
      "'Days' in the Expiration action for filter '(prefix=)' must be greater than 'Days' in the Transition action",
    ],
    // CDK/terraform users; OVH's S3 functional test_..._invalid_transition_too_short.
    [
      'Standard-IA before 30 days',
      rule(days(20, 'STANDARD_IA'), '<Filter><Prefix>doc/</Prefix></Filter>'),
      'InvalidArgument',
      "'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'",
    ],
    [
      'One Zone-IA before 30 days',
      rule(days(29, 'ONEZONE_IA')),
      'InvalidArgument',
      "'Days' in Transition action must be greater than or equal to 30 for storageClass 'ONEZONE_IA'",
    ],
    // ansible amazon.aws s3_lifecycle matches this S3 message.
    [
      'a rule without actions',
      rule(''),
      'InvalidRequest',
      'At least one action needs to be specified in a rule',
    ],
    // A user applying to S3 got this for an object-size filter; the tag case is the user
    // guide's "You cannot specify this Lifecycle action in a rule that specifies a filter
    // based on object tags".
    [
      'AbortIncompleteMultipartUpload with a tag filter',
      rule(ABORT, `<Filter>${TAG}</Filter>`),
      'InvalidRequest',
      'AbortIncompleteMultipartUpload cannot be specified with Tags.',
    ],
    [
      'AbortIncompleteMultipartUpload with a size filter',
      rule(ABORT, '<Filter><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan></Filter>'),
      'InvalidRequest',
      'AbortIncompleteMultipartUpload cannot be specified with Object Size.',
    ],
    // User guide, Example 7: "the rule cannot specify a tag-based filter".
    [
      'ExpiredObjectDeleteMarker with tags in And',
      rule(MARKER, `<Filter><And>${TAG}<Tag><Key>j</Key><Value>v</Value></Tag></And></Filter>`),
      'InvalidRequest',
      'ExpiredObjectDeleteMarker cannot be specified with Tags.',
    ],
    [
      'ExpiredObjectDeleteMarker with a size filter',
      rule(MARKER, '<Filter><ObjectSizeLessThan>1000</ObjectSizeLessThan></Filter>'),
      'InvalidRequest',
      'ExpiredObjectDeleteMarker cannot be specified with Object Size.',
    ],
  ])('%s', (_name, xml, code, message, details) => expectError(xml, code, message, details));
});

describe('validateLifecycleRules: limits from the API reference and the user guide', () => {
  // Codes from Ceph s3-tests (test_lifecycle_id_too_long, test_lifecycle_same_id,
  // test_lifecycle_expiration_days0); wording as S3 clones agree on it.
  it.each<Case>([
    [
      'an ID over 255 characters',
      rule(EXPIRE, undefined, 'a'.repeat(256)),
      'InvalidArgument',
      'ID length should not exceed allowed limit of 255',
      { ArgumentName: 'ID', ArgumentValue: 'a'.repeat(256) },
    ],
    [
      'the same ID twice',
      rule(EXPIRE, undefined, 'r') + rule(EXPIRE, '<Filter/>', 'r'),
      'InvalidArgument',
      'Rule ID must be unique. Found same ID for more than one rule',
    ],
    [
      'Expiration Days 0',
      rule('<Expiration><Days>0</Days></Expiration>'),
      'InvalidArgument',
      "'Days' for Expiration action must be a positive integer",
    ],
    [
      'negative Expiration Days',
      rule('<Expiration><Days>-1</Days></Expiration>'),
      'InvalidArgument',
      "'Days' for Expiration action must be a positive integer",
    ],
    [
      'negative Transition Days',
      rule(days(-1, 'GLACIER')),
      'InvalidArgument',
      "'Days' in Transition action must be nonnegative",
    ],
    [
      'NoncurrentDays 0 for expiration ("a non-zero positive integer")',
      rule(
        '<NoncurrentVersionExpiration><NoncurrentDays>0</NoncurrentDays></NoncurrentVersionExpiration>',
      ),
      'InvalidArgument',
      "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
    ],
    [
      'NewerNoncurrentVersions 0',
      rule(
        '<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>0</NewerNoncurrentVersions></NoncurrentVersionExpiration>',
      ),
      'InvalidArgument',
      "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive integer",
    ],
    [
      'NewerNoncurrentVersions over 100 ("up to 100 noncurrent versions")',
      rule(
        '<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>101</NewerNoncurrentVersions></NoncurrentVersionExpiration>',
      ),
      'InvalidArgument',
      "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must not exceed 100",
    ],
    [
      'NewerNoncurrentVersions under the deprecated Prefix (intro-lifecycle-rules: InvalidRequest without a Filter)',
      rule(
        '<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration>',
        '<Prefix>logs/</Prefix>',
      ),
      'InvalidRequest',
      'NewerNoncurrentVersions element can only be used in Lifecycle V2.',
    ],
    [
      'a V1 Prefix rule beside a Filter rule',
      rule(EXPIRE, '<Prefix></Prefix>') + rule(EXPIRE),
      'InvalidRequest',
      'Base level prefix cannot be used in Lifecycle V2, prefixes are only supported in the Filter.',
    ],
    [
      'DaysAfterInitiation 0',
      rule(
        '<AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation></AbortIncompleteMultipartUpload>',
      ),
      'InvalidArgument',
      "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer",
    ],
    [
      'a size range that is empty (intro-lifecycle-rules: GreaterThan "must be less than" LessThan)',
      rule(
        EXPIRE,
        '<Filter><And><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>10</ObjectSizeLessThan></And></Filter>',
      ),
      'InvalidRequest',
      "'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'.",
    ],
    [
      'a negative ObjectSizeGreaterThan',
      rule(EXPIRE, '<Filter><ObjectSizeGreaterThan>-1</ObjectSizeGreaterThan></Filter>'),
      'InvalidRequest',
      "'ObjectSizeGreaterThan' should be between 0 and 1099511627776000.",
    ],
    [
      'an ObjectSizeLessThan of 0',
      rule(EXPIRE, '<Filter><ObjectSizeLessThan>0</ObjectSizeLessThan></Filter>'),
      'InvalidRequest',
      "'ObjectSizeLessThan' should be between 1 and 1099511627776000.",
    ],
    [
      'more than 1,000 rules',
      Array.from({ length: 1001 }, () => rule(EXPIRE)).join(''),
      'InvalidRequest',
      'The number of lifecycle rules must not exceed the allowed limit of 1000 rules.',
    ],
  ])('%s', (_name, xml, code, message, details) => expectError(xml, code, message, details));

  it('accepts exactly 1,000 rules and 255-character IDs', () => {
    expect(parse(Array.from({ length: 1000 }, () => rule(EXPIRE)).join(''))).toHaveLength(1000);
    expect(parse(rule(EXPIRE, undefined, 'é'.repeat(255)))[0]?.id).toHaveLength(255);
  });
});

describe('validateLifecycleRules: transitions walk down the waterfall', () => {
  // lifecycle-transition-general-considerations: supported transitions, the 30-day minimums.
  it.each<Case>([
    [
      'the same class twice',
      rule(days(30, 'GLACIER') + days(60, 'GLACIER')),
      'InvalidRequest',
      "'StorageClass' must be different for 'Transition' actions in same 'Rule' with filter '(prefix=)'",
    ],
    [
      'Date and Days mixed across Expiration and Transition',
      rule(`${date('2030-10-10T00:00:00Z', 'GLACIER')}<Expiration><Days>10</Days></Expiration>`),
      'InvalidRequest',
      "Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule for filter '(prefix=)'",
    ],
    [
      'a colder class earlier than a warmer one',
      rule(days(30, 'GLACIER') + days(60, 'STANDARD_IA'), '<Filter><Prefix>doc/</Prefix></Filter>'),
      'InvalidArgument',
      "'Days' in the 'Transition' action for StorageClass 'GLACIER' for filter '(prefix=doc/)' must be greater than 'Days' in the 'Transition' action for StorageClass 'STANDARD_IA' for filter '(prefix=doc/)'",
    ],
    [
      'an archive transition under 30 days after Standard-IA',
      rule(days(30, 'STANDARD_IA') + days(45, 'GLACIER')),
      'InvalidArgument',
      "'Days' in the 'Transition' action for StorageClass 'GLACIER' for filter '(prefix=)' must be 30 days more than 'Days' in the 'Transition' action for StorageClass 'STANDARD_IA' for filter '(prefix=)'",
    ],
    [
      'noncurrent One Zone-IA under 30 days after Standard-IA',
      rule(
        noncurrent(30, 'STANDARD_IA') + noncurrent(30, 'ONEZONE_IA'),
        '<Filter><Prefix>doc/</Prefix></Filter>',
      ),
      'InvalidArgument',
      "'NoncurrentDays' in the 'NoncurrentVersionTransition' action for StorageClass 'ONEZONE_IA' for filter '(prefix=doc/)' must be 30 days more than 'NoncurrentDays' in the 'NoncurrentVersionTransition' action for StorageClass 'STANDARD_IA' for filter '(prefix=doc/)'",
    ],
    [
      'noncurrent Standard-IA before 30 days',
      rule(noncurrent(29, 'STANDARD_IA')),
      'InvalidArgument',
      "'NoncurrentDays' in NoncurrentVersionTransition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'",
    ],
    [
      'a noncurrent expiration before the last noncurrent transition',
      rule(
        `${noncurrent(100, 'GLACIER')}<NoncurrentVersionExpiration><NoncurrentDays>90</NoncurrentDays></NoncurrentVersionExpiration>`,
      ),
      'InvalidArgument',
      "'NoncurrentDays' in the NoncurrentVersionExpiration action for filter '(prefix=)' must be greater than 'NoncurrentDays' in the NoncurrentVersionTransition action",
    ],
    [
      'an expiration Date not after the transition Date',
      rule(
        `${date('2030-10-10T00:00:00Z', 'GLACIER')}<Expiration><Date>2030-10-10T00:00:00Z</Date></Expiration>`,
      ),
      'InvalidArgument',
      "'Date' in the Expiration action for filter '(prefix=)' must be later than 'Date' in the Transition action",
    ],
    [
      'a move the user guide lists as unsupported (One Zone-IA to Glacier IR)',
      rule(days(30, 'ONEZONE_IA') + days(90, 'GLACIER_IR')),
      'InvalidArgument',
      "'Transition' actions cannot move objects from StorageClass 'ONEZONE_IA' to StorageClass 'GLACIER_IR'",
    ],
  ])('%s', (_name, xml, code, message, details) => expectError(xml, code, message, details));

  it.each([
    [
      'Standard-IA, Glacier 30 days later, Deep Archive, expiry',
      days(30, 'STANDARD_IA') +
        days(60, 'GLACIER') +
        days(61, 'DEEP_ARCHIVE') +
        '<Expiration><Days>62</Days></Expiration>',
    ],
    ['transitions out of document order', days(120, 'DEEP_ARCHIVE') + days(0, 'GLACIER_IR')],
    [
      'date-based steps',
      date('2030-01-01T00:00:00Z', 'INTELLIGENT_TIERING') + date('2030-01-02T00:00:00Z', 'GLACIER'),
    ],
  ])('accepts %s', (_name, xml) => {
    expect(parse(rule(xml))[0]?.transitions.length).toBeGreaterThan(1);
  });
});

describe('filterLabel', () => {
  const labelOf = (scope: string): string => {
    const [parsed] = parse(rule(EXPIRE, scope));
    if (!parsed) throw new Error('no rule');
    return filterLabel(parsed);
  };
  // The '(prefix=…)' form is what S3 users quote; the others follow OVH's S3 test
  // test_put_bucket_lifecycle_configuration_format_filter_size.
  it.each([
    ['<Filter/>', '(prefix=)'],
    ['<Prefix>old/</Prefix>', '(prefix=old/)'],
    ['<Filter><Prefix>doc/</Prefix></Filter>', '(prefix=doc/)'],
    [
      '<Filter><And><Prefix>doc/</Prefix><ObjectSizeGreaterThan>3000</ObjectSizeGreaterThan></And></Filter>',
      '(objectsizegreaterthan=3000 and prefix=doc/)',
    ],
    [`<Filter>${TAG}</Filter>`, '(tag: key=k, value=v)'],
  ])('%s is %s', (scope, label) => expect(labelOf(scope)).toBe(label));
});
