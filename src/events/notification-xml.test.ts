import { describe, expect, it } from 'vitest';
import { buildXml, parseXmlBody } from '../s3/xml.js';
import {
  notificationFromXml,
  notificationToXml,
  NotificationXmlError,
} from './notification-xml.js';

const read = (inner: string) =>
  notificationFromXml(
    parseXmlBody(
      `<NotificationConfiguration>${inner}</NotificationConfiguration>`,
      'NotificationConfiguration',
    ),
  );

const ARN = 'arn:aws:sqs:us-east-1:000000000000:q';

describe('notificationFromXml', () => {
  it('reads every kind, keeps Ids and order of rules, and the EventBridge switch', () => {
    const config = read(
      `<QueueConfiguration><Id>123</Id><Queue>${ARN}</Queue><Event>s3:ObjectCreated:*</Event>` +
        '<Filter><S3Key><FilterRule><Name>suffix</Name><Value>1e5</Value></FilterRule>' +
        '<FilterRule><Name>prefix</Name><Value>007</Value></FilterRule></S3Key></Filter></QueueConfiguration>' +
        '<TopicConfiguration><Id>t</Id><Topic>arn:aws:sns:us-east-1:000000000000:t</Topic>' +
        '<Event>s3:ObjectRemoved:*</Event><Event>s3:ObjectTagging:Put</Event></TopicConfiguration>' +
        '<CloudFunctionConfiguration><Id>f</Id><CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:f</CloudFunction>' +
        '<Event>s3:ObjectCreated:Put</Event></CloudFunctionConfiguration><EventBridgeConfiguration/>',
    );
    expect(config).toEqual({
      eventBridge: true,
      destinations: [
        {
          kind: 'queue',
          id: '123',
          arn: ARN,
          events: ['s3:ObjectCreated:*'],
          // Values that look like numbers stay text.
          filterRules: [
            { name: 'Suffix', value: '1e5' },
            { name: 'Prefix', value: '007' },
          ],
        },
        {
          kind: 'topic',
          id: 't',
          arn: 'arn:aws:sns:us-east-1:000000000000:t',
          events: ['s3:ObjectRemoved:*', 's3:ObjectTagging:Put'],
          filterRules: [],
        },
        {
          kind: 'lambda',
          id: 'f',
          arn: 'arn:aws:lambda:us-east-1:000000000000:function:f',
          events: ['s3:ObjectCreated:Put'],
          filterRules: [],
        },
      ],
    });
  });

  it.each([
    ['prefix', 'Prefix'],
    ['PREFIX', 'Prefix'],
    ['Prefix', 'Prefix'],
    ['sUFFIX', 'Suffix'],
    ['suffix', 'Suffix'],
    // Left as given, for validation to report it.
    ['INVALID', 'INVALID'],
  ])('stores rule name %s as %s', (given, stored) => {
    const config = read(
      `<QueueConfiguration><Queue>${ARN}</Queue><Event>s3:ObjectCreated:*</Event>` +
        `<Filter><S3Key><FilterRule><Name>${given}</Name><Value>v</Value></FilterRule></S3Key></Filter></QueueConfiguration>`,
    );
    expect(config.destinations[0]?.filterRules).toEqual([{ name: stored, value: 'v' }]);
  });

  it.each(['<Value></Value>', '<Value/>'])('accepts an empty value written %s', (value) => {
    const config = read(
      `<QueueConfiguration><Queue>${ARN}</Queue><Event>s3:ObjectCreated:*</Event>` +
        `<Filter><S3Key><FilterRule><Name>suffix</Name>${value}</FilterRule></S3Key></Filter></QueueConfiguration>`,
    );
    expect(config.destinations[0]?.filterRules).toEqual([{ name: 'Suffix', value: '' }]);
  });

  it('keeps spaces at the edges of values', () => {
    const config = read(
      `<QueueConfiguration><Queue>${ARN}</Queue><Event>s3:ObjectCreated:*</Event>` +
        '<Filter><S3Key><FilterRule><Name>prefix</Name><Value> a </Value></FilterRule></S3Key></Filter></QueueConfiguration>',
    );
    expect(config.destinations[0]?.filterRules[0]?.value).toBe(' a ');
  });

  it('assigns an Id, a UUID in base64 as S3 does, when none or an empty one is given', () => {
    const config = read(
      `<QueueConfiguration><Queue>${ARN}</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration>` +
        `<QueueConfiguration><Id></Id><Queue>${ARN}2</Queue><Event>s3:ObjectRemoved:*</Event></QueueConfiguration>`,
    );
    const ids = config.destinations.map((d) => d.id);
    for (const id of ids) {
      expect(Buffer.from(id, 'base64').toString()).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    }
    expect(new Set(ids).size).toBe(2);
  });

  it.each([
    [
      'FilterRule without Value',
      `<Queue>${ARN}</Queue><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>prefix</Name></FilterRule></S3Key></Filter>`,
    ],
    [
      'FilterRule without Name',
      `<Queue>${ARN}</Queue><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Value>a</Value></FilterRule></S3Key></Filter>`,
    ],
    [
      'FilterRule with a nested Name',
      `<Queue>${ARN}</Queue><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name><x>1</x></Name><Value>a</Value></FilterRule></S3Key></Filter>`,
    ],
    ['no Event', `<Queue>${ARN}</Queue>`],
    ['no Queue', '<Event>s3:ObjectCreated:*</Event>'],
  ])('rejects a QueueConfiguration with %s', (_label, inner) => {
    expect(() => read(`<QueueConfiguration>${inner}</QueueConfiguration>`)).toThrow(
      NotificationXmlError,
    );
  });
});

describe('notificationToXml', () => {
  it('writes S3 element names, Prefix/Suffix as stored, and round-trips', () => {
    const inner =
      `<QueueConfiguration><Id>1</Id><Queue>${ARN}</Queue><Event>s3:ObjectCreated:*</Event>` +
      '<Filter><S3Key><FilterRule><Name>prefix</Name><Value>007</Value></FilterRule>' +
      '<FilterRule><Name>SUFFIX</Name><Value></Value></FilterRule></S3Key></Filter></QueueConfiguration>' +
      '<CloudFunctionConfiguration><Id>2</Id><CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:f</CloudFunction>' +
      '<Event>s3:ObjectRemoved:*</Event></CloudFunctionConfiguration><EventBridgeConfiguration/>';
    const config = read(inner);
    const xml = buildXml('NotificationConfiguration', notificationToXml(config));
    expect(xml).toContain('<Name>Prefix</Name><Value>007</Value>');
    expect(xml).toContain('<Name>Suffix</Name><Value></Value>');
    expect(xml).toContain(
      '<CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:f</CloudFunction>',
    );
    expect(xml).toContain('<EventBridgeConfiguration></EventBridgeConfiguration>');
    expect(notificationFromXml(parseXmlBody(xml, 'NotificationConfiguration'))).toEqual(config);
  });
});
