import { describe, expect, it } from 'vitest';
import {
  buildS3EventBridgeEvent,
  type S3EventBridgeEventName,
  type S3EventBridgeInput,
} from '../eventbridge/index.js';
import {
  buildEventMessage,
  buildEventRecord,
  buildSnsNotification,
  S3_NOTIFICATION_SUBJECT,
  serializeEventMessage,
} from '../events/index.js';
import { readBrokerMessage } from './event-shapes.js';
import { fixture, KEYS, origin, originOf, throughPipeline } from './event-shapes.test-helper.js';

describe('readBrokerMessage: keys with spaces, +, %, /, unicode come back exact', () => {
  const etag = (i: number): string => `9e107d9d372bb6826bd81d3542a419d${i}`;

  function awsBody(key: string, i: number): string {
    const record = buildEventRecord({
      eventName: 'ObjectCreated:Put',
      configurationId: 'vigil-config-1',
      bucket: 'uploads',
      bucketOwnerId: 'A3NL1KOZZKVIGIL',
      origin,
      object: { key, size: 1000 + i, etag: `"${etag(i)}"`, versionId: `v${i}`, sequence: 7 + i },
    });
    return serializeEventMessage(buildEventMessage([record]));
  }

  function snsBody(key: string, i: number): string {
    return JSON.stringify(
      buildSnsNotification({
        topicArn: 'arn:aws:sns:eu-west-1:123456789012:uploads',
        message: awsBody(key, i),
        subject: S3_NOTIFICATION_SUBJECT,
        messageId: `22b80b92-fdea-4c2c-8f9d-bdfb0c7bf32${i}`,
        timestamp: origin.time,
        unsubscribeUrl: 'https://vigil.example/?Action=Unsubscribe',
        signature: '',
        signingCertUrl: '',
      }),
    );
  }

  function eventBridgeBody(key: string, i: number): string {
    return JSON.stringify(
      buildS3EventBridgeEvent({
        eventName: 'ObjectCreated:Put',
        bucket: 'uploads',
        account: '123456789012',
        origin,
        object: { key, size: 1000 + i, etag: etag(i), versionId: `v${i}`, sequence: 7 + i },
        id: () => `17793124-05d4-b198-2fde-7ededc63b10${i}`,
      }),
    );
  }

  const vigil = (i: number) => ({
    eventName: 'ObjectCreated:Put',
    bucket: 'uploads',
    etag: etag(i),
    size: 1000 + i,
    versionId: `v${i}`,
    sequencer: (7 + i).toString(16).toUpperCase().padStart(18, '0'),
  });

  const shapes = [
    { shape: 'aws (Vigil records)', origin: 'aws', body: awsBody, expected: vigil },
    { shape: 'sns (Vigil envelope)', origin: 'sns', body: snsBody, expected: vigil },
    {
      shape: 'eventbridge (Vigil event)',
      origin: 'eventbridge',
      body: eventBridgeBody,
      expected: vigil,
    },
  ];

  const cases = KEYS.flatMap((key, i) => shapes.map((s) => ({ ...s, key, i })));

  it.each(cases)('$shape: $key', ({ body, key, i, origin: expectedOrigin, expected }) => {
    const text = body(key, i);
    for (const input of [text, new TextEncoder().encode(text)]) {
      const message = readBrokerMessage(input);
      expect(originOf(message)).toBe(expectedOrigin);
      expect(throughPipeline(message)).toEqual([{ ...expected(i), key }]);
    }
  });

  it('the EventBridge key is encoded as S3 encodes record keys', () => {
    const message = readBrokerMessage(eventBridgeBody('photos/red flower+1.jpg', 0));
    expect(message.kind === 's3-records' && message.event.Records[0]?.s3.object.key).toBe(
      'photos/red+flower%2B1.jpg',
    );
  });

  it.each(KEYS.map((key, i) => ({ key, i })))(
    'minio (QueryEscape, Log wrapper): $key',
    ({ key, i }) => {
      const { messages, _source } = fixture('minio-constructed-escaped-keys');
      expect((_source as { decodedKeys: string[] }).decodedKeys[i]).toBe(key);
      const message = readBrokerMessage(JSON.stringify(messages?.[i]));
      expect(originOf(message)).toBe('minio');
      expect(throughPipeline(message)).toEqual([
        {
          eventName: 'ObjectCreated:Put',
          bucket: 'uploads',
          key,
          etag: `9e107d9d372bb6826bd81d3542a419d${i}`,
          size: 1000 + i,
          versionId: `0b6c1b5e-3c8e-4d5f-9a1b-2c3d4e5f6a7${i}`,
          sequencer: (1767270896000000000n + BigInt(i) * 1000n).toString(16).toUpperCase(),
        },
      ]);
    },
  );

  it.each(KEYS.map((key, i) => ({ key, i })))('ceph (raw key): $key', ({ key, i }) => {
    const { messages, _source } = fixture('ceph-constructed-raw-keys');
    expect((_source as { decodedKeys: string[] }).decodedKeys[i]).toBe(key);
    const message = readBrokerMessage(JSON.stringify(messages?.[i]));
    expect(originOf(message)).toBe('ceph');
    expect(throughPipeline(message)).toEqual([
      {
        eventName: 'ObjectCreated:Put',
        bucket: 'uploads',
        key,
        etag: `e4d909c290d0fb1ca068ffaddf22cbd${i}`,
        size: 2000 + i,
        sequencer: `${(0x40 + i).toString(16).toUpperCase()}5E1A6D9A0B4C1D`,
      },
    ]);
  });
});

describe('readBrokerMessage: EventBridge detail types back to S3 event names', () => {
  const names: S3EventBridgeEventName[] = [
    'ObjectCreated:Put',
    'ObjectCreated:Post',
    'ObjectCreated:Copy',
    'ObjectCreated:CompleteMultipartUpload',
    'ObjectRemoved:Delete',
    'ObjectRemoved:DeleteMarkerCreated',
    'LifecycleExpiration:Delete',
    'LifecycleExpiration:DeleteMarkerCreated',
    'ObjectRestore:Post',
    'ObjectRestore:Completed',
    'ObjectRestore:Delete',
    'LifecycleTransition',
    'IntelligentTiering',
    'ObjectAcl:Put',
    'ObjectTagging:Put',
    'ObjectTagging:Delete',
  ];
  const extras: Partial<S3EventBridgeInput> = {
    restore: { sourceStorageClass: 'GLACIER', expiryTime: new Date('2026-03-08T00:00:00Z') },
    destinationStorageClass: 'GLACIER_IR',
    destinationAccessTier: 'ARCHIVE_ACCESS',
  };

  it.each(names)('%s', (eventName) => {
    const event = buildS3EventBridgeEvent({
      eventName,
      bucket: 'uploads',
      account: '123456789012',
      origin,
      object: { key: 'a b.jpg', size: 3, etag: 'abc', versionId: 'v1', sequence: 9 },
      id: () => 'c9888434-815d-c6f4-9fc2-4dd7bdeccaaf',
      ...extras,
    });
    const message = readBrokerMessage(JSON.stringify(event));
    expect(message.kind === 's3-records' && message.event.Records[0]).toMatchObject({
      eventName,
      eventTime: '2026-03-01T12:34:56Z',
      s3: { bucket: { name: 'uploads' }, object: { key: 'a+b.jpg' } },
    });
  });
});
