/**
 * The seed's own handler, deployed as on AWS with Debian's aws CLI: its logic unchanged
 * (`require('aws-sdk')`, DetectModerationLabels with MinConfidence 80, PutObjectTagging),
 * zipped with the AWS SDK for JavaScript v2, given an execution role with the seed's
 * permission list scoped to its bucket and prefix, and wired with
 * put-bucket-notification-configuration after add-permission. A flagged upload is tagged, a
 * clean one is left alone, and the role refuses reads and writes outside its prefix.
 */
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  GetObjectTaggingCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAwsBinaries, runAws } from './support/awscli.js';
import { until } from './support/until.js';
import { startTestVigil, type TestVigil } from './support/vigil.js';
import { zipFunction } from './support/zip.js';

const aws = findAwsBinaries().find((binary) => binary.path === '/usr/bin/aws');
const ACCOUNT = '000000000000';
const BUCKET = 'photos';
const ROLE = 'seed-moderation-role';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

/** The seed's permission list, scoped to its bucket and prefix. */
const SEED_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:HeadObject', 's3:PutObjectTagging'],
      Resource: `arn:aws:s3:::${BUCKET}/content/images/*`,
    },
    { Effect: 'Allow', Action: 'rekognition:DetectModerationLabels', Resource: '*' },
  ],
};

/** What npm ships of aws-sdk that a Node handler never loads: browser bundles, typings. */
const notNeeded = (path: string) =>
  /^node_modules\/aws-sdk\/(dist|dist-tools|scripts)\//.test(path) ||
  /\.d\.ts$/.test(path) ||
  /\.md$/.test(path);

describe.runIf(aws)("the seed's handler, deployed with the aws CLI", () => {
  let vigil: TestVigil;
  let dir: string;
  let lambda: LambdaClient;
  const cli = async (...args: string[]) => {
    const result = await runAws(
      aws!.path,
      vigil.url,
      { accessKeyId: vigil.accessKeyId, secretAccessKey: vigil.secretAccessKey },
      args,
    );
    expect(result.code, `aws ${args.slice(0, 2).join(' ')}: ${result.stderr}`).toBe(0);
    return result.stdout === '' ? {} : (JSON.parse(result.stdout) as Record<string, unknown>);
  };
  const invocation = (fn: string, key: string) =>
    until(
      () =>
        Promise.resolve(
          vigil.vigil.runtime
            .recentInvocations(fn, 50)
            .find(
              (i) => (i.state === 'succeeded' || i.state === 'failed') && i.payload.includes(key),
            ),
        ),
      90_000,
    );
  const tags = async (Key: string) =>
    (await vigil.s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key }))).TagSet;
  const upload = async (Key: string, photo: string) =>
    vigil.s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key,
        Body: await readFile(fixture(`photos/${photo}`)),
        ContentType: 'image/jpeg',
      }),
    );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-seed-zip-'));
    vigil = await startTestVigil({ fsync: false, config: { seed: false } });
    lambda = new LambdaClient({
      endpoint: vigil.url,
      region: 'us-east-1',
      credentials: { accessKeyId: vigil.accessKeyId, secretAccessKey: vigil.secretAccessKey },
    });
    // One package, two handlers: the seed's (index.js), and one with the same role that
    // tags whatever key its event names (tagger.js).
    const handler = await readFile(fixture('functions/seed-v2/index.js'));
    const tagger = [
      "const AWS = require('aws-sdk');",
      'const s3 = new AWS.S3();',
      'exports.handler = async ({ Key }) => {',
      `  await s3.putObjectTagging({ Bucket: '${BUCKET}', Key, Tagging: { TagSet: [{ Key: 'Checked', Value: 'yes' }] } }).promise();`,
      '  return { tagged: Key };',
      '};',
    ].join('\n');
    await writeFile(
      join(dir, 'seed.zip'),
      await zipFunction({ 'index.js': handler, 'tagger.js': tagger }, ['aws-sdk'], notNeeded),
    );
  }, 120_000);
  afterAll(async () => {
    lambda?.destroy();
    await vigil?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('tags a flagged upload, leaves a clean one alone, and its role keeps it inside its prefix', async () => {
    // The role and the bucket through the SDKs; deploying and wiring through the CLI.
    const iam = new IAMClient({
      endpoint: vigil.url,
      region: 'us-east-1',
      credentials: {
        accessKeyId: vigil.accessKeyId,
        secretAccessKey: vigil.secretAccessKey,
      },
    });
    await iam.send(
      new CreateRoleCommand({
        RoleName: ROLE,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'lambda.amazonaws.com' },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: ROLE,
        PolicyName: 'moderation',
        PolicyDocument: JSON.stringify(SEED_POLICY),
      }),
    );
    iam.destroy();
    await vigil.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const created = await cli(
      'lambda',
      'create-function',
      '--function-name',
      'seed-moderation',
      '--runtime',
      'nodejs20.x',
      '--handler',
      'index.handler',
      '--role',
      ROLE_ARN,
      '--timeout',
      '60',
      '--zip-file',
      `fileb://${join(dir, 'seed.zip')}`,
    );
    expect(created).toMatchObject({
      FunctionName: 'seed-moderation',
      Role: ROLE_ARN,
      State: 'Active',
    });
    const functionArn = created['FunctionArn'] as string;
    const notification = JSON.stringify({
      LambdaFunctionConfigurations: [
        {
          Id: 'moderate',
          LambdaFunctionArn: functionArn,
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'content/images/' }] } },
        },
      ],
    });
    // S3 refuses a function that has not allowed it to invoke it.
    await expect(
      vigil.s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: BUCKET,
          NotificationConfiguration: {
            LambdaFunctionConfigurations: [
              { LambdaFunctionArn: functionArn, Events: ['s3:ObjectCreated:*'] },
            ],
          },
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidArgument',
      message: expect.stringContaining(
        'Unable to validate the following destination configurations',
      ) as unknown,
    });
    await cli(
      'lambda',
      'add-permission',
      '--function-name',
      'seed-moderation',
      '--statement-id',
      's3-invoke',
      '--action',
      'lambda:InvokeFunction',
      '--principal',
      's3.amazonaws.com',
      '--source-arn',
      `arn:aws:s3:::${BUCKET}`,
      '--source-account',
      ACCOUNT,
    );
    await cli(
      's3api',
      'put-bucket-notification-configuration',
      '--bucket',
      BUCKET,
      '--notification-configuration',
      notification,
    );

    await upload('content/images/pistol.jpg', 'pistol_walther_pdp.jpg');
    await upload('content/images/cat.jpg', 'clean_cat_chelsea_skimage.jpg');
    const flagged = await invocation('seed-moderation', 'content/images/pistol.jpg');
    expect(flagged.state, JSON.stringify(flagged.attemptLog)).toBe('succeeded');
    expect(flagged.attemptLog[0]?.logs).toContain('"labels":["Weapons","Violence"]');
    const clean = await invocation('seed-moderation', 'content/images/cat.jpg');
    expect(clean.state, JSON.stringify(clean.attemptLog)).toBe('succeeded');
    expect(await tags('content/images/pistol.jpg')).toEqual([
      { Key: 'BlockedContent', Value: 'true' },
    ]);
    expect(await tags('content/images/cat.jpg')).toEqual([]);

    // Outside its prefix the role may not read: Rekognition cannot open the object for it.
    await upload('private/pistol.jpg', 'pistol_walther_pdp.jpg');
    const outside = await lambda.send(
      new InvokeCommand({
        FunctionName: 'seed-moderation',
        Payload: Buffer.from(
          JSON.stringify({
            Records: [{ s3: { bucket: { name: BUCKET }, object: { key: 'private/pistol.jpg' } } }],
          }),
        ),
      }),
    );
    expect(outside.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(outside.Payload!).toString())).toMatchObject({
      errorType: 'InvalidS3ObjectException',
    });
    expect(await tags('private/pistol.jpg')).toEqual([]);

    // Nor write: the same role's tagger tags inside the prefix and is refused outside it.
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'tagger',
        Runtime: 'nodejs22.x',
        Handler: 'tagger.handler',
        Role: ROLE_ARN,
        Timeout: 30,
        Code: { ZipFile: await readFile(join(dir, 'seed.zip')) },
      }),
    );
    const invoke = async (Key: string) => {
      const answer = await lambda.send(
        new InvokeCommand({
          FunctionName: 'tagger',
          Payload: Buffer.from(JSON.stringify({ Key })),
        }),
      );
      return {
        error: answer.FunctionError,
        payload: JSON.parse(Buffer.from(answer.Payload!).toString()) as Record<string, unknown>,
      };
    };
    expect(await invoke('content/images/cat.jpg')).toEqual({
      error: undefined,
      payload: { tagged: 'content/images/cat.jpg' },
    });
    const denied = await invoke('private/pistol.jpg');
    expect(denied.error).toBe('Unhandled');
    expect(denied.payload).toMatchObject({
      errorType: 'AccessDenied',
      errorMessage: expect.stringContaining(
        `assumed-role/${ROLE}/tagger is not authorized to perform: s3:PutObjectTagging on resource: "arn:aws:s3:::${BUCKET}/private/pistol.jpg"`,
      ) as unknown,
    });
    expect(await tags('private/pistol.jpg')).toEqual([]);
  }, 300_000);
});
