import { describe, expect, it } from 'vitest';
import {
  at,
  Bindings,
  expectMatchesRecording,
  keyOrder,
  loadFixture,
} from '../../test/fixtures/aws-events/recording.js';
import { buildEventMessage, buildEventRecord, serializeEventMessage } from './message.js';
import { buildSnsNotification, S3_NOTIFICATION_SUBJECT } from './sns-envelope.js';

const region = 'eu-central-1';
const topicArn = `arn:aws:sns:${region}:111111111111:vigil-topic-2c7d`;
const subscriptionArn = `${topicArn}:0f5c7e1a-9b1d-4d6e-8f1a-2b3c4d5e6f70`;

function s3Message(size: number, etag: string, sequence: number): string {
  const record = buildEventRecord({
    eventName: 'ObjectCreated:Put',
    configurationId: 'vigil-config-1',
    bucket: 'vigil-bucket-7f3a',
    bucketOwnerId: 'A3NL1KOZZKVIGIL',
    origin: {
      requestId: '4B1C9E0F2A7D3E55',
      hostId: 'u1sQ6gT0Zc8Qm4yQk2b7yVHn9pV3a0F3xkQ0b0pWcS4yL5v8Qe1m2N7r6t9w0A==',
      principalId: 'AWS:AIDAVIGILREQUESTER',
      sourceIp: '203.0.113.9',
      region,
      time: new Date('2026-03-01T12:34:56.789Z'),
    },
    object: { key: 'bucket-key', size, etag, sequence },
  });
  return serializeEventMessage(buildEventMessage([record]));
}

function envelope(message: string, messageId: string) {
  return buildSnsNotification({
    topicArn,
    message,
    subject: S3_NOTIFICATION_SUBJECT,
    messageId,
    timestamp: new Date('2026-03-01T12:34:57.012Z'),
    unsubscribeUrl: `https://sns.${region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`,
    signingCertUrl: `https://sns.${region}.amazonaws.com/SimpleNotificationService-vigil.pem`,
    signature: 'dmlnaWwtZG9lcy1ub3Qtc2lnbi13aXRoLWF3cy1rZXlz',
  });
}

describe('buildSnsNotification', () => {
  it('matches the AWS-recorded envelope of an S3 event (test_s3_notifications_sns)', () => {
    const recorded = at(
      loadFixture('sns-object-created-put').recording,
      'receive_messages',
      'messages',
    );
    const built = [
      envelope(
        s3Message(11, 'c8e3a3027a133355210f85cfbb1acc35', 1),
        '6a1f0c3e-7d2b-4c9e-9f10-3b2a1c0d9e8f',
      ),
      envelope(
        s3Message(12, '05c7c1b96e20928f6e55a881b5ca1c45', 2),
        'b2e4d6f8-1a3c-4e5f-8a9b-0c1d2e3f4a5b',
      ),
    ];
    for (const item of built) expect(typeof item.Message).toBe('string');
    // LocalStack parsed Message into an object; parse ours the same way. One set of bindings
    // ties <region> in TopicArn, SigningCertURL and the records together.
    const parsed = built.map((item) => ({ ...item, Message: JSON.parse(item.Message) as unknown }));
    expectMatchesRecording(parsed, recorded, new Bindings());
    // The Message keeps AWS's record key order.
    expect(keyOrder(parsed[0]?.Message)).toEqual(keyOrder(at(recorded, 0, 'Message')));
  });

  it('is the AWS doc HTTP notification example, field for field and in order', () => {
    const doc = loadFixture('sns-doc-http-notification').recording;
    const field = (name: string): string => at(doc, name) as string;
    const built = buildSnsNotification({
      topicArn: field('TopicArn'),
      message: field('Message'),
      subject: field('Subject'),
      messageId: field('MessageId'),
      timestamp: new Date(field('Timestamp')),
      unsubscribeUrl: field('UnsubscribeURL'),
      signingCertUrl: field('SigningCertURL'),
      signature: field('Signature'),
    });
    expect(keyOrder(built)).toEqual(keyOrder(doc));
    expect(JSON.stringify(built)).toBe(JSON.stringify(doc));
  });

  it('leaves Subject out entirely when none is given', () => {
    const built = buildSnsNotification({
      topicArn,
      message: 'hello',
      messageId: '6a1f0c3e-7d2b-4c9e-9f10-3b2a1c0d9e8f',
      timestamp: new Date('2026-03-01T00:00:00Z'),
      unsubscribeUrl: 'https://vigil.example/unsubscribe',
      signingCertUrl: 'https://vigil.example/cert.pem',
      signature: 'c2ln',
    });
    expect('Subject' in built).toBe(false);
    expect(Object.keys(built)).toEqual([
      'Type',
      'MessageId',
      'TopicArn',
      'Message',
      'Timestamp',
      'SignatureVersion',
      'Signature',
      'SigningCertURL',
      'UnsubscribeURL',
    ]);
    expect(built.Timestamp).toBe('2026-03-01T00:00:00.000Z');
    expect(built.Type).toBe('Notification');
    expect(built.SignatureVersion).toBe('1');
  });

  it('passes the caller’s signature and certificate URL through unchanged', () => {
    const built = envelope('{}', '6a1f0c3e-7d2b-4c9e-9f10-3b2a1c0d9e8f');
    expect(built.Signature).toBe('dmlnaWwtZG9lcy1ub3Qtc2lnbi13aXRoLWF3cy1rZXlz');
    expect(built.SigningCertURL).toBe(
      `https://sns.${region}.amazonaws.com/SimpleNotificationService-vigil.pem`,
    );
    expect(built.Subject).toBe('Amazon S3 Notification');
  });
});
