/**
 * The CDK app (deploy/cdk), synthesized in-process and offline: the template's function,
 * bucket notification, queues and the execution role's statements, exactly; and the
 * deployment package, loaded on its own as Lambda would load it.
 */
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploymentFromContext } from '../deploy/cdk/context.js';
import { STACK_NAME, addModerationStack } from '../deploy/cdk/moderation-app.js';
import { ModerationStack, REPORTS_URL_ENV } from '../deploy/cdk/stack.js';
import { REPORTS_URL_ENV as HANDLER_REPORTS_URL_ENV } from '../src/pipeline/settings.js';

const SECRET = 'vigil/reports-url';

let work: string;
let bundleDir: string;
let variants = 0;
let stack: ModerationStack;
let template: Template;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'vigil-cdk-'));
  bundleDir = join(work, 'bundle');
  // As `cdk synth -c reportsUrlSecret=…` runs it, less the built-in template validation
  // (`cdk synth` runs it; its WebAssembly engine takes seconds to start).
  const app = new App({
    outdir: join(work, 'cdk.out'),
    context: { reportsUrlSecret: SECRET },
    builtinCloudFormationValidation: false,
  });
  stack = await addModerationStack(app, bundleDir);
  template = Template.fromStack(stack);
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** A variant on the same bundle. */
function synthVariant(context: Record<string, unknown>): {
  stack: ModerationStack;
  template: Template;
} {
  const outdir = join(work, `variant-${++variants}`);
  const app = new App({ outdir, context, builtinCloudFormationValidation: false });
  const variant = new ModerationStack(app, STACK_NAME, {
    ...deploymentFromContext((key) => context[key]),
    code: lambda.Code.fromAsset(bundleDir),
  });
  return { stack: variant, template: Template.fromStack(variant) };
}

/** The resource `of` defines, its intrinsics rendered. */
function propertiesOf(of: IConstruct, inTemplate: Template): Record<string, unknown> {
  return render(resource(inTemplate, logicalId(of)).Properties) as Record<string, unknown>;
}

function logicalId(of: IConstruct): string {
  const owner = Stack.of(of);
  return owner.resolve(owner.getLogicalId(of.node.defaultChild as CfnElement)) as string;
}

/** CloudFormation intrinsics as readable text: `${Id.Arn}`, `${AWS::Partition}`, joins. */
function render(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(render);
  if (typeof value !== 'object' || value === null) return value;
  const object = value as Record<string, unknown>;
  if (typeof object['Ref'] === 'string') return `\${${object['Ref']}}`;
  const getAtt = object['Fn::GetAtt'] as [string, string] | undefined;
  if (getAtt) return `\${${getAtt[0]}.${getAtt[1]}}`;
  const join = object['Fn::Join'] as [string, unknown[]] | undefined;
  if (join) return join[1].map(render).join(join[0]);
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, render(v)]));
}

interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Condition?: unknown;
}

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}

interface PolicyDocument {
  Statement: Statement[];
}

/** The template's resources of `type`, by logical ID. */
function resources(of: Template, type: string): Resource[] {
  const all = (of.toJSON() as { Resources: Record<string, Resource> }).Resources;
  return Object.values(all).filter((r) => r.Type === type);
}

function resource(of: Template, id: string): Resource {
  const found = (of.toJSON() as { Resources: Record<string, Resource | undefined> }).Resources[id];
  if (!found) throw new Error(`no resource ${id}`);
  return found;
}

/** The statements of the one policy attached to the role; it has no managed or inline ones. */
function roleStatements(of: Template, roleId: string): Statement[] {
  const role = resource(of, roleId);
  expect(role.Properties['ManagedPolicyArns']).toBeUndefined();
  expect(role.Properties['Policies']).toBeUndefined();
  const policies = resources(of, 'AWS::IAM::Policy').filter((p) =>
    JSON.stringify(p.Properties['Roles']).includes(`"${roleId}"`),
  );
  expect(policies).toHaveLength(1);
  const document = policies[0]!.Properties['PolicyDocument'] as PolicyDocument;
  return render(document.Statement) as Statement[];
}

/** Every statement in the template's IAM, queue and bucket policies. */
function allStatements(of: Template): Statement[] {
  const statements: Statement[] = [];
  for (const type of [
    'AWS::IAM::Policy',
    'AWS::IAM::ManagedPolicy',
    'AWS::SQS::QueuePolicy',
    'AWS::S3::BucketPolicy',
  ])
    for (const policy of resources(of, type))
      statements.push(...(policy.Properties['PolicyDocument'] as PolicyDocument).Statement);
  for (const role of resources(of, 'AWS::IAM::Role'))
    for (const inline of (role.Properties['Policies'] ?? []) as {
      PolicyDocument: PolicyDocument;
    }[])
      statements.push(...inline.PolicyDocument.Statement);
  return statements;
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('the moderation stack, defaults (the seed scenario)', () => {
  it('runs the repository’s handler on Node.js 22, with what lambda.ts reads', () => {
    expect(REPORTS_URL_ENV).toBe(HANDLER_REPORTS_URL_ENV);
    const fn = propertiesOf(stack.moderateImage, template);
    expect(fn).toMatchObject({
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Architectures: ['x86_64'],
      Role: `\${${logicalId(stack.role)}.Arn}`,
      DeadLetterConfig: { TargetArn: `\${${logicalId(stack.failedEvents)}.Arn}` },
      Environment: {
        Variables: {
          MODERATION_REVIEW_QUEUE: `\${${logicalId(stack.reviewQueue)}}`,
          // The secret is resolved at deploy time; its value is not in the template.
          MODERATION_REPORTS_URL: `{{resolve:secretsmanager:${SECRET}:SecretString:::}}`,
          MODERATION_MIN_CONFIDENCE: '80',
          MODERATION_CLEAN_TAG: 'false',
          MODERATION_POLICY: '{"defaultAction":"block","rules":[]}',
          MODERATION_MAX_IMAGE_BYTES: '15728640',
          MODERATION_MEMORY: '{"enabled":true,"maxDistance":10}',
        },
      },
    });
    const variables = (fn['Environment'] as { Variables: object }).Variables;
    expect(Object.keys(variables)).toHaveLength(7);
  });

  it('subscribes the function to s3:ObjectCreated:* under content/images/, ending .jpg', () => {
    const bucketId = logicalId(stack.bucket);
    const functionArn = `\${${logicalId(stack.moderateImage)}.Arn}`;
    const [notifications, ...others] = resources(template, 'Custom::S3BucketNotifications');
    expect(others).toEqual([]);
    expect(render(notifications!.Properties)).toMatchObject({
      BucketName: `\${${bucketId}}`,
      Managed: true,
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: {
              Key: {
                FilterRules: [
                  { Name: 'suffix', Value: '.jpg' },
                  { Name: 'prefix', Value: 'content/images/' },
                ],
              },
            },
            LambdaFunctionArn: functionArn,
          },
        ],
      },
    });
    const [permission] = resources(template, 'AWS::Lambda::Permission');
    expect(render(permission!.Properties)).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Principal: 's3.amazonaws.com',
      FunctionName: functionArn,
      SourceArn: `\${${bucketId}.Arn}`,
      SourceAccount: '${AWS::AccountId}',
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
  });

  it('has the review queue, its dead-letter queue and the failed-events queue', () => {
    template.resourceCountIs('AWS::SQS::Queue', 3);
    const queue = (of: IConstruct) => propertiesOf(of, template);
    expect(queue(stack.reviewQueue)).toEqual({
      MessageRetentionPeriod: 1_209_600,
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: `\${${logicalId(stack.reviewDeadLetters)}.Arn}`,
        maxReceiveCount: 5,
      },
    });
    const plain = { MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true };
    expect(queue(stack.reviewDeadLetters)).toEqual(plain);
    expect(queue(stack.failedEvents)).toEqual(plain);
  });

  it('keeps tracking records in PostgreSQL, not DynamoDB: no table, no table permission', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    expect(JSON.stringify(template.toJSON())).not.toContain('dynamodb:');
  });

  it('gives the execution role exactly these statements', () => {
    const id = (of: IConstruct) => logicalId(of);
    expect(roleStatements(template, id(stack.role))).toEqual([
      {
        Sid: 'ReadAndTagWatchedObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:GetObjectTagging', 's3:PutObjectTagging'],
        Resource: `\${${id(stack.bucket)}.Arn}/content/images/*.jpg`,
      },
      {
        Sid: 'DetectModerationLabels',
        Effect: 'Allow',
        Action: 'rekognition:DetectModerationLabels',
        Resource: '*',
      },
      {
        Sid: 'SendReviewMessages',
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: `\${${id(stack.reviewQueue)}.Arn}`,
      },
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `\${${id(stack.logGroup)}.Arn}`,
      },
      // Added by Lambda for the function's dead-letter queue.
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: `\${${id(stack.failedEvents)}.Arn}` },
    ]);
    expect(propertiesOf(stack.role, template)['AssumeRolePolicyDocument']).toMatchObject({
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'lambda.amazonaws.com' },
        },
      ],
    });
  });

  it('allows no wildcard action anywhere: `*` only denies requests without TLS', () => {
    const statements = allStatements(template);
    expect(statements.length).toBeGreaterThan(5);
    const wildcard = statements.filter((s) => actionsOf(s).some((a) => a.includes('*')));
    // enforceSSL on the bucket and the three queues.
    expect(wildcard).toHaveLength(4);
    for (const statement of wildcard)
      expect(statement).toMatchObject({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
  });
});

describe('the moderation stack, configured by context', () => {
  it('watches an existing, versioned bucket with its own prefix and suffix', () => {
    const { stack: imported, template: t } = synthVariant({
      reportsUrlSecret: SECRET,
      bucketName: 'my-uploads',
      prefix: 'photos/',
      suffix: '.png',
      versioned: 'true',
    });
    t.resourceCountIs('AWS::S3::Bucket', 0);
    const [notifications] = resources(t, 'Custom::S3BucketNotifications');
    // Managed: false merges with the bucket's existing notifications instead of replacing them.
    expect(render(notifications!.Properties)).toMatchObject({
      BucketName: 'my-uploads',
      Managed: false,
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: {
              Key: {
                FilterRules: [
                  { Name: 'suffix', Value: '.png' },
                  { Name: 'prefix', Value: 'photos/' },
                ],
              },
            },
          },
        ],
      },
    });
    expect(roleStatements(t, logicalId(imported.role))[0]).toEqual({
      Sid: 'ReadAndTagWatchedObjects',
      Effect: 'Allow',
      // With a versionId, GetObject and HeadObject take s3:GetObjectVersion instead of
      // s3:GetObject; the tagging calls take both actions.
      Action: [
        's3:GetObjectVersion',
        's3:GetObjectTagging',
        's3:GetObjectVersionTagging',
        's3:PutObjectTagging',
        's3:PutObjectVersionTagging',
      ],
      Resource: 'arn:${AWS::Partition}:s3:::my-uploads/photos/*.png',
    });
  });

  it('passes the pipeline settings through, checked by the pipeline’s own schema', () => {
    const { stack: configured, template: t } = synthVariant({
      reportsUrlSecret: SECRET,
      moderation: '{"minConfidence": 90, "cleanTag": true, "memory": {"enabled": false}}',
    });
    expect(propertiesOf(configured.moderateImage, t)['Environment']).toMatchObject({
      Variables: {
        MODERATION_MIN_CONFIDENCE: '90',
        MODERATION_CLEAN_TAG: 'true',
        MODERATION_MEMORY: '{"enabled":false,"maxDistance":10}',
      },
    });
  });

  it('needs the reporting database’s secret', () => {
    expect(() => deploymentFromContext(() => undefined)).toThrow(
      'reportsUrlSecret: expected the name or ARN of a Secrets Manager secret',
    );
  });

  it.each<[Record<string, unknown>, string]>([
    [{ prefix: 'content/*/' }, 'prefix: "content/*/" contains *, ? or $'],
    [{ suffix: '${aws:username}' }, 'suffix: "${aws:username}" contains *, ? or $'],
    [{ bucketName: 'My_Bucket' }, 'bucketName: expected an S3 bucket name'],
    [{ versioned: 'yes' }, 'versioned: expected true or false'],
    [{ moderation: '{"minConfidence": 120}' }, 'moderation.minConfidence: expected 0 to 100'],
    [{ moderation: '{nope' }, 'moderation: expected JSON'],
    [
      { moderation: { reviewQueue: 'q' } },
      "moderation.reviewQueue: the review queue is the stack's own",
    ],
  ])('refuses %o, naming the key', (context, message) => {
    const full: Record<string, unknown> = { reportsUrlSecret: SECRET, ...context };
    expect(() => deploymentFromContext((key) => full[key])).toThrow(message);
  });
});

describe('the deployment package', () => {
  it('holds the bundled handler and sharp for linux-x64, and nothing else native', () => {
    expect(existsSync(join(bundleDir, 'index.js'))).toBe(true);
    for (const name of ['sharp', '@img/sharp-linux-x64', '@img/sharp-libvips-linux-x64'])
      expect(existsSync(join(bundleDir, 'node_modules', name, 'package.json')), name).toBe(true);
    expect(existsSync(join(bundleDir, 'node_modules', 'better-sqlite3'))).toBe(false);
  });

  it('loads on its own, as Lambda loads it: the handler reaches the reporting database', async () => {
    // Outside the repository, only the package's own node_modules can resolve.
    const script = `
      const { handler } = require('./index.js');
      const sharp = require.resolve('sharp');
      handler({ Records: [] }).then(
        () => console.log(JSON.stringify({ sharp, error: null })),
        (error) => console.log(JSON.stringify({ sharp, error: error.code ?? error.message })),
      );`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
      cwd: bundleDir,
      env: {
        PATH: process.env['PATH'],
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        // Nothing listens on port 9: the pool's connection is refused.
        [REPORTS_URL_ENV]: 'postgres://vigil@127.0.0.1:9/reports',
      },
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      sharp: string;
      error: string;
    };
    expect(result.sharp.startsWith(join(bundleDir, 'node_modules', 'sharp'))).toBe(true);
    expect(result.error).toBe('ECONNREFUSED');
  });
});
