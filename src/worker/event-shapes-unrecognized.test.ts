import { describe, expect, it } from 'vitest';
import { readBrokerMessage } from './event-shapes.js';
import { messageOf, type Json } from './event-shapes.test-helper.js';

describe('readBrokerMessage: unrecognized, with the reason', () => {
  const aws = (): Json => messageOf('aws-doc-object-created-put');
  const awsObject = (message: Json): Json =>
    (((message['Records'] as Json[])[0] as Json)['s3'] as Json)['object'] as Json;
  const edit = (base: () => Json, change: (message: Json) => void): string => {
    const message = base();
    change(message);
    return JSON.stringify(message);
  };
  const eventBridge = (): Json => messageOf('eventbridge-doc-object-created');
  const detail = (message: Json): Json => message['detail'] as Json;
  const sns = (inner: string): string =>
    JSON.stringify({ ...messageOf('sns-localstack-object-created-put'), Message: inner });

  const cases: [string, string | Uint8Array, RegExp][] = [
    ['empty body', '  ', /body is empty/],
    ['not JSON', 'Records: yes', /body is not JSON/],
    ['not UTF-8', new Uint8Array([0x7b, 0xff, 0x7d]), /not UTF-8/],
    ['a JSON array', '[{"Records":[]}]', /JSON but an array, not an object/],
    ['a JSON string', '"hello"', /JSON but a string/],
    ['another shape', '{"hello":"world"}', /no known shape.*keys are hello/],
    ['Records not an array', '{"Records":{}}', /Records is an object, not an array/],
    ['Records empty', '{"Records":[]}', /Records is empty/],
    ['a record not an object', '{"Records":[42]}', /Records\[0\] is a number/],
    [
      'no bucket name',
      edit(aws, (m) => delete (((m['Records'] as Json[])[0] as Json)['s3'] as Json)['bucket']),
      /Records\[0\]\.s3\.bucket is missing/,
    ],
    [
      'no key',
      edit(aws, (m) => delete awsObject(m)['key']),
      /Records\[0\]\.s3\.object\.key is missing/,
    ],
    [
      'no eventName',
      edit(aws, (m) => delete ((m['Records'] as Json[])[0] as Json)['eventName']),
      /Records\[0\]\.eventName is missing/,
    ],
    [
      'an unknown eventSource',
      edit(aws, (m) => (((m['Records'] as Json[])[0] as Json)['eventSource'] = 'garage:s3')),
      /eventSource is "garage:s3".*keys are encoded is not known/,
    ],
    [
      'an AWS size as a string',
      edit(aws, (m) => (awsObject(m)['size'] = '1024')),
      /size is "1024", not a byte count/,
    ],
    ['a negative size', edit(aws, (m) => (awsObject(m)['size'] = -1)), /size is -1/],
    [
      'a Ceph size that is not digits',
      edit(
        () => messageOf('ceph-doc-object-created-put'),
        (m) => (awsObject(m)['size'] = '12a'),
      ),
      /size is "12a", not a byte count/,
    ],
    ['an eTag that is a number', edit(aws, (m) => (awsObject(m)['eTag'] = 5)), /eTag is a number/],
    [
      'records from two senders',
      JSON.stringify({
        Records: [
          ...(aws()['Records'] as Json[]),
          ...(messageOf('ceph-doc-object-created-put')['Records'] as Json[]),
        ],
      }),
      /Records mix senders: Records\[0\] is from aws, Records\[1\] from ceph/,
    ],
    [
      'an S3 message that is not a TestEvent',
      '{"Service":"Amazon S3","Event":"s3:SomethingElse"}',
      /not Amazon S3's s3:TestEvent/,
    ],
    [
      'an SNS subscription confirmation',
      JSON.stringify({ Type: 'SubscriptionConfirmation', Message: 'You have chosen…' }),
      /SNS "SubscriptionConfirmation" message, not a Notification/,
    ],
    ['an SNS Message that is not JSON', sns('Hello world!'), /SNS Message is not JSON/],
    ['an SNS Message of another shape', sns('{"a":1}'), /SNS Message is not an S3 event message/],
    [
      'an SNS Message with a broken record',
      sns('{"Records":[{"eventSource":"aws:s3"}]}'),
      /SNS Message: Records\[0\]\.eventName is missing/,
    ],
    [
      'an EventBridge event from another source',
      edit(eventBridge, (m) => (m['source'] = 'aws.ec2')),
      /source "aws.ec2", not aws.s3/,
    ],
    [
      'an unknown detail-type',
      edit(eventBridge, (m) => (m['detail-type'] = 'Object Annotation Added')),
      /detail-type "Object Annotation Added" has no S3 event name/,
    ],
    [
      'an unknown Object Created reason',
      edit(eventBridge, (m) => (detail(m)['reason'] = 'UploadPartCopy')),
      /detail\.reason "UploadPartCopy"/,
    ],
    [
      'an Object Deleted without deletion-type',
      edit(
        () => messageOf('eventbridge-doc-object-deleted-marker'),
        (m) => delete detail(m)['deletion-type'],
      ),
      /detail\.deletion-type is missing/,
    ],
    [
      'an EventBridge event without a key',
      edit(eventBridge, (m) => delete (detail(m)['object'] as Json)['key']),
      /detail\.object\.key is missing/,
    ],
  ];

  it.each(cases)('%s', (_, body, reason) => {
    const message = readBrokerMessage(body);
    expect(message.kind).toBe('unrecognized');
    expect(message.kind === 'unrecognized' && message.reason).toMatch(reason);
  });
});
