/**
 * The moderate-image pipeline on AWS: uploads bucket → Lambda (the repository's own handler)
 * → Rekognition → tags, the review queue with its dead-letter queue, and the reporting
 * database's URL from Secrets Manager. See deploy/cdk/README.md.
 */
import { CfnOutput, Duration, SecretValue, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { SETTINGS_ENV, settingsToEnvironment } from '../../src/pipeline/index.js';
import { HANDLER } from './bundle.js';
import type { Deployment } from './context.js';
import { moderationStatements } from './permissions.js';

/** What `pipelineFromEnvironment` (src/pipeline/lambda.ts) reads for a PostgreSQL store. */
export const REPORTS_URL_ENV = 'MODERATION_REPORTS_URL';

export interface ModerationStackProps extends StackProps, Deployment {
  /** The bundled handler (bundle.ts); built for x86_64, so the function runs on x86_64. */
  code: lambda.Code;
}

/**
 * @example
 * new ModerationStack(app, 'VigilModeration', {
 *   ...deploymentFromContext((key) => app.node.tryGetContext(key)),
 *   code: lambda.Code.fromAsset(bundleDir),
 * });
 */
export class ModerationStack extends Stack {
  readonly bucket: s3.IBucket;
  readonly reviewQueue: sqs.Queue;
  readonly reviewDeadLetters: sqs.Queue;
  /** Events the function failed on after Lambda's retries: not judged, not tagged. */
  readonly failedEvents: sqs.Queue;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly moderateImage: lambda.Function;

  constructor(scope: Construct, id: string, props: ModerationStackProps) {
    super(scope, id, {
      description:
        'Vigil moderate-image: S3 uploads -> Lambda -> Rekognition -> tags, review queue',
      ...props,
    });
    const { uploads } = props;
    this.bucket =
      uploads.bucketName !== undefined
        ? s3.Bucket.fromBucketName(this, 'Uploads', uploads.bucketName)
        : new s3.Bucket(this, 'Uploads', {
            blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
            encryption: s3.BucketEncryption.S3_MANAGED,
            enforceSSL: true,
            versioned: uploads.versioned,
          });

    // SQS-managed encryption: sending needs no KMS permission. 14 days: the longest SQS keeps.
    const queue = (name: string, extra: sqs.QueueProps = {}) =>
      new sqs.Queue(this, name, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        ...extra,
      });
    this.reviewDeadLetters = queue('ReviewDeadLetters');
    this.reviewQueue = queue('ReviewQueue', {
      deadLetterQueue: { queue: this.reviewDeadLetters, maxReceiveCount: 5 },
    });
    this.failedEvents = queue('FailedEvents');

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
    this.logGroup = logGroup;
    this.role = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'moderate-image: read and tag watched uploads, Rekognition, review queue, logs',
    });
    for (const statement of moderationStatements({
      bucket: this.bucket,
      uploads,
      reviewQueue: this.reviewQueue,
      logGroup,
    }))
      this.role.addToPrincipalPolicy(statement);

    const settings: Record<string, string> = settingsToEnvironment(props.settings);
    delete settings[SETTINGS_ENV.reviewQueue];
    this.moderateImage = new lambda.Function(this, 'ModerateImage', {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.X86_64,
      handler: HANDLER,
      code: props.code,
      role: this.role,
      logGroup,
      memorySize: 1024,
      timeout: Duration.seconds(60),
      deadLetterQueue: this.failedEvents,
      environment: {
        ...settings,
        // A URL, so the adapter needs no sqs:GetQueueUrl.
        [SETTINGS_ENV.reviewQueue]: this.reviewQueue.queueUrl,
        // Resolved by CloudFormation at deploy time: the URL is not in the template.
        [REPORTS_URL_ENV]: SecretValue.secretsManager(props.reportsUrlSecret).unsafeUnwrap(),
      },
    });

    this.bucket.addEventNotification(
      s3.EventType.OBJECT_CREATED,
      new s3n.LambdaDestination(this.moderateImage),
      {
        ...(uploads.prefix !== '' ? { prefix: uploads.prefix } : {}),
        ...(uploads.suffix !== '' ? { suffix: uploads.suffix } : {}),
      },
    );

    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'FunctionName', { value: this.moderateImage.functionName });
    new CfnOutput(this, 'LogGroupName', { value: logGroup.logGroupName });
    new CfnOutput(this, 'ReviewQueueUrl', { value: this.reviewQueue.queueUrl });
    new CfnOutput(this, 'ReviewDeadLettersUrl', { value: this.reviewDeadLetters.queueUrl });
    new CfnOutput(this, 'FailedEventsUrl', { value: this.failedEvents.queueUrl });
  }
}
