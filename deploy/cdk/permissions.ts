/**
 * The moderate-image function's permissions: one statement per thing it touches, each naming
 * its actions (never a wildcard) and the narrowest resource IAM can express. Why each action,
 * from the S3 API reference and the Service Authorization Reference: deploy/cdk/README.md.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Uploads } from './context.js';

/**
 * The S3 actions for the pipeline's four calls (`src/pipeline/adapters/s3.ts`): HeadObject,
 * GetObject, GetObjectTagging, PutObjectTagging. HeadObject has no action of its own; it is
 * authorized like GetObject. A versioned bucket's events carry a `versionId`, which the
 * pipeline passes on every call: reading a version then takes `s3:GetObjectVersion` instead
 * of `s3:GetObject`, and the tagging calls take their `…Version…` action as well as their own.
 */
export function objectActions(versioned: boolean): string[] {
  return versioned
    ? [
        's3:GetObjectVersion',
        's3:GetObjectTagging',
        's3:GetObjectVersionTagging',
        's3:PutObjectTagging',
        's3:PutObjectVersionTagging',
      ]
    : ['s3:GetObject', 's3:GetObjectTagging', 's3:PutObjectTagging'];
}

/**
 * The keys the notification fires for, as an IAM resource pattern: `<prefix>*<suffix>`.
 * (IAM's `*` spans `/`, so this is exactly "starts with prefix and ends with suffix".)
 */
export function watchedKeys(uploads: Uploads): string {
  return `${uploads.prefix}*${uploads.suffix}`;
}

export interface ModerationResources {
  bucket: s3.IBucket;
  uploads: Uploads;
  reviewQueue: sqs.IQueue;
  logGroup: logs.ILogGroup;
}

/**
 * The execution role's statements, except the one Lambda adds for the function's own
 * dead-letter queue (`sqs:SendMessage` on it).
 */
export function moderationStatements(resources: ModerationResources): iam.PolicyStatement[] {
  const { bucket, uploads, reviewQueue, logGroup } = resources;
  return [
    new iam.PolicyStatement({
      sid: 'ReadAndTagWatchedObjects',
      actions: objectActions(uploads.versioned),
      resources: [bucket.arnForObjects(watchedKeys(uploads))],
    }),
    new iam.PolicyStatement({
      // No resource-level permission for the base model: the action's only resource type
      // is an adapter (`projectversion`), which the pipeline does not use.
      sid: 'DetectModerationLabels',
      actions: ['rekognition:DetectModerationLabels'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      // The queue is given by URL, so no sqs:GetQueueUrl.
      sid: 'SendReviewMessages',
      actions: ['sqs:SendMessage'],
      resources: [reviewQueue.queueArn],
    }),
    new iam.PolicyStatement({
      // The log group exists (the stack creates it): no logs:CreateLogGroup.
      sid: 'WriteOwnLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  ];
}
