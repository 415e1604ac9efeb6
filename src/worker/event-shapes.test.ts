import { describe, expect, it } from 'vitest';
import { buildSnsNotification, buildTestEvent, serializeEventMessage } from '../events/index.js';
import { readBrokerMessage } from './event-shapes.js';
import {
  fixture,
  messageOf,
  origin,
  originOf,
  throughPipeline,
  type Json,
  type Seen,
} from './event-shapes.test-helper.js';

describe('readBrokerMessage: documented and recorded examples', () => {
  const cases: { fixture: string; origin: string; seen: Seen[]; eventNames?: string[] }[] = [
    {
      fixture: 'aws-doc-object-created-put',
      origin: 'aws',
      seen: [
        {
          eventName: 'ObjectCreated:Put',
          bucket: 'mybucket',
          key: 'HappyFace.jpg',
          etag: 'd41d8cd98f00b204e9800998ecf8427e',
          size: 1024,
          versionId: '096fKKXTRTtl3on89fVO.nfljtsv6qko',
          sequencer: '0055AED6DCD90281E5',
        },
      ],
    },
    {
      fixture: 'aws-localstack-key-encoding',
      origin: 'aws',
      seen: [
        {
          eventName: 'ObjectCreated:Put',
          bucket: '<resource:1>',
          key: 'a@b',
          etag: '437b930db84b8079c2dd804a71936b5f',
          size: 9,
          sequencer: 'sequencer',
        },
      ],
    },
    {
      fixture: 'sns-localstack-object-created-put',
      origin: 'sns',
      seen: [
        {
          eventName: 'ObjectCreated:Put',
          bucket: '<resource:1>',
          key: 'bucket-key',
          etag: 'c8e3a3027a133355210f85cfbb1acc35',
          size: 11,
          sequencer: 'sequencer',
        },
      ],
    },
    {
      fixture: 'eventbridge-doc-object-created',
      origin: 'eventbridge',
      seen: [
        {
          eventName: 'ObjectCreated:Put',
          bucket: 'amzn-s3-demo-bucket1',
          key: 'example-key',
          etag: 'b1946ac92492d2347c6235b4d2611184',
          size: 5,
          versionId: 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
          sequencer: '617f08299329d189',
        },
      ],
    },
    {
      fixture: 'eventbridge-captured-multipart',
      origin: 'eventbridge',
      seen: [
        {
          eventName: 'ObjectCreated:CompleteMultipartUpload',
          bucket: 'mxcd-magic-star-691-in',
          key: 'raw/health-check/2023-08-08T14:03:40.532432.zip',
          etag: '4af981f98d22a0b9979da24b259e5e42-12',
          size: 198524144,
          versionId: 'uhggCJ2_B6gU2JaXWXebnXFDstO0ID6G',
          sequencer: '0064D3901D00059242',
        },
      ],
    },
    {
      fixture: 'eventbridge-doc-object-deleted-marker',
      origin: 'eventbridge',
      eventNames: ['ObjectRemoved:DeleteMarkerCreated'],
      seen: [{ ignored: 'ObjectRemoved:DeleteMarkerCreated events are not moderated' }],
    },
    {
      fixture: 'eventbridge-doc-object-deleted-lifecycle',
      origin: 'eventbridge',
      eventNames: ['LifecycleExpiration:DeleteMarkerCreated'],
      seen: [{ ignored: 'LifecycleExpiration:DeleteMarkerCreated events are not moderated' }],
    },
    {
      fixture: 'eventbridge-doc-object-restore-completed',
      origin: 'eventbridge',
      eventNames: ['ObjectRestore:Completed'],
      seen: [{ ignored: 'ObjectRestore:Completed events are not moderated' }],
    },
    {
      fixture: 'minio-doc-kafka-object-created-put',
      origin: 'minio',
      seen: [
        {
          eventName: 'ObjectCreated:Put',
          bucket: 'images',
          key: 'myphoto.jpg',
          etag: '430f89010c77aa34fc8760696da62d08-1',
          size: 6474,
          versionId: '1',
          sequencer: '15C32494527B46C5',
        },
      ],
    },
    {
      fixture: 'minio-doc-nats-streaming-2017',
      origin: 'minio',
      seen: [
        {
          eventName: 'ObjectCreated:Put',
          bucket: 'images',
          key: 'myphoto.jpg',
          etag: 'f1671feacb8bbf7b0397c6e9364e8c92',
          size: 248682,
          versionId: '1',
          sequencer: '14CF20BD1EFD5B93',
        },
      ],
    },
    {
      // eventSource "aws:s3" but the s3: prefix gives MinIO away; that old MinIO sent no eTag.
      fixture: 'minio-doc-amqp-2016',
      origin: 'minio',
      eventNames: ['ObjectCreated:Put'],
      seen: [{ ignored: 'ObjectCreated:Put record has no eTag' }],
    },
    {
      fixture: 'ceph-doc-object-created-put',
      origin: 'ceph',
      seen: [
        {
          eventName: 'ObjectCreated:Put',
          bucket: 'mybucket1',
          key: 'myimage1.jpg',
          etag: '37b51d194a7513e45b56f6524f2d51f2',
          size: 1024,
          sequencer: 'F7E6D75DC742D108',
        },
      ],
    },
  ];

  it.each(cases)('$fixture → $origin', (c) => {
    const message = readBrokerMessage(JSON.stringify(messageOf(c.fixture)));
    expect(originOf(message)).toBe(c.origin);
    expect(throughPipeline(message)).toEqual(c.seen);
    if (c.eventNames && message.kind === 's3-records') {
      expect(message.event.Records.map((r) => r.eventName)).toEqual(c.eventNames);
    }
  });

  it('every fixture names its source', () => {
    for (const name of [...cases.map((c) => c.fixture), 'aws-doc-test-event']) {
      expect(fixture(name)._source, name).toBeTruthy();
    }
    for (const name of ['minio-constructed-escaped-keys', 'ceph-constructed-raw-keys']) {
      expect(fixture(name)._source, name).toBeTruthy();
    }
  });

  it("AWS's s3:TestEvent is a test event", () => {
    const body = JSON.stringify(messageOf('aws-doc-test-event'));
    expect(readBrokerMessage(body)).toEqual({ kind: 'test-event', origin: 'aws' });
  });

  it('the Ceph record keeps only what the pipeline reads, size as a number', () => {
    const message = readBrokerMessage(JSON.stringify(messageOf('ceph-doc-object-created-put')));
    expect(message).toEqual({
      kind: 's3-records',
      origin: 'ceph',
      event: {
        Records: [
          {
            eventName: 'ObjectCreated:Put',
            eventTime: '2019-11-22T13:47:35.124724Z',
            s3: {
              bucket: { name: 'mybucket1' },
              object: {
                key: 'myimage1.jpg',
                size: 1024,
                eTag: '37b51d194a7513e45b56f6524f2d51f2',
                sequencer: 'F7E6D75DC742D108',
              },
            },
          },
        ],
      },
    });
  });
});

describe('readBrokerMessage: sender quirks', () => {
  function minioWith(change: (record: Json, object: Json) => void): string {
    const message = messageOf('minio-doc-kafka-object-created-put');
    const record = (message['Records'] as Json[])[0] as Json;
    change(record, (record['s3'] as Json)['object'] as Json);
    return JSON.stringify(message);
  }

  it.each([
    ['s3:ObjectCreated:PutTagging', 'ObjectTagging:Put'],
    ['s3:ObjectCreated:DeleteTagging', 'ObjectTagging:Delete'],
    ['s3:ObjectCreated:PutRetention', 'ObjectRetention:Put'],
    ['s3:ObjectCreated:PutLegalHold', 'ObjectLegalHold:Put'],
  ])('MinIO %s writes no content: it becomes %s and is not moderated', (minioName, name) => {
    const message = readBrokerMessage(minioWith((record) => (record['eventName'] = minioName)));
    expect(throughPipeline(message)).toEqual([{ ignored: `${name} events are not moderated` }]);
  });

  it('MinIO leaves out size 0 (omitempty): an ObjectCreated record without it is empty', () => {
    const message = readBrokerMessage(minioWith((_, object) => delete object['size']));
    expect(throughPipeline(message)).toMatchObject([{ size: 0 }]);
  });

  it('a MinIO removal keeps its missing size and eTag', () => {
    const body = minioWith((record, object) => {
      record['eventName'] = 's3:ObjectRemoved:Delete';
      delete object['size'];
      delete object['eTag'];
    });
    const message = readBrokerMessage(body);
    expect(message.kind === 's3-records' && message.event.Records[0]?.s3.object).toEqual({
      key: 'myphoto.jpg',
      versionId: '1',
      sequencer: '15C32494527B46C5',
    });
  });

  it('Vigil s3:TestEvent, raw and through SNS', () => {
    const test = serializeEventMessage(buildTestEvent({ bucket: 'uploads', origin }));
    expect(readBrokerMessage(test)).toEqual({ kind: 'test-event', origin: 'aws' });
    const wrapped = buildSnsNotification({
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:uploads',
      message: test,
      messageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
      timestamp: origin.time,
      unsubscribeUrl: 'https://vigil.example/?Action=Unsubscribe',
      signature: '',
      signingCertUrl: '',
    });
    expect(readBrokerMessage(JSON.stringify(wrapped))).toEqual({
      kind: 'test-event',
      origin: 'sns',
    });
  });

  it('a byte order mark is skipped, in bytes and in a string', () => {
    const text = JSON.stringify(messageOf('aws-doc-test-event'));
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
    expect(readBrokerMessage(bytes)).toEqual({ kind: 'test-event', origin: 'aws' });
    expect(readBrokerMessage(`\uFEFF${text}`)).toEqual({ kind: 'test-event', origin: 'aws' });
  });
});
