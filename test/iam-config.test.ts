/**
 * Users and roles declared in the config file: their keys sign as their policies allow, IAM's
 * API refuses to change them, and a restart with a changed file makes the tables match it.
 */
import {
  DeleteUserPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  IAMClient,
  ListUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { GetObjectCommand, PutObjectCommand, CreateBucketCommand } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../src/config/index.js';
import { startTestVigil, type TestVigil } from './support/vigil.js';

const KEY = { accessKeyId: 'UPLOADERKEY00000001', secretAccessKey: 'uploader-secret-0123456789' };
const readPhotos = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::photos/*' }],
};

describe('identities declared in the config file', () => {
  let vigil: TestVigil | undefined;
  afterEach(async () => {
    await vigil?.stop();
    vigil = undefined;
  });

  it('sign as their policies say, cannot be changed through IAM, and follow the file across restarts', async () => {
    const config = (users: unknown[]) => ({
      iam: {
        users,
        roles: [{ name: 'thumbnailer', policies: { read: readPhotos } }],
      },
    });
    vigil = await startTestVigil({
      fsync: false,
      config: config([
        { name: 'uploader', accessKeys: [{ ...KEY }], policies: { read: readPhotos } },
      ]),
    });
    await vigil.s3.send(new CreateBucketCommand({ Bucket: 'photos' }));
    await vigil.s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'a', Body: 'a' }));
    const asUploader = vigil.client({ credentials: { ...KEY } });
    await asUploader.send(new GetObjectCommand({ Bucket: 'photos', Key: 'a' }));
    await expect(
      asUploader.send(new PutObjectCommand({ Bucket: 'photos', Key: 'b', Body: 'b' })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });

    const iam = new IAMClient({
      endpoint: vigil.url,
      region: 'us-east-1',
      credentials: { accessKeyId: vigil.accessKeyId, secretAccessKey: vigil.secretAccessKey },
    });
    expect((await iam.send(new GetUserCommand({ UserName: 'uploader' }))).User?.Arn).toBe(
      'arn:aws:iam::000000000000:user/uploader',
    );
    await expect(
      iam.send(new DeleteUserPolicyCommand({ UserName: 'uploader', PolicyName: 'read' })),
    ).rejects.toMatchObject({
      name: 'UnmodifiableEntityException',
      message: expect.stringContaining("declared in Vigil's config file") as unknown,
    });
    const role = await iam.send(new GetRoleCommand({ RoleName: 'thumbnailer' }));
    expect(JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!))).toMatchObject({
      Statement: [{ Principal: { Service: 'lambda.amazonaws.com' } }],
    });
    iam.destroy();

    // The same data directory, a file without the inline policy: the key signs, may do nothing.
    const dataDir = vigil.dataDir;
    await vigil.stop({ keepData: true });
    vigil = await startTestVigil({
      fsync: false,
      dataDir,
      config: config([{ name: 'uploader', accessKeys: [{ ...KEY }] }]),
    });
    const again = new IAMClient({
      endpoint: vigil.url,
      region: 'us-east-1',
      credentials: { accessKeyId: vigil.accessKeyId, secretAccessKey: vigil.secretAccessKey },
    });
    expect(
      (await again.send(new ListUserPoliciesCommand({ UserName: 'uploader' }))).PolicyNames,
    ).toEqual([]);
    await expect(
      vigil
        .client({ credentials: { ...KEY } })
        .send(new GetObjectCommand({ Bucket: 'photos', Key: 'a' })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    again.destroy();

    // And without the user at all: its key is gone.
    await vigil.stop({ keepData: true });
    vigil = await startTestVigil({ fsync: false, dataDir, config: config([]) });
    await expect(
      vigil
        .client({ credentials: { ...KEY } })
        .send(new GetObjectCommand({ Bucket: 'photos', Key: 'a' })),
    ).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
  });

  it('names the field of a bad declaration', () => {
    const load = (iam: unknown) => () =>
      loadConfig({}, {}, { path: join('/tmp', 'vigil.json'), values: { iam } });
    expect(
      load({ users: [{ name: 'a', policies: { p: { Version: '2012-10-17', Statement: {} } } }] }),
    ).toThrow(/iam\.users\[0\]\.policies\.p .*not a valid policy/);
    expect(load({ users: [{ name: 'a' }, { name: 'A' }] })).toThrow(
      /iam\.users\[1\]\.name .*A is declared twice/,
    );
    expect(
      load({ users: [{ name: 'a', accessKeys: [{ accessKeyId: 'lower-case-key-id' }] }] }),
    ).toThrow(ConfigError);
    expect(() =>
      loadConfig(
        {},
        {},
        {
          path: '/tmp/vigil.json',
          values: { functions: [{ name: 'f', module: 'f.mjs', role: 'ghost' }] },
        },
      ),
    ).toThrow(/functions\[0\]\.role .*no role named ghost in iam\.roles/);
  });
});
