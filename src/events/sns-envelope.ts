/**
 * The JSON envelope SNS wraps around a published message when it delivers to an HTTP/HTTPS
 * endpoint or, without raw message delivery, to an SQS queue. Pure: no I/O.
 *
 * Field names and order are those of the AWS example in "HTTP/HTTPS notification JSON format"
 * (https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html;
 * awsdocs/amazon-sns-developer-guide doc_source/sns-message-and-json-formats.md): Type,
 * MessageId, TopicArn, Subject, Message, Timestamp, SignatureVersion, Signature,
 * SigningCertURL, UnsubscribeURL. The AWS-recorded LocalStack snapshot
 * test_s3_notifications_sns (test/fixtures/aws-events/sns-object-created-put.json) has the
 * same field set for S3 events, with Subject "Amazon S3 Notification".
 */

/** The Subject SNS carries for messages S3 publishes (LocalStack AWS-validated snapshot). */
export const S3_NOTIFICATION_SUBJECT = 'Amazon S3 Notification';

export interface SnsNotification {
  Type: 'Notification';
  MessageId: string;
  TopicArn: string;
  /** Absent when the publisher gave none ("this name-value pair does not appear"). */
  Subject?: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: '1';
  Signature: string;
  SigningCertURL: string;
  UnsubscribeURL: string;
}

export interface SnsNotificationInput {
  topicArn: string;
  /** The published message, already serialized (for S3 events: serializeEventMessage). */
  message: string;
  subject?: string;
  /** A UUID; a redelivery keeps the original message's id. */
  messageId: string;
  /** When the message was published. */
  timestamp: Date;
  unsubscribeUrl: string;
  /**
   * AWS signs with SNS's private key and points SigningCertURL at its certificate under
   * `https://sns.<region>.amazonaws.com/`. Vigil holds neither, so a subscriber that verifies
   * signatures against AWS's certificate will reject Vigil's envelopes whatever is passed
   * here. The caller decides what to send: its own signature and certificate URL (a verifier
   * configured to trust Vigil's certificate can check them), or empty strings when nobody
   * verifies (what topic destinations send today). This module only places the values.
   */
  signature: string;
  signingCertUrl: string;
}

/**
 * Builds the SNS `Notification` envelope for one delivery.
 *
 * @example
 * buildSnsNotification({
 *   topicArn: 'arn:aws:sns:us-east-1:123456789012:uploads',
 *   message: serializeEventMessage(buildEventMessage([record])),
 *   subject: S3_NOTIFICATION_SUBJECT,
 *   messageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
 *   timestamp: new Date(),
 *   unsubscribeUrl: 'https://vigil.example/?Action=Unsubscribe&SubscriptionArn=…',
 *   signingCertUrl: 'https://vigil.example/sns-signing-cert.pem',
 *   signature: '…',
 * }).Type // 'Notification'
 */
export function buildSnsNotification(input: SnsNotificationInput): SnsNotification {
  return {
    Type: 'Notification',
    MessageId: input.messageId,
    TopicArn: input.topicArn,
    ...(input.subject === undefined ? {} : { Subject: input.subject }),
    Message: input.message,
    Timestamp: input.timestamp.toISOString(),
    SignatureVersion: '1',
    Signature: input.signature,
    SigningCertURL: input.signingCertUrl,
    UnsubscribeURL: input.unsubscribeUrl,
  };
}
