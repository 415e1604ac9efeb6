/**
 * The authorization matrix: for each API on the port (S3, SQS, Rekognition, EventBridge,
 * Lambda, IAM, the admin API), a user with no policy, one allowed, one allowed and explicitly
 * denied, one allowed under a condition the request fails, and one granted by the resource's
 * policy only — each gets the answer AWS documents for that API (docs/security.md).
 */
import {
  CreateBucketCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
} from '@aws-sdk/client-s3';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  IAMClient,
  ListUsersCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { DetectModerationLabelsCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCall } from './support/admin.js';
import { startTestVigil, type TestVigil } from './support/vigil.js';

type Keys = { accessKeyId: string; secretAccessKey: string };
type Denial = { status: number; code: string; message: string };

const ACCOUNT = '000000000000';
const BUCKET = 'matrix';
const QUEUE = 'matrix-queue';

/** One API: the call each user makes, the action it needs, and how a refusal looks. */
interface ApiRow {
  api: string;
  action: string;
  resource: string;
  call(keys: Keys): Promise<unknown>;
  /** The status and code AWS answers a refusal with on this API. */
  denial: { status: number; code: string };
}

describe('authorization matrix', () => {
  let vigil: TestVigil;
  let image: Buffer;
  const destroy: { destroy(): void }[] = [];
  const client = <T extends { destroy(): void }>(make: (config: object) => T, keys: Keys) => {
    const c = make({ endpoint: vigil.url, region: 'us-east-1', credentials: keys, maxAttempts: 1 });
    destroy.push(c);
    return c;
  };
  const rows = (): ApiRow[] => [
    {
      api: 'S3',
      action: 's3:ListBucket',
      resource: `arn:aws:s3:::${BUCKET}`,
      call: (keys) =>
        vigil.client({ credentials: keys }).send(new ListObjectsV2Command({ Bucket: BUCKET })),
      denial: { status: 403, code: 'AccessDenied' },
    },
    {
      api: 'SQS',
      action: 'sqs:GetQueueUrl',
      resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:${QUEUE}`,
      call: (keys) =>
        client((c) => new SQSClient(c), keys).send(new GetQueueUrlCommand({ QueueName: QUEUE })),
      denial: { status: 403, code: 'AccessDenied' },
    },
    {
      api: 'Rekognition',
      action: 'rekognition:DetectModerationLabels',
      resource: '*',
      call: (keys) =>
        client((c) => new RekognitionClient(c), keys).send(
          new DetectModerationLabelsCommand({ Image: { Bytes: image }, MinConfidence: 80 }),
        ),
      denial: { status: 400, code: 'AccessDeniedException' },
    },
    {
      api: 'EventBridge',
      action: 'events:ListRules',
      resource: '*',
      call: (keys) => client((c) => new EventBridgeClient(c), keys).send(new ListRulesCommand({})),
      denial: { status: 400, code: 'AccessDeniedException' },
    },
    {
      api: 'Lambda',
      action: 'lambda:ListFunctions',
      resource: '*',
      call: (keys) => client((c) => new LambdaClient(c), keys).send(new ListFunctionsCommand({})),
      denial: { status: 403, code: 'AccessDeniedException' },
    },
    {
      api: 'IAM',
      action: 'iam:ListUsers',
      resource: '*',
      call: (keys) => client((c) => new IAMClient(c), keys).send(new ListUsersCommand({})),
      denial: { status: 403, code: 'AccessDenied' },
    },
    {
      api: 'admin',
      action: 'vigil:ListQueues',
      resource: `arn:vigil:admin:us-east-1:${ACCOUNT}:queues`,
      call: async (keys) => {
        const answer = await adminCall(vigil.url, keys, 'GET', '/_vigil/admin/queues');
        if (answer.status !== 200) {
          const error = answer.json['error'] as { code: string; message: string };
          throw Object.assign(new Error(error.message), {
            name: error.code,
            $metadata: { httpStatusCode: answer.status },
          });
        }
        return answer.json;
      },
      denial: { status: 403, code: 'AccessDenied' },
    },
  ];

  const users = new Map<string, Keys>();
  const root = () => ({ accessKeyId: vigil.accessKeyId, secretAccessKey: vigil.secretAccessKey });
  const refusal = async (promise: Promise<unknown>): Promise<Denial> => {
    const error = (await promise.then(
      () => undefined,
      (e: unknown) => e,
    )) as (Error & { $metadata?: { httpStatusCode?: number } }) | undefined;
    expect(error, 'the call was allowed').toBeDefined();
    return {
      status: error!.$metadata?.httpStatusCode ?? 0,
      code: error!.name,
      message: error!.message,
    };
  };

  beforeAll(async () => {
    image = await readFile(new URL('./fixtures/images/clean-shapes.jpg', import.meta.url));
    vigil = await startTestVigil({ fsync: false, config: { queues: [{ name: QUEUE }] } });
    const iam = client((c) => new IAMClient(c), root());
    const allow = rows().map((row) => ({
      Effect: 'Allow',
      Action: row.action,
      Resource: row.resource,
    }));
    const policies: Record<string, object[]> = {
      nobody: [],
      allowed: allow,
      denied: [
        ...allow,
        ...rows().map((row) => ({ Effect: 'Deny', Action: row.action, Resource: '*' })),
      ],
      // Requests come from 127.0.0.1: a documentation range never matches.
      conditioned: allow.map((statement) => ({
        ...statement,
        Condition: { IpAddress: { 'aws:SourceIp': '192.0.2.0/24' } },
      })),
      partner: [],
    };
    for (const [name, statements] of Object.entries(policies)) {
      await iam.send(new CreateUserCommand({ UserName: name }));
      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
      users.set(name, {
        accessKeyId: AccessKey!.AccessKeyId!,
        secretAccessKey: AccessKey!.SecretAccessKey!,
      });
      if (statements.length > 0)
        await iam.send(
          new PutUserPolicyCommand({
            UserName: name,
            PolicyName: 'matrix',
            PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
          }),
        );
    }
    await vigil.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await vigil.s3.send(
      new PutBucketPolicyCommand({
        Bucket: BUCKET,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/partner` },
              Action: 's3:ListBucket',
              Resource: `arn:aws:s3:::${BUCKET}`,
            },
          ],
        }),
      }),
    );
  }, 120_000);
  afterAll(async () => {
    for (const c of destroy) c.destroy();
    await vigil?.stop();
  });

  const keys = (name: string) => users.get(name)!;
  const arn = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;

  describe.each(rows().map((row) => [row.api, row] as const))('%s', (_api, row) => {
    it('a user with no policy is refused by default', async () => {
      const denial = await refusal(row.call(keys('nobody')));
      expect(denial).toMatchObject(row.denial);
      expect(denial.message).toContain(
        `User: ${arn('nobody')} is not authorized to perform: ${row.action}`,
      );
      expect(denial.message).toContain(
        `because no identity-based policy allows the ${row.action} action`,
      );
    });

    it('a user whose policy allows it is served', async () => {
      await row.call(keys('allowed'));
    }, 60_000);

    it('an explicit deny beats the allow', async () => {
      const denial = await refusal(row.call(keys('denied')));
      expect(denial).toMatchObject(row.denial);
      expect(denial.message).toContain('with an explicit deny in an identity-based policy');
    });

    it('an allow whose condition the request fails does not apply', async () => {
      const denial = await refusal(row.call(keys('conditioned')));
      expect(denial).toMatchObject(row.denial);
      expect(denial.message).toContain('because no identity-based policy allows');
    });

    if (row.api === 'S3')
      it("the bucket's policy grants another user what no identity policy of theirs does", async () => {
        await row.call(keys('partner'));
        const other = await refusal(
          vigil
            .client({ credentials: keys('partner') })
            .send(new ListObjectsV2Command({ Bucket: 'uploads' })),
        );
        expect(other).toMatchObject({ status: 403, code: 'AccessDenied' });
      });
    else
      it('another user, without a policy of its own, is refused', async () => {
        expect(await refusal(row.call(keys('partner')))).toMatchObject(row.denial);
      });

    it('root is served', async () => {
      await row.call(root());
    }, 60_000);
  });

  it("a bucket policy's explicit deny refuses root too, but root may still remove the policy", async () => {
    await vigil.s3.send(new CreateBucketCommand({ Bucket: 'locked' }));
    await vigil.s3.send(
      new PutBucketPolicyCommand({
        Bucket: 'locked',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: ['arn:aws:s3:::locked', 'arn:aws:s3:::locked/*'],
            },
          ],
        }),
      }),
    );
    const denial = await refusal(vigil.s3.send(new ListObjectsV2Command({ Bucket: 'locked' })));
    expect(denial).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(denial.message).toContain('with an explicit deny in a resource-based policy');
    await vigil.s3.send(
      new PutBucketPolicyCommand({
        Bucket: 'locked',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: arn('partner') },
              Action: 's3:ListBucket',
              Resource: 'arn:aws:s3:::locked',
            },
          ],
        }),
      }),
    );
    await vigil.s3.send(new ListObjectsV2Command({ Bucket: 'locked' }));
  });
});
