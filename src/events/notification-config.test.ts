import { describe, expect, it } from 'vitest';
import { S3Error } from '../s3/errors.js';
import { parseXmlBody } from '../s3/xml.js';
import {
  destinationProblemsError,
  MAX_NOTIFICATION_CONFIGURATIONS,
  missingDestinationReason,
  parseDestinationArn,
  validateNotificationConfiguration,
} from './notification-config.js';
import { notificationFromXml } from './notification-xml.js';

/** A configuration as the handler sees it: S3's XML, parsed. */
const fromXml = (xml: string) =>
  notificationFromXml(parseXmlBody(xml, 'NotificationConfiguration'));

const outcome = (xml: string) => {
  try {
    validateNotificationConfiguration(fromXml(xml));
    return 'accepted';
  } catch (error) {
    if (!(error instanceof S3Error)) throw error;
    return { code: error.code, message: error.message, details: error.details };
  }
};

const rule = (name: string, value: string) =>
  `<FilterRule><Name>${name}</Name><Value>${value}</Value></FilterRule>`;
const filter = (...rules: string[]) => `<Filter><S3Key>${rules.join('')}</S3Key></Filter>`;
const queue = (name: string, events: string[], ...rules: string[]) =>
  `<QueueConfiguration><Queue>arn:aws:sqs:us-east-1:000000000000:${name}</Queue>${events
    .map((e) => `<Event>${e}</Event>`)
    .join('')}${rules.length > 0 ? filter(...rules) : ''}</QueueConfiguration>`;
const doc = (...configurations: string[]) =>
  `<NotificationConfiguration>${configurations.join('')}</NotificationConfiguration>`;

const OVERLAP =
  'Configurations overlap. Configurations on the same bucket cannot share a common event type.';
const AMBIGUOUS =
  'Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are overlapping for the same event type.';
const overlap = (events: string) => ({
  code: 'InvalidArgument',
  message: OVERLAP,
  details: { ArgumentName: 'Event', ArgumentValue: events },
});
const ambiguous = { code: 'InvalidArgument', message: AMBIGUOUS, details: {} };

// The examples of the S3 User Guide page "Configuring event notifications using object key
// name filtering" (awsdocs/amazon-s3-userguide, doc_source/notification-how-to-filtering.md),
// verbatim except where noted.
const DOCS_VALID_PREFIX_AND_SUFFIX = `<NotificationConfiguration>
  <QueueConfiguration>
      <Id>1</Id>
      <Filter>
          <S3Key>
              <FilterRule>
                  <Name>prefix</Name>
                  <Value>images/</Value>
              </FilterRule>
              <FilterRule>
                  <Name>suffix</Name>
                  <Value>jpg</Value>
              </FilterRule>
          </S3Key>
     </Filter>
     <Queue>arn:aws:sqs:us-west-2:444455556666:s3notificationqueue</Queue>
     <Event>s3:ObjectCreated:Put</Event>
  </QueueConfiguration>
</NotificationConfiguration>`;

const DOCS_VALID_NON_OVERLAPPING_PREFIXES = `<NotificationConfiguration>
  <QueueConfiguration>
     <Id>1</Id>
     <Filter><S3Key><FilterRule><Name>prefix</Name><Value>images/</Value></FilterRule></S3Key></Filter>
     <Queue>arn:aws:sqs:us-west-2:444455556666:sqs-queue-A</Queue>
     <Event>s3:ObjectCreated:Put</Event>
  </QueueConfiguration>
  <QueueConfiguration>
     <Id>2</Id>
     <Filter><S3Key><FilterRule><Name>prefix</Name><Value>logs/</Value></FilterRule></S3Key></Filter>
     <Queue>arn:aws:sqs:us-west-2:444455556666:sqs-queue-B</Queue>
     <Event>s3:ObjectCreated:Put</Event>
  </QueueConfiguration>
</NotificationConfiguration>`;

/** The docs write Lambda ARNs without `function:`; `lambda` picks the form to use. */
const docsNonOverlappingSuffixes = (
  lambda: (name: string) => string,
) => `<NotificationConfiguration>
  <CloudFunctionConfiguration>
     <Id>1</Id>
     <Filter><S3Key><FilterRule><Name>suffix</Name><Value>.jpg</Value></FilterRule></S3Key></Filter>
     <CloudFunction>${lambda('cloud-function-A')}</CloudFunction>
     <Event>s3:ObjectCreated:Put</Event>
  </CloudFunctionConfiguration>
  <CloudFunctionConfiguration>
     <Id>2</Id>
     <Filter><S3Key><FilterRule><Name>suffix</Name><Value>.png</Value></FilterRule></S3Key></Filter>
     <CloudFunction>${lambda('cloud-function-B')}</CloudFunction>
     <Event>s3:ObjectCreated:Put</Event>
  </CloudFunctionConfiguration>
</NotificationConfiguration>`;

const docsOverlappingPrefixesDistinctSuffixes = (lambda: (name: string) => string) =>
  `<NotificationConfiguration>
  <CloudFunctionConfiguration>
     <Id>1</Id>
     <Filter><S3Key>
        <FilterRule><Name>prefix</Name><Value>images</Value></FilterRule>
        <FilterRule><Name>suffix</Name><Value>.jpg</Value></FilterRule>
     </S3Key></Filter>
     <CloudFunction>${lambda('cloud-function-A')}</CloudFunction>
     <Event>s3:ObjectCreated:Put</Event>
  </CloudFunctionConfiguration>
  <CloudFunctionConfiguration>
     <Id>2</Id>
     <Filter><S3Key>
        <FilterRule><Name>prefix</Name><Value>images</Value></FilterRule>
        <FilterRule><Name>suffix</Name><Value>.png</Value></FilterRule>
     </S3Key></Filter>
     <CloudFunction>${lambda('cloud-function-B')}</CloudFunction>
     <Event>s3:ObjectCreated:Put</Event>
  </CloudFunctionConfiguration>
</NotificationConfiguration>`;

const asInDocs = (name: string) => `arn:aws:lambda:us-west-2:444455556666:${name}`;
const withFunction = (name: string) => `arn:aws:lambda:us-west-2:444455556666:function:${name}`;

const DOCS_INVALID_ROOT_PREFIX = `<NotificationConfiguration>
     <TopicConfiguration>
         <Topic>arn:aws:sns:us-west-2:444455556666:sns-notification-one</Topic>
         <Event>s3:ObjectCreated:*</Event>
    </TopicConfiguration>
    <TopicConfiguration>
         <Topic>arn:aws:sns:us-west-2:444455556666:sns-notification-two</Topic>
         <Event>s3:ObjectCreated:*</Event>
         <Filter><S3Key><FilterRule><Name>prefix</Name><Value>images</Value></FilterRule></S3Key></Filter>
    </TopicConfiguration>
</NotificationConfiguration>`;

// The docs close this one with `</NotificationConfiguration` (no `>`); fixed here.
const DOCS_INVALID_OVERLAPPING_SUFFIXES = ` <NotificationConfiguration>
     <TopicConfiguration>
         <Topic>arn:aws:sns:us-west-2:444455556666:sns-topic-one</Topic>
         <Event>s3:ObjectCreated:*</Event>
         <Filter><S3Key><FilterRule><Name>suffix</Name><Value>jpg</Value></FilterRule></S3Key></Filter>
    </TopicConfiguration>
    <TopicConfiguration>
         <Topic>arn:aws:sns:us-west-2:444455556666:sns-topic-two</Topic>
         <Event>s3:ObjectCreated:Put</Event>
         <Filter><S3Key><FilterRule><Name>suffix</Name><Value>pg</Value></FilterRule></S3Key></Filter>
    </TopicConfiguration>
</NotificationConfiguration>`;

const DOCS_INVALID_PREFIX_AND_SUFFIX = `<NotificationConfiguration>
     <TopicConfiguration>
         <Topic>arn:aws:sns:us-west-2:444455556666:sns-topic-one</Topic>
         <Event>s3:ObjectCreated:*</Event>
         <Filter><S3Key>
             <FilterRule><Name>prefix</Name><Value>images</Value></FilterRule>
             <FilterRule><Name>suffix</Name><Value>jpg</Value></FilterRule>
         </S3Key></Filter>
    </TopicConfiguration>
    <TopicConfiguration>
         <Topic>arn:aws:sns:us-west-2:444455556666:sns-topic-two</Topic>
         <Event>s3:ObjectCreated:Put</Event>
         <Filter><S3Key><FilterRule><Name>suffix</Name><Value>jpg</Value></FilterRule></S3Key></Filter>
    </TopicConfiguration>
</NotificationConfiguration>`;

describe('validateNotificationConfiguration accepts', () => {
  it.each([
    ['docs: a prefix and a suffix', DOCS_VALID_PREFIX_AND_SUFFIX],
    ['docs: non-overlapping prefixes', DOCS_VALID_NON_OVERLAPPING_PREFIXES],
    [
      'docs: non-overlapping suffixes (.jpg, .png), Lambda ARNs with function:',
      docsNonOverlappingSuffixes(withFunction),
    ],
    [
      'docs: overlapping prefixes with non-overlapping suffixes, Lambda ARNs with function:',
      docsOverlappingPrefixesDistinctSuffixes(withFunction),
    ],
    [
      'docs: the same prefix for different event types',
      doc(
        queue('a', ['s3:ObjectCreated:Put'], rule('prefix', 'image/')),
        queue('b', ['s3:ObjectRemoved:*'], rule('prefix', 'image/')),
      ),
    ],
    [
      'distinct prefixes under a shared suffix (terraform docs example)',
      doc(
        queue('a', ['s3:ObjectCreated:*'], rule('prefix', 'AWSLogs/'), rule('suffix', '.log')),
        queue('b', ['s3:ObjectCreated:*'], rule('prefix', 'OtherLogs/'), rule('suffix', '.log')),
      ),
    ],
    [
      'a wildcard beside a different family',
      doc(queue('a', ['s3:ObjectCreated:*']), queue('b', ['s3:ObjectRemoved:*'])),
    ],
    [
      'two specific names of one family',
      doc(queue('a', ['s3:ObjectCreated:Put']), queue('b', ['s3:ObjectCreated:Copy'])),
    ],
    [
      'prefixes that share letters but neither starts the other',
      doc(
        queue('a', ['s3:ObjectCreated:*'], rule('prefix', 'images/a')),
        queue('b', ['s3:ObjectCreated:*'], rule('prefix', 'images/b')),
      ),
    ],
    [
      'rule names in any case',
      doc(
        queue('a', ['s3:ObjectCreated:*'], rule('PREFIX', 'a/'), rule('Suffix', '.jpg')),
        queue('b', ['s3:ObjectCreated:*'], rule('pReFiX', 'b/'), rule('SUFFIX', '.jpg')),
      ),
    ],
    [
      'an empty value (LocalStack test_filter_rules_empty_value)',
      doc(queue('a', ['s3:ObjectCreated:*'], rule('Suffix', ''))),
    ],
    [
      'an empty filter',
      doc(
        queue('a', ['s3:ObjectCreated:*']).replace('</Queue>', '</Queue><Filter><S3Key/></Filter>'),
      ),
    ],
    [
      'only EventBridge',
      '<NotificationConfiguration><EventBridgeConfiguration/></NotificationConfiguration>',
    ],
    ['nothing at all', '<NotificationConfiguration/>'],
    [
      'every kind, the webhook form and a qualified function',
      doc(
        queue('q', ['s3:ObjectCreated:*']),
        '<QueueConfiguration><Queue>arn:vigil:webhook:::hook</Queue><Event>s3:ObjectRemoved:*</Event></QueueConfiguration>',
        '<TopicConfiguration><Topic>arn:aws-cn:sns:cn-north-1:000000000000:t</Topic><Event>s3:ObjectTagging:*</Event></TopicConfiguration>',
        '<CloudFunctionConfiguration><CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST</CloudFunction><Event>s3:ObjectRestore:*</Event></CloudFunctionConfiguration>',
      ),
    ],
    [
      `${MAX_NOTIFICATION_CONFIGURATIONS} configurations`,
      doc(
        ...Array.from({ length: MAX_NOTIFICATION_CONFIGURATIONS }, (_, i) =>
          queue(`q${i}`, ['s3:ObjectCreated:*'], rule('prefix', `p${i}/`)),
        ),
      ),
    ],
  ])('%s', (_label, xml) => {
    expect(outcome(xml)).toBe('accepted');
  });
});

describe('validateNotificationConfiguration rejects', () => {
  it.each<[string, string, unknown]>([
    ['docs: a filterless rule beside a prefix (root prefix)', DOCS_INVALID_ROOT_PREFIX, ambiguous],
    ['docs: overlapping suffixes jpg / pg, * / Put', DOCS_INVALID_OVERLAPPING_SUFFIXES, ambiguous],
    ['docs: overlapping prefix and suffix', DOCS_INVALID_PREFIX_AND_SUFFIX, ambiguous],
    [
      'docs examples as written: a Lambda ARN without function: cannot be parsed',
      docsNonOverlappingSuffixes(asInDocs),
      {
        code: 'InvalidArgument',
        message: 'The ARN could not be parsed',
        details: { ArgumentName: 'CloudFunction', ArgumentValue: asInDocs('cloud-function-A') },
      },
    ],
    [
      'the same configuration twice (minio/minio#2472)',
      doc(queue('a', ['s3:ObjectRemoved:*']), queue('a', ['s3:ObjectRemoved:*'])),
      overlap('s3:ObjectRemoved:*, s3:ObjectRemoved:*'),
    ],
    [
      'two filterless rules, wildcard and specific',
      doc(queue('a', ['s3:ObjectCreated:Put']), queue('b', ['s3:ObjectCreated:*'])),
      overlap('s3:ObjectCreated:Put, s3:ObjectCreated:*'),
    ],
    [
      'identical filters name the first shared pair of events',
      doc(
        queue('a', ['s3:ObjectRemoved:*', 's3:ObjectCreated:*'], rule('prefix', 'a/')),
        queue('b', ['s3:ObjectCreated:Copy'], rule('Prefix', 'a/')),
      ),
      overlap('s3:ObjectCreated:*, s3:ObjectCreated:Copy'),
    ],
    [
      'no filter and an empty prefix select the same keys',
      doc(
        queue('a', ['s3:ObjectCreated:*']),
        queue('b', ['s3:ObjectCreated:*'], rule('prefix', '')),
      ),
      overlap('s3:ObjectCreated:*, s3:ObjectCreated:*'),
    ],
    [
      'nested prefixes',
      doc(
        queue('a', ['s3:ObjectCreated:*'], rule('prefix', 'images')),
        queue('b', ['s3:ObjectCreated:*'], rule('prefix', 'images/')),
      ),
      ambiguous,
    ],
    [
      'overlapping prefixes whose suffixes also overlap',
      doc(
        queue('a', ['s3:ObjectCreated:Put'], rule('prefix', 'a'), rule('suffix', '.tar.gz')),
        queue('b', ['s3:ObjectCreated:Put'], rule('prefix', 'a/b'), rule('suffix', '.gz')),
      ),
      ambiguous,
    ],
    [
      'a filtered rule after a filterless one of another kind',
      doc(
        '<TopicConfiguration><Topic>arn:aws:sns:us-east-1:000000000000:t</Topic><Event>s3:ObjectCreated:*</Event></TopicConfiguration>',
        queue('a', ['s3:ObjectCreated:Post'], rule('suffix', '.gz')),
      ),
      ambiguous,
    ],
    [
      'an unknown event name',
      doc(queue('a', ['s3:ObjectCreated:Put', 's3:ObjectAccessed:Get'])),
      {
        code: 'InvalidArgument',
        message: 'The event is not supported for notifications',
        details: { ArgumentName: 'Event', ArgumentValue: 's3:ObjectAccessed:Get' },
      },
    ],
    [
      's3:TestEvent, which S3 sends but cannot be configured',
      doc(queue('a', ['s3:TestEvent'])),
      {
        code: 'InvalidArgument',
        message: 'The event is not supported for notifications',
        details: { ArgumentName: 'Event', ArgumentValue: 's3:TestEvent' },
      },
    ],
    [
      'a filter rule name other than prefix or suffix (LocalStack snapshot)',
      doc(queue('a', ['s3:ObjectCreated:*'], rule('INVALID', 'x'))),
      {
        code: 'InvalidArgument',
        message: 'filter rule name must be either prefix or suffix',
        details: { ArgumentName: 'FilterRule.Name', ArgumentValue: 'INVALID' },
      },
    ],
    [
      'two prefix rules in one filter, in different cases',
      doc(queue('a', ['s3:ObjectCreated:*'], rule('prefix', 'a/'), rule('PREFIX', 'b/'))),
      {
        code: 'InvalidArgument',
        message: 'Cannot specify more than one prefix rule in a filter.',
        details: {},
      },
    ],
    [
      'two suffix rules in one filter',
      doc(queue('a', ['s3:ObjectCreated:*'], rule('suffix', '.a'), rule('Suffix', '.b'))),
      {
        code: 'InvalidArgument',
        message: 'Cannot specify more than one suffix rule in a filter.',
        details: {},
      },
    ],
    [
      'two configurations with one Id',
      doc(
        queue('a', ['s3:ObjectCreated:*']).replace('<Queue>', '<Id>same</Id><Queue>'),
        queue('b', ['s3:ObjectRemoved:*']).replace('<Queue>', '<Id>same</Id><Queue>'),
      ),
      {
        code: 'InvalidArgument',
        message: 'Configuration Ids must be unique within a notification configuration.',
        details: { ArgumentName: 'Id', ArgumentValue: 'same' },
      },
    ],
    [
      `${MAX_NOTIFICATION_CONFIGURATIONS + 1} configurations`,
      doc(
        ...Array.from({ length: MAX_NOTIFICATION_CONFIGURATIONS + 1 }, (_, i) =>
          queue(`q${i}`, ['s3:ObjectCreated:*'], rule('prefix', `p${i}/`)),
        ),
      ),
      {
        code: 'InvalidArgument',
        message: 'A bucket can have at most 100 notification configurations.',
        details: { ArgumentName: 'NotificationConfiguration', ArgumentValue: '101' },
      },
    ],
    [
      'a malformed ARN in a later configuration before an overlap between earlier ones',
      doc(
        queue('a', ['s3:ObjectCreated:*']),
        queue('b', ['s3:ObjectCreated:*']),
        '<QueueConfiguration><Queue>invalid_arn_2</Queue><Event>s3:ObjectRemoved:*</Event></QueueConfiguration>',
      ),
      {
        code: 'InvalidArgument',
        message: 'The ARN could not be parsed',
        details: { ArgumentName: 'Queue', ArgumentValue: 'invalid_arn_2' },
      },
    ],
    [
      'a malformed ARN before an unknown event of the same configuration',
      doc('<QueueConfiguration><Queue>q</Queue><Event>s3:Nope</Event></QueueConfiguration>'),
      {
        code: 'InvalidArgument',
        message: 'The ARN could not be parsed',
        details: { ArgumentName: 'Queue', ArgumentValue: 'q' },
      },
    ],
  ])('%s', (_label, xml, expected) => {
    expect(outcome(xml)).toEqual(expected);
  });

  it.each([
    ['Queue', 'QueueConfiguration', 'invalid-queue'],
    ['Queue', 'QueueConfiguration', 'arn:aws:sns:us-east-1:000000000000:topic'],
    ['Topic', 'TopicConfiguration', 'arn:aws:sqs:us-east-1:000000000000:queue'],
    ['CloudFunction', 'CloudFunctionConfiguration', 'arn:aws:lambda:us-east-1:000000000000:f'],
    // The newer spelling is reported under the element S3 names, CloudFunction.
    ['CloudFunction', 'LambdaFunctionConfiguration', 'not-an-arn'],
  ])('an unparseable ARN names the %s element (%s: %s)', (argument, element, arn) => {
    const arnElement = element === 'LambdaFunctionConfiguration' ? 'LambdaFunctionArn' : argument;
    const xml = doc(
      `<${element}><${arnElement}>${arn}</${arnElement}><Event>s3:ObjectCreated:*</Event></${element}>`,
    );
    expect(outcome(xml)).toEqual({
      code: 'InvalidArgument',
      message: 'The ARN could not be parsed',
      details: { ArgumentName: argument, ArgumentValue: arn },
    });
  });
});

describe('parseDestinationArn', () => {
  it.each([
    [
      'queue',
      'arn:aws:sqs:us-east-1:000000000000:review',
      {
        service: 'sqs',
        partition: 'aws',
        region: 'us-east-1',
        account: '000000000000',
        name: 'review',
      },
    ],
    [
      'queue',
      'arn:aws-us-gov:sqs:us-gov-west-1:123456789012:orders.fifo',
      {
        service: 'sqs',
        partition: 'aws-us-gov',
        region: 'us-gov-west-1',
        account: '123456789012',
        name: 'orders.fifo',
      },
    ],
    [
      'queue',
      'arn:vigil:webhook:us-east-1:000000000000:hook_1',
      {
        service: 'webhook',
        partition: 'vigil',
        region: 'us-east-1',
        account: '000000000000',
        name: 'hook_1',
      },
    ],
    [
      'queue',
      'arn:vigil:webhook:::hook',
      { service: 'webhook', partition: 'vigil', region: '', account: '', name: 'hook' },
    ],
    [
      'queue',
      'arn:vigil:nats:us-east-1:000000000000:workers',
      {
        service: 'nats',
        partition: 'vigil',
        region: 'us-east-1',
        account: '000000000000',
        name: 'workers',
      },
    ],
    [
      'queue',
      'arn:vigil:nats:::workers_2',
      { service: 'nats', partition: 'vigil', region: '', account: '', name: 'workers_2' },
    ],
    [
      'topic',
      'arn:aws-cn:sns:cn-north-1:000000000000:audit-topic',
      {
        service: 'sns',
        partition: 'aws-cn',
        region: 'cn-north-1',
        account: '000000000000',
        name: 'audit-topic',
      },
    ],
    [
      'lambda',
      'arn:aws:lambda:us-east-1:000000000000:function:moderate-image',
      {
        service: 'lambda',
        partition: 'aws',
        region: 'us-east-1',
        account: '000000000000',
        name: 'moderate-image',
      },
    ],
    [
      'lambda',
      'arn:aws:lambda:us-east-1:000000000000:function:moderate:$LATEST',
      {
        service: 'lambda',
        partition: 'aws',
        region: 'us-east-1',
        account: '000000000000',
        name: 'moderate',
        qualifier: '$LATEST',
      },
    ],
    [
      'lambda',
      'arn:aws:lambda:eu-west-1:000000000000:function:moderate:live',
      {
        service: 'lambda',
        partition: 'aws',
        region: 'eu-west-1',
        account: '000000000000',
        name: 'moderate',
        qualifier: 'live',
      },
    ],
  ] as const)('%s %s', (kind, arn, expected) => {
    expect(parseDestinationArn(kind, arn)).toEqual(expected);
  });

  it.each([
    ['queue', 'invalid-queue'],
    ['queue', ''],
    ['queue', 'arn:aws:sqs:us-east-1:00000000000:short-account'],
    ['queue', 'arn:aws:sqs::000000000000:no-region'],
    ['queue', 'arn:aws:sqs:us-east-1:000000000000:'],
    ['queue', 'arn:aws:sqs:us-east-1:000000000000:a:b'],
    ['queue', `arn:aws:sqs:us-east-1:000000000000:${'q'.repeat(81)}`],
    ['queue', 'arn:aws:sqs:us-east-1:000000000000:sp ace'],
    ['queue', 'arn:foo:sqs:us-east-1:000000000000:q'],
    ['queue', 'arn:aws:webhook:us-east-1:000000000000:hook'],
    ['queue', 'arn:vigil:webhook:us-east-1:123:hook'],
    ['queue', 'arn:vigil:webhook:::'],
    ['queue', 'arn:aws:nats:us-east-1:000000000000:workers'],
    ['queue', 'arn:vigil:nats:us-east-1:123:workers'],
    ['queue', 'arn:vigil:nats:us-east-1:000000000000:work.ers'],
    ['queue', `arn:vigil:nats:::${'n'.repeat(81)}`],
    ['topic', 'arn:vigil:nats:::workers'],
    ['queue', 'arn:aws:sns:us-east-1:000000000000:topic'],
    ['topic', 'arn:aws:sqs:us-east-1:000000000000:queue'],
    ['topic', 'arn:vigil:webhook:::hook'],
    ['topic', 'arn:aws:sns:us-east-1:000000000000'],
    ['lambda', 'arn:aws:lambda:us-east-1:000000000000:moderate'],
    ['lambda', 'arn:aws:lambda:us-east-1:000000000000:function:'],
    ['lambda', 'arn:aws:lambda:us-east-1:000000000000:function:f:a:b'],
    ['lambda', `arn:aws:lambda:us-east-1:000000000000:function:${'f'.repeat(65)}`],
    ['lambda', 'ARN:aws:lambda:us-east-1:000000000000:function:f'],
  ] as const)('%s %s does not parse', (kind, arn) => {
    expect(parseDestinationArn(kind, arn)).toBeUndefined();
  });
});

describe('destination problems', () => {
  it('numbers every problem, name before value, in order; functions get ", null"', () => {
    const error = destinationProblemsError([
      {
        kind: 'queue',
        arn: 'arn:aws:sqs:us-east-1:111111111111:my-queue',
        reason: 'The destination queue does not exist',
      },
      {
        kind: 'lambda',
        arn: 'arn:aws:lambda:us-east-1:111111111111:function:f',
        reason:
          'Not authorized to invoke function [arn:aws:lambda:us-east-1:111111111111:function:f]',
      },
      {
        kind: 'topic',
        arn: 'arn:aws:sns:us-east-1:111111111111:t',
        reason: 'The destination topic does not exist',
      },
    ]);
    expect(error.code).toBe('InvalidArgument');
    expect(error.status).toBe(400);
    expect(error.message).toBe('Unable to validate the following destination configurations');
    expect(Object.entries(error.details)).toEqual([
      ['ArgumentName1', 'arn:aws:sqs:us-east-1:111111111111:my-queue'],
      ['ArgumentValue1', 'The destination queue does not exist'],
      ['ArgumentName2', 'arn:aws:lambda:us-east-1:111111111111:function:f, null'],
      [
        'ArgumentValue2',
        'Not authorized to invoke function [arn:aws:lambda:us-east-1:111111111111:function:f]',
      ],
      ['ArgumentName3', 'arn:aws:sns:us-east-1:111111111111:t'],
      ['ArgumentValue3', 'The destination topic does not exist'],
    ]);
  });

  it.each([
    ['queue', 'arn:aws:sqs:us-east-1:1:q', 'The destination queue does not exist'],
    ['topic', 'arn:aws:sns:us-east-1:1:t', 'The destination topic does not exist'],
    [
      'lambda',
      'arn:aws:lambda:us-east-1:1:function:f',
      'Not authorized to invoke function [arn:aws:lambda:us-east-1:1:function:f]',
    ],
  ] as const)('a missing %s reads as S3 words it', (kind, arn, reason) => {
    expect(missingDestinationReason(kind, arn)).toBe(reason);
  });
});
