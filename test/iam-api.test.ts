/**
 * IAM and STS on Vigil's port, through @aws-sdk/client-iam, client-sts and Debian's aws CLI:
 * users and their keys, inline and managed policies, roles and AssumeRole, and the S3
 * requests those keys sign, allowed or refused as the policies say.
 */
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  GetAccessKeyLastUsedCommand,
  DetachUserPolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListPoliciesCommand,
  paginateListPolicies,
  ListUsersCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
  type S3ServiceException,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAwsBinaries, runAws } from './support/awscli.js';
import { startTestVigil, type TestVigil } from './support/vigil.js';

type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

describe('IAM and STS on the port', () => {
  let vigil: TestVigil;
  let iam: IAMClient;
  const clients: { destroy(): void }[] = [];
  const s3As = (credentials: Keys) => {
    const client = vigil.client({ credentials });
    return client;
  };
  const iamAs = (credentials: Keys) => {
    const client = new IAMClient({ endpoint: vigil.url, region: 'us-east-1', credentials });
    clients.push(client);
    return client;
  };
  const newUserWithKey = async (name: string): Promise<Keys> => {
    await iam.send(new CreateUserCommand({ UserName: name }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  };
  const denied = async (promise: Promise<unknown>) => {
    const error = (await promise.then(
      () => undefined,
      (e: unknown) => e,
    )) as S3ServiceException | undefined;
    expect(error?.name).toBe('AccessDenied');
    expect(error?.$metadata.httpStatusCode).toBe(403);
    return error!;
  };

  beforeAll(async () => {
    vigil = await startTestVigil({ fsync: false });
    iam = iamAs({ accessKeyId: vigil.accessKeyId, secretAccessKey: vigil.secretAccessKey });
    await vigil.s3.send(new CreateBucketCommand({ Bucket: 'photos' }));
    await vigil.s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'a.txt', Body: 'a' }));
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await vigil?.stop();
  });

  it('creates a user and a key whose secret is shown once; a user without policies may do nothing', async () => {
    const keys = await newUserWithKey('nobody');
    expect(keys.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    const listed = await iam.send(new ListAccessKeysCommand({ UserName: 'nobody' }));
    expect(listed.AccessKeyMetadata?.map((k) => k.AccessKeyId)).toEqual([keys.accessKeyId]);
    expect(JSON.stringify(listed)).not.toContain(keys.secretAccessKey);
    const error = await denied(
      s3As(keys).send(new GetObjectCommand({ Bucket: 'photos', Key: 'a.txt' })),
    );
    expect(error.message).toBe(
      'User: arn:aws:iam::000000000000:user/nobody is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::photos/a.txt" because no identity-based policy allows the s3:GetObject action',
    );
    const iamError = await iamAs(keys)
      .send(new ListUsersCommand({}))
      .catch((e: unknown) => e as Error);
    expect((iamError as Error).name).toBe('AccessDenied');
  });

  it('an inline policy allows what it says, on the resources it names, and nothing else', async () => {
    const keys = await newUserWithKey('reader');
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'reader',
        PolicyName: 'read-photos',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::photos/*' },
          ],
        }),
      }),
    );
    const got = await s3As(keys).send(new GetObjectCommand({ Bucket: 'photos', Key: 'a.txt' }));
    expect(await got.Body?.transformToString()).toBe('a');
    const used = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: keys.accessKeyId }));
    expect(used).toMatchObject({ UserName: 'reader', AccessKeyLastUsed: { ServiceName: 's3' } });
    expect(used.AccessKeyLastUsed?.LastUsedDate).toBeInstanceOf(Date);
    await denied(s3As(keys).send(new PutObjectCommand({ Bucket: 'photos', Key: 'b', Body: 'b' })));
    const stored = await iam.send(
      new GetUserPolicyCommand({ UserName: 'reader', PolicyName: 'read-photos' }),
    );
    expect(JSON.parse(decodeURIComponent(stored.PolicyDocument!))).toMatchObject({
      Statement: [{ Action: 's3:GetObject' }],
    });
  });

  it('an explicit deny in an attached managed policy beats the allow', async () => {
    const keys = await newUserWithKey('mixed');
    await iam.send(
      new AttachUserPolicyCommand({
        UserName: 'mixed',
        PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess',
      }),
    );
    await s3As(keys).send(new PutObjectCommand({ Bucket: 'photos', Key: 'mixed', Body: 'm' }));
    const { Policy } = await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'no-writes',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Action: 's3:PutObject', Resource: '*' }],
        }),
      }),
    );
    await iam.send(new AttachUserPolicyCommand({ UserName: 'mixed', PolicyArn: Policy!.Arn }));
    const error = await denied(
      s3As(keys).send(new PutObjectCommand({ Bucket: 'photos', Key: 'mixed', Body: 'm' })),
    );
    expect(error.message).toContain('with an explicit deny in an identity-based policy');
    const attached = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'mixed' }));
    expect(attached.AttachedPolicies?.map((p) => p.PolicyName).sort()).toEqual([
      'AmazonS3FullAccess',
      'no-writes',
    ]);
  });

  it("conditions on an object's tags: existing ones for reads, requested ones for tagging", async () => {
    const keys = await newUserWithKey('tag-minded');
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'tag-minded',
        PolicyName: 'tags',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 's3:GetObject',
              Resource: 'arn:aws:s3:::photos/*',
              Condition: { StringEquals: { 's3:ExistingObjectTag/visibility': 'public' } },
            },
            {
              Effect: 'Allow',
              Action: 's3:PutObjectTagging',
              Resource: 'arn:aws:s3:::photos/*',
              Condition: {
                'ForAllValues:StringEquals': { 's3:RequestObjectTagKeys': ['visibility'] },
              },
            },
          ],
        }),
      }),
    );
    await vigil.s3.send(
      new PutObjectCommand({
        Bucket: 'photos',
        Key: 'open.txt',
        Body: 'o',
        Tagging: 'visibility=public',
      }),
    );
    await vigil.s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'closed.txt', Body: 'c' }));
    const client = s3As(keys);
    await client.send(new GetObjectCommand({ Bucket: 'photos', Key: 'open.txt' }));
    await denied(client.send(new GetObjectCommand({ Bucket: 'photos', Key: 'closed.txt' })));
    await client.send(
      new PutObjectTaggingCommand({
        Bucket: 'photos',
        Key: 'closed.txt',
        Tagging: { TagSet: [{ Key: 'visibility', Value: 'public' }] },
      }),
    );
    await client.send(new GetObjectCommand({ Bucket: 'photos', Key: 'closed.txt' }));
    await denied(
      client.send(
        new PutObjectTaggingCommand({
          Bucket: 'photos',
          Key: 'closed.txt',
          Tagging: { TagSet: [{ Key: 'BlockedContent', Value: 'false' }] },
        }),
      ),
    );
  });

  it("names an IAM user in its writes' events as S3 does: AWS:<user id>", async () => {
    const keys = await newUserWithKey('event-writer');
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'event-writer',
        PolicyName: 'write',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::noted/*' },
          ],
        }),
      }),
    );
    const root = { accessKeyId: vigil.accessKeyId, secretAccessKey: vigil.secretAccessKey };
    const sqs = new SQSClient({ endpoint: vigil.url, region: 'us-east-1', credentials: root });
    clients.push(sqs);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'noted-events' }));
    await vigil.s3.send(new CreateBucketCommand({ Bucket: 'noted' }));
    await vigil.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'noted',
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              QueueArn: 'arn:aws:sqs:us-east-1:000000000000:noted-events',
              Events: ['s3:ObjectCreated:*'],
            },
          ],
        },
      }),
    );
    await s3As(keys).send(new PutObjectCommand({ Bucket: 'noted', Key: 'k', Body: 'k' }));
    const { User } = await iam.send(new GetUserCommand({ UserName: 'event-writer' }));
    const principals: string[] = [];
    while (principals.length === 0) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 2, MaxNumberOfMessages: 10 }),
      );
      for (const message of Messages) {
        const body = JSON.parse(message.Body!) as {
          Records?: { userIdentity: { principalId: string } }[];
        };
        for (const record of body.Records ?? []) principals.push(record.userIdentity.principalId);
      }
    }
    expect(principals).toEqual([`AWS:${User!.UserId}`]);
  });

  it('pages lists as IAM does: MaxItems, IsTruncated and a Marker the SDK follows', async () => {
    const first = await iam.send(new ListPoliciesCommand({ Scope: 'AWS', MaxItems: 5 }));
    expect(first.Policies).toHaveLength(5);
    expect(first.IsTruncated).toBe(true);
    expect(first.Marker).toBeTruthy();
    const all: string[] = [];
    for await (const page of paginateListPolicies({ client: iam, pageSize: 5 }, { Scope: 'AWS' }))
      all.push(...(page.Policies ?? []).map((p) => p.PolicyName!));
    expect(all).toHaveLength(new Set(all).size);
    expect(all).toContain('AmazonS3ReadOnlyAccess');
    expect(all.length).toBeGreaterThan(5);
    await expect(iam.send(new ListUsersCommand({ MaxItems: 0 }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });

  it('a deactivated key is refused at once, a reactivated one works again', async () => {
    const keys = await newUserWithKey('toggled');
    await iam.send(
      new AttachUserPolicyCommand({
        UserName: 'toggled',
        PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
      }),
    );
    const client = s3As(keys);
    await client.send(new GetObjectCommand({ Bucket: 'photos', Key: 'a.txt' }));
    await iam.send(
      new UpdateAccessKeyCommand({
        UserName: 'toggled',
        AccessKeyId: keys.accessKeyId,
        Status: 'Inactive',
      }),
    );
    const error = await client
      .send(new GetObjectCommand({ Bucket: 'photos', Key: 'a.txt' }))
      .catch((e: unknown) => e as S3ServiceException);
    expect((error as S3ServiceException).name).toBe('InvalidAccessKeyId');
    await iam.send(
      new UpdateAccessKeyCommand({
        UserName: 'toggled',
        AccessKeyId: keys.accessKeyId,
        Status: 'Active',
      }),
    );
    await client.send(new GetObjectCommand({ Bucket: 'photos', Key: 'a.txt' }));
  });

  it('IAM refuses what IAM refuses: duplicates, bad documents, deleting a user with keys', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'dup' }));
    await expect(iam.send(new CreateUserCommand({ UserName: 'DUP' }))).rejects.toMatchObject({
      name: 'EntityAlreadyExistsException',
      $metadata: { httpStatusCode: 409 },
    });
    await expect(
      iam.send(
        new PutUserPolicyCommand({
          UserName: 'dup',
          PolicyName: 'p',
          PolicyDocument: '{"Statement":',
        }),
      ),
    ).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException' });
    await expect(
      iam.send(
        new PutUserPolicyCommand({
          UserName: 'dup',
          PolicyName: 'p',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }],
          }),
        }),
      ),
    ).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException' });
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'dup' }));
    await expect(iam.send(new DeleteUserCommand({ UserName: 'dup' }))).rejects.toMatchObject({
      name: 'DeleteConflictException',
    });
    await iam.send(
      new DeleteAccessKeyCommand({ UserName: 'dup', AccessKeyId: AccessKey!.AccessKeyId }),
    );
    await iam.send(new DeleteUserCommand({ UserName: 'dup' }));
    await expect(iam.send(new GetUserCommand({ UserName: 'dup' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      iam.send(
        new DetachUserPolicyCommand({
          UserName: 'nobody',
          PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess',
        }),
      ),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    await expect(
      iam.send(new DeleteUserPolicyCommand({ UserName: 'nobody', PolicyName: 'none' })),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  it('STS: who am I, and a role assumed by a user its trust policy names', async () => {
    const keys = await newUserWithKey('assumer');
    const sts = new STSClient({ endpoint: vigil.url, region: 'us-east-1', credentials: keys });
    clients.push(sts);
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe('arn:aws:iam::000000000000:user/assumer');
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName: 'photo-reader',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: me.Arn }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'photo-reader',
        PolicyName: 'read',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::photos/*' },
          ],
        }),
      }),
    );
    const assumed = await sts.send(
      new AssumeRoleCommand({ RoleArn: Role!.Arn, RoleSessionName: 'test-session' }),
    );
    const session: Keys = {
      accessKeyId: assumed.Credentials!.AccessKeyId!,
      secretAccessKey: assumed.Credentials!.SecretAccessKey!,
      sessionToken: assumed.Credentials!.SessionToken!,
    };
    expect(session.accessKeyId).toMatch(/^ASIA/);
    const client: S3Client = s3As(session);
    await client.send(new GetObjectCommand({ Bucket: 'photos', Key: 'a.txt' }));
    const error = await denied(
      client.send(new PutObjectCommand({ Bucket: 'photos', Key: 'x', Body: 'x' })),
    );
    expect(error.message).toContain(
      'arn:aws:sts::000000000000:assumed-role/photo-reader/test-session is not authorized to perform: s3:PutObject',
    );
    // Without its token, the session's key is no credential.
    const tokenless = s3As({
      accessKeyId: session.accessKeyId,
      secretAccessKey: session.secretAccessKey,
    });
    await expect(
      tokenless.send(new GetObjectCommand({ Bucket: 'photos', Key: 'a.txt' })),
    ).rejects.toMatchObject({ name: 'InvalidToken' });
    // A user the trust policy does not name may not assume it.
    const other = await newUserWithKey('stranger');
    const strangerSts = new STSClient({
      endpoint: vigil.url,
      region: 'us-east-1',
      credentials: other,
    });
    clients.push(strangerSts);
    await expect(
      strangerSts.send(new AssumeRoleCommand({ RoleArn: Role!.Arn, RoleSessionName: 'nope' })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  const aws = findAwsBinaries()[0];
  it.runIf(aws)('the aws CLI creates a user, a key and a policy', async () => {
    const root = { accessKeyId: vigil.accessKeyId, secretAccessKey: vigil.secretAccessKey };
    const run = (...args: string[]) => runAws(aws!.path, vigil.url, root, args);
    expect((await run('iam', 'create-user', '--user-name', 'cli-user')).code).toBe(0);
    const created = await run('iam', 'create-access-key', '--user-name', 'cli-user');
    expect(created.code).toBe(0);
    const key = (JSON.parse(created.stdout) as { AccessKey: { AccessKeyId: string } }).AccessKey;
    expect(key.AccessKeyId).toMatch(/^AKIA/);
    const put = await run(
      'iam',
      'put-user-policy',
      '--user-name',
      'cli-user',
      '--policy-name',
      'list',
      '--policy-document',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::photos' }],
      }),
    );
    expect(put.code).toBe(0);
    const got = await run(
      'iam',
      'get-user-policy',
      '--user-name',
      'cli-user',
      '--policy-name',
      'list',
    );
    expect(JSON.parse(got.stdout)).toMatchObject({
      PolicyDocument: { Statement: [{ Action: 's3:ListBucket' }] },
    });
    const users = await run('iam', 'list-users');
    const listed = JSON.parse(users.stdout) as { Users: { UserName: string }[] };
    expect(listed.Users.map((u) => u.UserName)).toContain('cli-user');
  });
});
