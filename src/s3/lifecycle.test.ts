import { describe, expect, it } from 'vitest';
import type { LifecycleRule } from '../storage/lifecycle-rules.js';
import {
  assignRuleIds,
  lifecycleConfigurationXml,
  parseLifecycleConfiguration,
} from './lifecycle.js';
import { buildXml, parseXmlBody } from './xml.js';

const parse = (rules: string): LifecycleRule[] =>
  parseLifecycleConfiguration(
    parseXmlBody(
      `<LifecycleConfiguration>${rules}</LifecycleConfiguration>`,
      'LifecycleConfiguration',
    ),
  );

const rule = (inner: string, scope = '<Filter></Filter>'): string =>
  `<Rule>${scope}<Status>Enabled</Status>${inner}</Rule>`;
const EXPIRE = '<Expiration><Days>1</Days></Expiration>';
const base = { status: 'Enabled', transitions: [], noncurrentVersionTransitions: [] } as const;

describe('parseLifecycleConfiguration: accepted documents', () => {
  // API reference: LifecycleRule, LifecycleRuleFilter, LifecycleRuleAndOperator,
  // LifecycleExpiration, Transition, NoncurrentVersion*, AbortIncompleteMultipartUpload;
  // user guide intro-lifecycle-rules and lifecycle-configuration-examples.
  it.each<[string, string, Partial<LifecycleRule>]>([
    ['an empty filter (every object)', rule(EXPIRE), { filter: {}, expiration: { days: 1 } }],
    [
      'a whitespace-only filter',
      rule(EXPIRE, '<Filter>\n  </Filter>'),
      { filter: {}, expiration: { days: 1 } },
    ],
    [
      'the deprecated top-level Prefix',
      rule(EXPIRE, '<Prefix>logs/</Prefix>'),
      { prefix: 'logs/' },
    ],
    [
      'a prefix filter',
      rule(EXPIRE, '<Filter><Prefix>tax/</Prefix></Filter>'),
      { filter: { prefix: 'tax/' } },
    ],
    [
      'a single tag, with an empty value',
      rule(EXPIRE, '<Filter><Tag><Key>k</Key><Value></Value></Tag></Filter>'),
      { filter: { tag: { key: 'k', value: '' } } },
    ],
    [
      'a size range inside And',
      rule(
        EXPIRE,
        '<Filter><And><Prefix>tax/</Prefix><ObjectSizeGreaterThan>500</ObjectSizeGreaterThan>' +
          '<ObjectSizeLessThan>64000</ObjectSizeLessThan></And></Filter>',
      ),
      {
        filter: {
          and: { prefix: 'tax/', tags: [], objectSizeGreaterThan: 500, objectSizeLessThan: 64000 },
        },
      },
    ],
    [
      'two tags inside And',
      rule(
        EXPIRE,
        '<Filter><And><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value>2</Value></Tag></And></Filter>',
      ),
      {
        filter: {
          and: {
            tags: [
              { key: 'a', value: '1' },
              { key: 'b', value: '2' },
            ],
          },
        },
      },
    ],
    [
      'an ID',
      `<Rule><ID>keep</ID><Filter/><Status>Disabled</Status>${EXPIRE}</Rule>`,
      { id: 'keep', status: 'Disabled' },
    ],
    [
      'a midnight Date in any ISO 8601 form S3 accepts',
      rule('<Expiration><Date>2030-10-10T00:00:00</Date></Expiration>'),
      { expiration: { date: Date.UTC(2030, 9, 10) } },
    ],
    [
      'a Date with an offset that is midnight UTC',
      rule('<Expiration><Date>2030-10-10T02:00:00+02:00</Date></Expiration>'),
      { expiration: { date: Date.UTC(2030, 9, 10) } },
    ],
    [
      'ExpiredObjectDeleteMarker as xs:boolean',
      rule('<Expiration><ExpiredObjectDeleteMarker>1</ExpiredObjectDeleteMarker></Expiration>'),
      { expiration: { expiredObjectDeleteMarker: true } },
    ],
    [
      'a waterfall of transitions, Days 0 allowed',
      rule(
        '<Transition><Days>0</Days><StorageClass>INTELLIGENT_TIERING</StorageClass></Transition>' +
          '<Transition><Days>90</Days><StorageClass>GLACIER</StorageClass></Transition>',
      ),
      {
        transitions: [
          { days: 0, storageClass: 'INTELLIGENT_TIERING' },
          { days: 90, storageClass: 'GLACIER' },
        ],
      },
    ],
    [
      'noncurrent actions with versions to retain',
      rule(
        '<NoncurrentVersionTransition><NoncurrentDays>30</NoncurrentDays><StorageClass>GLACIER</StorageClass>' +
          '</NoncurrentVersionTransition><NoncurrentVersionExpiration><NewerNoncurrentVersions>5' +
          '</NewerNoncurrentVersions><NoncurrentDays>365</NoncurrentDays></NoncurrentVersionExpiration>',
        '<Filter><Prefix></Prefix></Filter>',
      ),
      {
        noncurrentVersionTransitions: [{ noncurrentDays: 30, storageClass: 'GLACIER' }],
        noncurrentVersionExpiration: { noncurrentDays: 365, newerNoncurrentVersions: 5 },
      },
    ],
    [
      'AbortIncompleteMultipartUpload alone',
      rule(
        '<AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload>',
      ),
      { abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
    ],
  ])('reads %s', (_name, xml, expected) => {
    const [parsed] = parse(xml);
    expect(parsed).toMatchObject({ ...base, ...expected });
    if (!xml.includes('<ID>')) expect(parsed?.id).toBeUndefined();
  });

  it('drops an empty ID, which S3 replaces as it does a missing one', () => {
    expect(
      parse(`<Rule><ID></ID><Filter/><Status>Enabled</Status>${EXPIRE}</Rule>`)[0]?.id,
    ).toBeUndefined();
  });

  it('keeps rules in document order', () => {
    const ids = parse(`${rule(EXPIRE).replace('<Rule>', '<Rule><ID>a</ID>')}${rule(EXPIRE)}`);
    expect(ids.map((r) => r.id)).toEqual(['a', undefined]);
  });
});

describe('parseLifecycleConfiguration: MalformedXML, as S3 answers a schema violation', () => {
  it.each<[string, string]>([
    // LocalStack's AWS-recorded snapshot, TestS3BucketLifecycle::test_put_bucket_lifecycle_conf_exc
    [
      'no Filter and no Prefix ("missing-filter")',
      `<Rule><Status>Enabled</Status>${EXPIRE}</Rule>`,
    ],
    [
      'a NoncurrentVersionExpiration with neither field',
      rule('<NoncurrentVersionExpiration></NoncurrentVersionExpiration>'),
    ],
    [
      'And beside Prefix in one Filter ("wrong-filter-and-plus-prefix")',
      rule(EXPIRE, '<Filter><And><Prefix>test</Prefix></And><Prefix></Prefix></Filter>'),
    ],
    [
      'ObjectSizeGreaterThan beside Prefix without And',
      rule(
        EXPIRE,
        '<Filter><ObjectSizeGreaterThan>500</ObjectSizeGreaterThan><Prefix></Prefix></Filter>',
      ),
    ],
    [
      'Days with ExpiredObjectDeleteMarker ("expired-delete-marker-and-days")',
      rule(
        '<Expiration><Days>1</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>',
      ),
    ],
    // API reference, LifecycleRule: Status "Valid Values: Enabled | Disabled"; Ceph s3-tests
    // test_lifecycle_invalid_status expects MalformedXML for "enabled".
    ['a lower-case Status', `<Rule><Filter/><Status>enabled</Status>${EXPIRE}</Rule>`],
    ['no Status', `<Rule><Filter/>${EXPIRE}</Rule>`],
    // Ceph s3-tests test_lifecycle_set_invalid_date: a date that is not ISO 8601.
    ['a Date that is not ISO 8601', rule('<Expiration><Date>20200101</Date></Expiration>')],
    // API reference, LifecycleRule/LifecycleRuleFilter: Filter with exactly one member,
    // required without Prefix; XML schema types for the rest.
    ['no rule at all', ''],
    ['both Filter and Prefix', rule(EXPIRE, '<Filter></Filter><Prefix></Prefix>')],
    ['two Filters', rule(EXPIRE, '<Filter/><Filter/>')],
    [
      'both size bounds without And',
      rule(
        EXPIRE,
        '<Filter><ObjectSizeGreaterThan>1</ObjectSizeGreaterThan><ObjectSizeLessThan>9</ObjectSizeLessThan></Filter>',
      ),
    ],
    [
      'two Tags without And',
      rule(
        EXPIRE,
        '<Filter><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value>2</Value></Tag></Filter>',
      ),
    ],
    [
      'an And with one predicate',
      rule(EXPIRE, '<Filter><And><ObjectSizeLessThan>15</ObjectSizeLessThan></And></Filter>'),
    ],
    ['a Tag without Value', rule(EXPIRE, '<Filter><Tag><Key>a</Key></Tag></Filter>')],
    ['an element S3 does not define', rule(`${EXPIRE}<Priority>1</Priority>`)],
    ['text inside a container', rule(EXPIRE, '<Filter>logs/</Filter>')],
    ['an empty Expiration', rule('<Expiration></Expiration>')],
    [
      'Days and Date in one Expiration',
      rule('<Expiration><Days>1</Days><Date>2030-10-10T00:00:00Z</Date></Expiration>'),
    ],
    ['two Expirations', rule(`${EXPIRE}${EXPIRE}`)],
    ['Days that is not an integer', rule('<Expiration><Days>1.5</Days></Expiration>')],
    [
      'an ExpiredObjectDeleteMarker that is not a boolean',
      rule('<Expiration><ExpiredObjectDeleteMarker>yes</ExpiredObjectDeleteMarker></Expiration>'),
    ],
    [
      'a Transition without Days or Date',
      rule('<Transition><StorageClass>GLACIER</StorageClass></Transition>'),
    ],
    [
      'a Transition with Days and Date',
      rule(
        '<Transition><Days>40</Days><Date>2030-10-10T00:00:00Z</Date><StorageClass>GLACIER</StorageClass></Transition>',
      ),
    ],
    [
      'a Transition to a class lifecycle cannot target',
      rule('<Transition><Days>40</Days><StorageClass>STANDARD</StorageClass></Transition>'),
    ],
    [
      'a NoncurrentVersionTransition without NoncurrentDays',
      rule(
        '<NoncurrentVersionTransition><StorageClass>GLACIER</StorageClass></NoncurrentVersionTransition>',
      ),
    ],
    [
      'a NoncurrentVersionExpiration with only NewerNoncurrentVersions',
      rule(
        '<NoncurrentVersionExpiration><NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration>',
      ),
    ],
    [
      'an AbortIncompleteMultipartUpload without DaysAfterInitiation',
      rule('<AbortIncompleteMultipartUpload></AbortIncompleteMultipartUpload>'),
    ],
  ])('refuses %s', (_name, xml) => {
    expect(() => parse(xml)).toThrow(expect.objectContaining({ code: 'MalformedXML' }));
  });
});

describe('lifecycleConfigurationXml', () => {
  const body = (rules: LifecycleRule[]): string =>
    buildXml('LifecycleConfiguration', lifecycleConfigurationXml(rules));

  it('writes ID, Filter, Status, then the actions, as the user guide examples show them', () => {
    const xml = body(
      parse(
        `<Rule><AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload>` +
          `<NoncurrentVersionExpiration><NewerNoncurrentVersions>2</NewerNoncurrentVersions><NoncurrentDays>400</NoncurrentDays></NoncurrentVersionExpiration>` +
          `<NoncurrentVersionTransition><StorageClass>GLACIER</StorageClass><NoncurrentDays>30</NoncurrentDays></NoncurrentVersionTransition>` +
          `<Expiration><Days>365</Days></Expiration>` +
          `<Transition><StorageClass>STANDARD_IA</StorageClass><Days>30</Days></Transition>` +
          `<Status>Enabled</Status><Filter><Prefix>logs/</Prefix></Filter><ID>r1</ID></Rule>`,
      ),
    );
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule>' +
        '<ID>r1</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>' +
        '<Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition>' +
        '<Expiration><Days>365</Days></Expiration>' +
        '<NoncurrentVersionTransition><NoncurrentDays>30</NoncurrentDays><StorageClass>GLACIER</StorageClass></NoncurrentVersionTransition>' +
        '<NoncurrentVersionExpiration><NoncurrentDays>400</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration>' +
        '<AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload>' +
        '</Rule></LifecycleConfiguration>',
    );
  });

  it.each([
    rule(EXPIRE),
    rule(EXPIRE, '<Prefix>old/</Prefix>'),
    rule(EXPIRE, '<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>'),
    rule(EXPIRE, '<Filter><ObjectSizeLessThan>10</ObjectSizeLessThan></Filter>'),
    rule(
      EXPIRE,
      '<Filter><And><Prefix></Prefix><Tag><Key>k</Key><Value>v</Value></Tag><ObjectSizeGreaterThan>0</ObjectSizeGreaterThan></And></Filter>',
    ),
    rule('<Expiration><Date>2031-01-01T00:00:00.000Z</Date></Expiration>'),
    rule('<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>'),
    rule(
      '<Transition><Date>2031-01-01T00:00:00.000Z</Date><StorageClass>DEEP_ARCHIVE</StorageClass></Transition>',
    ),
  ])('reads back what it wrote: %s', (xml) => {
    const rules = parse(xml);
    const written = body(rules);
    expect(
      parse(
        written.replace(/^[\s\S]*?<LifecycleConfiguration[^>]*>|<\/LifecycleConfiguration>$/g, ''),
      ),
    ).toEqual(rules);
  });

  it('writes a Date as ISO 8601 with milliseconds', () => {
    expect(body(parse(rule('<Expiration><Date>2031-01-01</Date></Expiration>')))).toContain(
      '<Expiration><Date>2031-01-01T00:00:00.000Z</Date></Expiration>',
    );
  });
});

describe('assignRuleIds', () => {
  it('gives an ID to each rule without one and leaves the others', () => {
    let n = 0;
    const rules = assignRuleIds(
      parse(`${rule(EXPIRE)}<Rule><ID>x</ID><Filter/><Status>Enabled</Status>${EXPIRE}</Rule>`),
      () => `gen-${++n}`,
    );
    expect(rules.map((r) => r.id)).toEqual(['gen-1', 'x']);
  });
});
