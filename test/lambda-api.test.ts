/**
 * Lambda's API on a real listening Vigil: functions deployed from zips with
 * `@aws-sdk/client-lambda` and the aws CLI, invoked synchronously and asynchronously,
 * changed without a restart, kept across one, given policies and event-invoke configs, and
 * triggered by S3 uploads. The access gate is a small in-test one (root allowed, another key
 * denied), standing in for IAM.
 */
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteFunctionEventInvokeConfigCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  GetPolicyCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  PutFunctionEventInvokeConfigCommand,
  RemovePermissionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionEventInvokeConfigCommand,
  type CreateFunctionCommandInput,
} from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZipFile } from 'yazl';
import { startVigil, type RunningVigil } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import type { AccessGate, Credential, Principal } from '../src/iam/types.js';
import { findAwsBinaries, runAws } from './support/awscli.js';
import { until } from './support/until.js';

const ACCOUNT = '000000000000';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/lambda-runner`;
const DENIED = { accessKeyId: 'AKIADENIEDEXAMPLE000', secretAccessKey: 'denied-secret' };
const SESSION = {
  accessKeyId: 'ASIASESSIONEXAMPLE00',
  secretAccessKey: 'session-secret',
  sessionToken: 'session-token',
};
const arn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;

/**
 * Root and a role session may do everything; the user key nothing (as IAM denies a user
 * without policies).
 */
function testGate(root: { accessKeyId: string; secretAccessKey: string }): AccessGate {
  const principal = (kind: Principal['kind'], name: string): Principal => ({
    kind,
    name,
    accountId: ACCOUNT,
    userId: name,
    arn: kind === 'root' ? `arn:aws:iam::${ACCOUNT}:root` : `arn:aws:iam::${ACCOUNT}:user/${name}`,
  });
  const keys = new Map<string, Credential>([
    [root.accessKeyId, { ...root, principal: principal('root', 'root') }],
    [DENIED.accessKeyId, { ...DENIED, principal: principal('user', 'denied') }],
    [SESSION.accessKeyId, { ...SESSION, principal: principal('assumed-role', 'deployer') }],
  ]);
  return {
    credential: (id) => keys.get(id),
    authorize: (who, action, resource) =>
      who.kind !== 'user'
        ? { decision: 'Allow', message: '' }
        : {
            decision: 'ImplicitDeny',
            message: `User: ${who.arn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
          },
  };
}

interface Running {
  vigil: RunningVigil;
  lambda: LambdaClient;
  s3: S3Client;
}

async function start(dataDir: string): Promise<Running> {
  const config = loadConfig(
    { port: 0, host: '127.0.0.1', dataDir, region: 'us-east-1', logLevel: 'silent' },
    {},
    {
      path: '(test)',
      values: {
        seed: false,
        moderation: { warm: false },
        queues: [{ name: 'lambda-failures' }],
        // The execution role every function here runs with (Lambda may assume it).
        iam: { roles: [{ name: 'lambda-runner' }] },
      },
    },
  );
  const credentials = await peekRoot(config);
  const vigil = await startVigil(
    config,
    pino({ level: process.env['VIGIL_TEST_LOG'] ?? 'silent' }),
    {
      lambda: { gate: testGate(credentials), roles: { exists: (r) => r === ROLE } },
    },
  );
  const clientOptions = {
    endpoint: vigil.url,
    region: 'us-east-1',
    credentials: {
      accessKeyId: vigil.credentials.accessKeyId,
      secretAccessKey: vigil.credentials.secretAccessKey,
    },
  };
  return {
    vigil,
    lambda: new LambdaClient(clientOptions),
    s3: new S3Client({ ...clientOptions, forcePathStyle: true }),
  };
}

/** The root key Vigil will use: from the environment-free config, generated on first start. */
async function peekRoot(
  config: Parameters<typeof startVigil>[0],
): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const { resolveRootCredentials } = await import('../src/config/index.js');
  return resolveRootCredentials(config.dataDir, config);
}

async function stop(r: Running | undefined): Promise<void> {
  r?.lambda.destroy();
  r?.s3.destroy();
  await r?.vigil.stop();
}

function zip(files: Record<string, string>, options: { mode?: number } = {}): Promise<Buffer> {
  const file = new ZipFile();
  for (const [name, text] of Object.entries(files))
    file.addBuffer(Buffer.from(text), name, options.mode ? { mode: options.mode } : {});
  file.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    file.outputStream.on('data', (c: Buffer) => chunks.push(c));
    file.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    file.outputStream.on('error', reject);
  });
}

const ECHO = `
export const handler = async (event, context) => {
  console.log('got', JSON.stringify(event));
  return { echo: event, name: context.functionName, greeting: process.env.GREETING ?? null, version: 1 };
};`;
const ECHO_V2 = `export const handler = async (event) => ({ echo: event, version: 2 });`;
const FAILING = `export const handler = async () => { console.error('about to fail'); throw new TypeError('boom'); };`;

function create(
  lambda: LambdaClient,
  name: string,
  code: Buffer,
  extra: Partial<CreateFunctionCommandInput> = {},
) {
  return lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs22.x',
      Role: ROLE,
      Handler: 'index.handler',
      Code: { ZipFile: code },
      ...extra,
    }),
  );
}

const decode = (payload: Uint8Array | undefined) =>
  JSON.parse(Buffer.from(payload ?? []).toString('utf8')) as Record<string, unknown>;

let dataDir: string;
let r: Running;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vigil-lambda-'));
  r = await start(dataDir);
});

afterAll(async () => {
  await stop(r);
  await rm(dataDir, { recursive: true, force: true });
});

describe('CreateFunction and Invoke', () => {
  it('deploys a zip and invokes it synchronously, with the log tail', async () => {
    const code = await zip({ 'index.mjs': ECHO });
    const created = await create(r.lambda, 'echo', code, {
      Environment: { Variables: { GREETING: 'hi' } },
      Timeout: 10,
      MemorySize: 256,
      Description: 'echoes',
    });
    expect(created).toMatchObject({
      FunctionName: 'echo',
      FunctionArn: arn('echo'),
      Runtime: 'nodejs22.x',
      Role: ROLE,
      Handler: 'index.handler',
      CodeSize: code.length,
      Timeout: 10,
      MemorySize: 256,
      Description: 'echoes',
      Version: '$LATEST',
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
      Environment: { Variables: { GREETING: 'hi' } },
    });
    expect(created.$metadata.httpStatusCode).toBe(201);
    const { createHash } = await import('node:crypto');
    expect(created.CodeSha256).toBe(createHash('sha256').update(code).digest('base64'));
    expect(created.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(created.RevisionId).toMatch(/^[0-9a-f-]{36}$/);

    const result = await r.lambda.send(
      new InvokeCommand({
        FunctionName: 'echo',
        Payload: Buffer.from(JSON.stringify({ hello: 'world' })),
        LogType: 'Tail',
      }),
    );
    expect(result.StatusCode).toBe(200);
    expect(result.FunctionError).toBeUndefined();
    expect(result.ExecutedVersion).toBe('$LATEST');
    expect(decode(result.Payload)).toEqual({
      echo: { hello: 'world' },
      name: 'echo',
      greeting: 'hi',
      version: 1,
    });
    const log = Buffer.from(result.LogResult ?? '', 'base64').toString('utf8');
    expect(log).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
    expect(log).toContain('\tINFO\tgot {"hello":"world"}');
    expect(log).toMatch(/END RequestId: .*\nREPORT RequestId: .*Duration: .*Memory Size: 256 MB/);
  });

  it('reports a handler error with X-Amz-Function-Error', async () => {
    await create(r.lambda, 'failing', await zip({ 'index.mjs': FAILING }));
    const result = await r.lambda.send(new InvokeCommand({ FunctionName: arn('failing') }));
    expect(result.StatusCode).toBe(200);
    expect(result.FunctionError).toBe('Unhandled');
    expect(decode(result.Payload)).toMatchObject({ errorType: 'TypeError', errorMessage: 'boom' });
  });

  it('runs a handler in a nested path, and a CommonJS one', async () => {
    await create(
      r.lambda,
      'nested',
      await zip({ 'src/app.cjs': `exports.main = async () => process.env._HANDLER;` }),
      { Handler: 'src/app.main', Runtime: 'nodejs20.x' },
    );
    const result = await r.lambda.send(new InvokeCommand({ FunctionName: 'nested' }));
    expect(decode(result.Payload)).toBe('src/app.main');
  });

  it('queues an Event invocation (202) and runs it', async () => {
    const result = await r.lambda.send(
      new InvokeCommand({
        FunctionName: 'echo',
        InvocationType: 'Event',
        Payload: Buffer.from('{"async":true}'),
      }),
    );
    expect(result.StatusCode).toBe(202);
    const done = await until(() =>
      Promise.resolve(
        r.vigil.runtime
          .recentInvocations('echo')
          .find((i) => i.payload === '{"async":true}' && i.state === 'succeeded'),
      ),
    );
    expect(done.attemptLog[0]?.logs).toContain('got {"async":true}');
  });

  it('answers DryRun with 204', async () => {
    const result = await r.lambda.send(
      new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun' }),
    );
    expect(result.StatusCode).toBe(204);
  });

  it('refuses what Lambda refuses', async () => {
    const code = await zip({ 'index.mjs': ECHO });
    await expect(create(r.lambda, 'echo', code)).rejects.toMatchObject({
      name: 'ResourceConflictException',
      $metadata: { httpStatusCode: 409 },
    });
    await expect(
      create(r.lambda, 'no-role', code, { Role: `arn:aws:iam::${ACCOUNT}:role/unknown` }),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: 'The role defined for the function cannot be assumed by Lambda.',
    });
    await expect(create(r.lambda, 'py', code, { Runtime: 'python3.12' })).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
    await expect(create(r.lambda, 'slow', code, { Timeout: 901 })).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(
      create(r.lambda, 'reserved', code, { Environment: { Variables: { AWS_REGION: 'x' } } }),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    await expect(
      r.lambda.send(new GetFunctionCommand({ FunctionName: 'missing' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Function not found: ${arn('missing')}`,
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      r.lambda.send(new InvokeCommand({ FunctionName: 'missing' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(
      r.lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('not json') })),
    ).rejects.toMatchObject({ name: 'InvalidRequestContentException' });
  });

  it('refuses a zip with ../ entries, a symlink, or no zip at all, and leaves nothing behind', async () => {
    // yazl will not write "..": write a same-length name and patch it in (names are not in the CRC).
    const good = await zip({ 'AA/evil.mjs': ECHO });
    const evil = Buffer.from(
      good.toString('latin1').replaceAll('AA/evil.mjs', '../evil.mjs'),
      'latin1',
    );
    await expect(create(r.lambda, 'escape', evil)).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: expect.stringContaining('Could not unzip uploaded file') as unknown,
    });
    const link = await zip({ 'index.mjs': '/etc/passwd' }, { mode: 0o120777 });
    await expect(create(r.lambda, 'link', link)).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: expect.stringContaining('symbolic link') as unknown,
    });
    await expect(create(r.lambda, 'junk', Buffer.from('not a zip'))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
    await expect(
      r.lambda.send(new GetFunctionCommand({ FunctionName: 'escape' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(await readdir(join(dataDir, 'lambda', 'code', '.tmp'))).toEqual([]);
    await expect(readFile(join(dataDir, 'lambda', 'evil.mjs'))).rejects.toThrow();
  });

  it('answers AccessDeniedException (403) to a caller the gate denies', async () => {
    const denied = new LambdaClient({
      endpoint: r.vigil.url,
      region: 'us-east-1',
      credentials: DENIED,
    });
    try {
      await expect(denied.send(new ListFunctionsCommand({}))).rejects.toMatchObject({
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
        message: expect.stringContaining('lambda:ListFunctions') as unknown,
      });
      await expect(denied.send(new InvokeCommand({ FunctionName: 'echo' }))).rejects.toMatchObject({
        name: 'AccessDeniedException',
        message: expect.stringContaining(
          `lambda:InvokeFunction on resource: ${arn('echo')}`,
        ) as unknown,
      });
    } finally {
      denied.destroy();
    }
    const session = (sessionToken?: string) =>
      new LambdaClient({
        endpoint: r.vigil.url,
        region: 'us-east-1',
        credentials: { ...SESSION, sessionToken },
      });
    for (const [token, ok] of [
      [SESSION.sessionToken, true],
      ['forged', false],
      [undefined, false],
    ] as const) {
      const client = session(token);
      try {
        const listed = client.send(new ListFunctionsCommand({}));
        if (ok)
          await expect(listed).resolves.toMatchObject({ Functions: expect.any(Array) as unknown });
        else await expect(listed).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
      } finally {
        client.destroy();
      }
    }
    const unknown = new LambdaClient({
      endpoint: r.vigil.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIANOBODY', secretAccessKey: 'x' },
    });
    try {
      await expect(unknown.send(new ListFunctionsCommand({}))).rejects.toMatchObject({
        name: 'UnrecognizedClientException',
      });
    } finally {
      unknown.destroy();
    }
  });
});

describe('routing', () => {
  it('leaves S3 requests to a bucket named like a Lambda path to S3', async () => {
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    await r.s3.send(new CreateBucketCommand({ Bucket: '2015-03-31' }));
    await r.s3.send(new PutObjectCommand({ Bucket: '2015-03-31', Key: 'functions', Body: 'x' }));
    const got = await r.s3.send(new GetObjectCommand({ Bucket: '2015-03-31', Key: 'functions' }));
    expect(await got.Body?.transformToString()).toBe('x');
  });

  it('takes a function ARN, a partial ARN or $LATEST, and refuses other qualifiers', async () => {
    for (const name of [arn('echo'), `${ACCOUNT}:function:echo`, `${arn('echo')}:$LATEST`]) {
      const got = await r.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
      expect(got.FunctionName).toBe('echo');
    }
    await expect(
      r.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'echo', Qualifier: '1' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('changing functions', () => {
  it('lists and gets functions, with a code download link', async () => {
    const page = await r.lambda.send(new ListFunctionsCommand({ MaxItems: 1 }));
    expect(page.Functions).toHaveLength(1);
    expect(page.NextMarker).toBeDefined();
    const all = await r.lambda.send(new ListFunctionsCommand({}));
    expect(all.Functions?.map((f) => f.FunctionName)).toEqual(
      expect.arrayContaining(['echo', 'failing', 'nested', 'moderate-image']),
    );
    const got = await r.lambda.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    expect(got.Configuration?.FunctionName).toBe('echo');
    expect(got.Code?.RepositoryType).toBe('S3');
    const download = await fetch(got.Code!.Location!);
    expect(download.status).toBe(200);
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(bytes.length).toBe(got.Configuration?.CodeSize);
  });

  it('updates code and configuration, taking effect without a restart', async () => {
    const before = await r.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: 'echo' }),
    );
    const updated = await r.lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: 'echo',
        ZipFile: await zip({ 'index.mjs': ECHO_V2 }),
      }),
    );
    expect(updated.CodeSha256).not.toBe(before.CodeSha256);
    expect(updated.RevisionId).not.toBe(before.RevisionId);
    const result = await r.lambda.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('1') }),
    );
    expect(decode(result.Payload)).toEqual({ echo: 1, version: 2 });

    await expect(
      r.lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: 'echo',
          Timeout: 5,
          RevisionId: before.RevisionId!,
        }),
      ),
    ).rejects.toMatchObject({ name: 'PreconditionFailedException' });
    const configured = await r.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'echo',
        Timeout: 5,
        Environment: { Variables: { GREETING: 'hello again' } },
      }),
    );
    expect(configured).toMatchObject({ Timeout: 5, Handler: 'index.handler', Role: ROLE });
    expect(r.vigil.runtime.describe('echo')).toMatchObject({
      timeoutSeconds: 5,
      environment: { GREETING: 'hello again' },
      role: ROLE,
    });
  });

  it('shows config-file functions read-only', async () => {
    const got = await r.lambda.send(new GetFunctionCommand({ FunctionName: 'moderate-image' }));
    expect(got.Configuration?.FunctionName).toBe('moderate-image');
    await expect(
      r.lambda.send(new DeleteFunctionCommand({ FunctionName: 'moderate-image' })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: expect.stringContaining("Vigil's config file") as unknown,
    });
  });

  it('keeps the resource policy (AddPermission, GetPolicy, RemovePermission)', async () => {
    const added = await r.lambda.send(
      new AddPermissionCommand({
        FunctionName: 'echo',
        StatementId: 's3invoke',
        Action: 'lambda:InvokeFunction',
        Principal: 's3.amazonaws.com',
        SourceArn: 'arn:aws:s3:::photos',
        SourceAccount: ACCOUNT,
      }),
    );
    expect(JSON.parse(added.Statement!)).toEqual({
      Sid: 's3invoke',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Resource: arn('echo'),
      Condition: {
        StringEquals: { 'AWS:SourceAccount': ACCOUNT },
        ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::photos' },
      },
    });
    await expect(
      r.lambda.send(
        new AddPermissionCommand({
          FunctionName: 'echo',
          StatementId: 's3invoke',
          Action: 'lambda:InvokeFunction',
          Principal: 's3.amazonaws.com',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceConflictException' });
    const policy = await r.lambda.send(new GetPolicyCommand({ FunctionName: 'echo' }));
    expect(JSON.parse(policy.Policy!)).toMatchObject({
      Version: '2012-10-17',
      Id: 'default',
      Statement: [{ Sid: 's3invoke' }],
    });
    expect(r.vigil.lambda.policyOf('echo')).toBe(policy.Policy);
    await r.lambda.send(
      new RemovePermissionCommand({ FunctionName: 'echo', StatementId: 's3invoke' }),
    );
    await expect(
      r.lambda.send(new GetPolicyCommand({ FunctionName: 'echo' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(
      r.lambda.send(new RemovePermissionCommand({ FunctionName: 'echo', StatementId: 'nope' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('applies event-invoke configs to the running function', async () => {
    const queueArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:lambda-failures`;
    const put = await r.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'failing',
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 120,
        DestinationConfig: { OnFailure: { Destination: queueArn } },
      }),
    );
    expect(put).toMatchObject({
      FunctionArn: `${arn('failing')}:$LATEST`,
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 120,
      DestinationConfig: { OnFailure: { Destination: queueArn } },
    });
    expect(r.vigil.runtime.describe('failing')).toMatchObject({
      maximumRetryAttempts: 0,
      maximumEventAgeSeconds: 120,
      onFailure: 'lambda-failures',
    });
    const updated = await r.lambda.send(
      new UpdateFunctionEventInvokeConfigCommand({
        FunctionName: 'failing',
        MaximumRetryAttempts: 1,
      }),
    );
    expect(updated).toMatchObject({ MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 120 });
    const got = await r.lambda.send(
      new GetFunctionEventInvokeConfigCommand({ FunctionName: 'failing' }),
    );
    expect(got.MaximumRetryAttempts).toBe(1);
    await expect(
      r.lambda.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: 'failing',
          MaximumRetryAttempts: 3,
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      r.lambda.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: 'failing',
          DestinationConfig: {
            OnFailure: { Destination: `arn:aws:sns:us-east-1:${ACCOUNT}:topic` },
          },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    await r.lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'failing' }));
    await expect(
      r.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'failing' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(r.vigil.runtime.describe('failing')?.maximumRetryAttempts).toBe(2);
  });

  it('runs a deployed function on a bucket notification', async () => {
    await create(r.lambda, 'on-upload', await zip({ 'index.mjs': ECHO }));
    await r.lambda.send(
      new AddPermissionCommand({
        FunctionName: 'on-upload',
        StatementId: 's3',
        Action: 'lambda:InvokeFunction',
        Principal: 's3.amazonaws.com',
        SourceArn: 'arn:aws:s3:::lambda-uploads',
      }),
    );
    await r.s3.send(new CreateBucketCommand({ Bucket: 'lambda-uploads' }));
    await r.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'lambda-uploads',
        NotificationConfiguration: {
          LambdaFunctionConfigurations: [
            { LambdaFunctionArn: arn('on-upload'), Events: ['s3:ObjectCreated:*'] },
          ],
        },
      }),
    );
    await r.s3.send(
      new PutObjectCommand({ Bucket: 'lambda-uploads', Key: 'hello.txt', Body: 'hi' }),
    );
    const done = await until(() =>
      Promise.resolve(
        r.vigil.runtime.recentInvocations('on-upload').find((i) => i.state === 'succeeded'),
      ),
    );
    expect(done.attemptLog[0]?.logs).toContain('"key":"hello.txt"');
  });

  it('deletes a function', async () => {
    await create(r.lambda, 'short-lived', await zip({ 'index.mjs': ECHO }));
    const deleted = await r.lambda.send(new DeleteFunctionCommand({ FunctionName: 'short-lived' }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect(r.vigil.runtime.has('short-lived')).toBe(false);
    await expect(
      r.lambda.send(new InvokeCommand({ FunctionName: 'short-lived' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

const binaries = findAwsBinaries();

describe.runIf(binaries.length > 0)('aws CLI', () => {
  const bin = binaries[0]!.path;

  it('creates a function from fileb:// and invokes it with --log-type Tail', async () => {
    const work = await mkdtemp(join(tmpdir(), 'vigil-lambda-cli-'));
    try {
      const zipPath = join(work, 'function.zip');
      await writeFile(zipPath, await zip({ 'index.mjs': ECHO }));
      const credentials = r.vigil.credentials;
      const aws = (...args: string[]) => runAws(bin, r.vigil.url, credentials, ['lambda', ...args]);
      const created = await aws(
        'create-function',
        '--function-name',
        'cli-echo',
        '--runtime',
        'nodejs24.x',
        '--role',
        ROLE,
        '--handler',
        'index.handler',
        '--zip-file',
        `fileb://${zipPath}`,
      );
      expect(created, created.stderr).toMatchObject({ code: 0 });
      expect(JSON.parse(created.stdout)).toMatchObject({
        FunctionName: 'cli-echo',
        Runtime: 'nodejs24.x',
        State: 'Active',
      });
      const out = join(work, 'out.json');
      const invoked = await aws(
        'invoke',
        '--function-name',
        'cli-echo',
        '--cli-binary-format',
        'raw-in-base64-out',
        '--payload',
        '{"from":"cli"}',
        '--log-type',
        'Tail',
        out,
      );
      expect(invoked, invoked.stderr).toMatchObject({ code: 0 });
      const answer = JSON.parse(invoked.stdout) as { StatusCode: number; LogResult: string };
      expect(answer.StatusCode).toBe(200);
      expect(Buffer.from(answer.LogResult, 'base64').toString()).toContain('got {"from":"cli"}');
      expect(JSON.parse(await readFile(out, 'utf8'))).toMatchObject({ echo: { from: 'cli' } });
      const missing = await aws('get-function', '--function-name', 'nope');
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain('ResourceNotFoundException');
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});

describe('restart', () => {
  it('keeps deployed functions, their policies and configs on the same data directory', async () => {
    await r.lambda.send(
      new AddPermissionCommand({
        FunctionName: 'echo',
        StatementId: 'kept',
        Action: 'lambda:InvokeFunction',
        Principal: 's3.amazonaws.com',
      }),
    );
    await stop(r);
    r = await start(dataDir);
    const got = await r.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'echo' }));
    expect(got).toMatchObject({
      Timeout: 5,
      Environment: { Variables: { GREETING: 'hello again' } },
    });
    const result = await r.lambda.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('"again"') }),
    );
    expect(decode(result.Payload)).toEqual({ echo: 'again', version: 2 });
    expect(r.vigil.lambda.policyOf('echo')).toContain('"Sid":"kept"');
    // The first version's package is no longer used by any function: removed at start.
    const packages = (await readdir(join(dataDir, 'lambda', 'code'))).filter(
      (n) => !n.startsWith('.'),
    );
    const inUse = new Set(
      (await r.lambda.send(new ListFunctionsCommand({}))).Functions?.map((f) => f.CodeSha256),
    );
    expect(packages.filter((n) => !n.endsWith('.zip')).length).toBeLessThanOrEqual(inUse.size);
  });
});
