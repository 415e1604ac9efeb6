/**
 * The IAM operations Vigil answers (users, access keys, roles, inline and managed policies),
 * each with the permission it needs and its result in IAM's XML shape. Policy documents go
 * out URL-encoded, as IAM sends them (the aws CLI and boto3 decode them).
 */
import { IamError } from './errors.js';
import type { AccessKeyInfo, IamRole, IamUser, IdentityStore } from './identity-store.js';
import { PolicyError, type Credential } from './types.js';
import { parsePolicy } from './policy/index.js';
import type { ManagedPolicy, PolicyOwner, PolicyStore } from './policy-store.js';

export interface IamDeps {
  accountId: string;
  identities: IdentityStore;
  policies: PolicyStore;
}

export interface IamOperation {
  /** The action and resource the caller needs (IAM's service authorization reference). */
  permission(params: URLSearchParams, caller: Credential): { action: string; resource: string };
  /** The `<Action>Result` content, or undefined for operations that return none. */
  run(params: URLSearchParams, caller: Credential): Record<string, unknown> | undefined;
}

type Deps = IamDeps;

const date = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const member = <T>(items: T[], render: (item: T) => unknown) =>
  items.length === 0 ? '' : { member: items.map(render) };

/**
 * One page of a list, as IAM pages them: `MaxItems` (1–1000, default 100) from `Marker`, an
 * opaque token; `IsTruncated` and the next `Marker` when more remain. The aws CLI follows
 * the markers by itself.
 */
function page<T>(
  params: URLSearchParams,
  name: string,
  items: T[],
  render: (item: T) => unknown,
): Record<string, unknown> {
  const max = params.get('MaxItems') === null ? 100 : Number(params.get('MaxItems'));
  if (!Number.isInteger(max) || max < 1 || max > 1000)
    throw new IamError(
      'ValidationError',
      `1 validation error detected: Value '${params.get('MaxItems')}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`,
    );
  const marker = params.get('Marker');
  const start = marker === null ? 0 : Number(Buffer.from(marker, 'base64url').toString('utf8'));
  if (!Number.isInteger(start) || start < 0)
    throw new IamError('InvalidInput', 'Invalid Marker: it is not one Vigil gave.');
  const slice = items.slice(start, start + max);
  const truncated = start + max < items.length;
  return {
    [name]: member(slice, render),
    IsTruncated: String(truncated),
    ...(truncated ? { Marker: Buffer.from(String(start + max)).toString('base64url') } : {}),
  };
}

function required(params: URLSearchParams, name: string, field = lowerFirst(name)): string {
  const value = params.get(name);
  if (value === null || value === '')
    throw new IamError(
      'ValidationError',
      `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  return value;
}

function lowerFirst(name: string): string {
  return name[0]!.toLowerCase() + name.slice(1);
}

function userXml(user: IamUser) {
  return {
    Path: user.path,
    UserName: user.name,
    UserId: user.userId,
    Arn: user.arn,
    CreateDate: date(user.createdAt),
  };
}

function roleXml(role: IamRole) {
  return {
    Path: role.path,
    RoleName: role.name,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: date(role.createdAt),
    AssumeRolePolicyDocument: encodeURIComponent(role.trustPolicy),
    ...(role.description !== undefined ? { Description: role.description } : {}),
    MaxSessionDuration: role.maxSessionDuration,
  };
}

function keyXml(key: AccessKeyInfo) {
  return {
    UserName: key.userName,
    AccessKeyId: key.accessKeyId,
    Status: key.status,
    CreateDate: date(key.createdAt),
  };
}

function policyXml(policy: ManagedPolicy) {
  return {
    PolicyName: policy.name,
    PolicyId: policy.policyId,
    Arn: policy.arn,
    Path: policy.path,
    DefaultVersionId: 'v1',
    AttachmentCount: policy.attachmentCount,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: 'true',
    ...(policy.description !== undefined ? { Description: policy.description } : {}),
    CreateDate: date(policy.createdAt),
    UpdateDate: date(policy.updatedAt),
  };
}

function trustPolicy(text: string): string {
  try {
    parsePolicy(text, 'trust');
  } catch (error) {
    if (error instanceof PolicyError) throw new IamError('MalformedPolicyDocument', error.message);
    throw error;
  }
  return text;
}

/** The user an operation is about: `UserName`, or the caller itself when it is a user. */
function targetUser(params: URLSearchParams, caller: Credential): string {
  const name = params.get('UserName');
  if (name) return name;
  if (caller.principal.kind === 'user') return caller.principal.name;
  throw new IamError(
    'ValidationError',
    'Must specify userName when calling with non-User credentials',
  );
}

export function iamOperations(deps: Deps): Record<string, IamOperation> {
  const { identities, policies, accountId } = deps;
  const userArn = (name: string) =>
    identities.findUser(name)?.arn ?? `arn:aws:iam::${accountId}:user/${name}`;
  const roleArn = (name: string) =>
    identities.findRole(name)?.arn ?? `arn:aws:iam::${accountId}:role/${name}`;
  const onUser = (action: string) => (params: URLSearchParams, caller: Credential) => ({
    action,
    resource: userArn(targetUser(params, caller)),
  });
  const onRole = (action: string) => (params: URLSearchParams) => ({
    action,
    resource: roleArn(required(params, 'RoleName')),
  });
  const onPolicy = (action: string) => (params: URLSearchParams) => ({
    action,
    resource: required(params, 'PolicyArn'),
  });
  const anywhere = (action: string) => () => ({ action, resource: '*' });
  const owner = (kind: 'user' | 'role', name: string): PolicyOwner => {
    const found = kind === 'user' ? identities.getUser(name) : identities.getRole(name);
    return { kind, name: found.name };
  };

  return {
    CreateUser: {
      permission: (params) => ({
        action: 'iam:CreateUser',
        resource: `arn:aws:iam::${accountId}:user${params.get('Path') ?? '/'}${required(params, 'UserName')}`,
      }),
      run: (params) => ({
        User: userXml(
          identities.createUser(required(params, 'UserName'), params.get('Path') ?? undefined),
        ),
      }),
    },
    GetUser: {
      permission: onUser('iam:GetUser'),
      run: (params, caller) => ({ User: userXml(identities.getUser(targetUser(params, caller))) }),
    },
    ListUsers: {
      permission: anywhere('iam:ListUsers'),
      run: (params) =>
        page(params, 'Users', identities.listUsers(params.get('PathPrefix') ?? '/'), userXml),
    },
    DeleteUser: {
      permission: onUser('iam:DeleteUser'),
      run: (params) => {
        identities.deleteUser(required(params, 'UserName'));
        return undefined;
      },
    },
    CreateAccessKey: {
      permission: onUser('iam:CreateAccessKey'),
      run: (params, caller) => {
        const key = identities.createAccessKey(targetUser(params, caller));
        return { AccessKey: { ...keyXml(key), SecretAccessKey: key.secretAccessKey } };
      },
    },
    ListAccessKeys: {
      permission: onUser('iam:ListAccessKeys'),
      run: (params, caller) => {
        const user = targetUser(params, caller);
        return {
          UserName: identities.getUser(user).name,
          ...page(params, 'AccessKeyMetadata', identities.listAccessKeys(user), keyXml),
        };
      },
    },
    UpdateAccessKey: {
      permission: onUser('iam:UpdateAccessKey'),
      run: (params, caller) => {
        const status = required(params, 'Status');
        if (status !== 'Active' && status !== 'Inactive')
          throw new IamError(
            'ValidationError',
            `1 validation error detected: Value '${status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]`,
          );
        identities.updateAccessKey(
          targetUser(params, caller),
          required(params, 'AccessKeyId'),
          status,
        );
        return undefined;
      },
    },
    DeleteAccessKey: {
      permission: onUser('iam:DeleteAccessKey'),
      run: (params, caller) => {
        identities.deleteAccessKey(targetUser(params, caller), required(params, 'AccessKeyId'));
        return undefined;
      },
    },
    GetAccessKeyLastUsed: {
      permission: (params) => {
        const key = identities.keyInfo(required(params, 'AccessKeyId'));
        return { action: 'iam:GetAccessKeyLastUsed', resource: key ? userArn(key.userName) : '*' };
      },
      run: (params) => {
        const id = required(params, 'AccessKeyId');
        const key = identities.keyInfo(id);
        if (!key)
          throw new IamError('NoSuchEntity', `The Access Key with id ${id} cannot be found.`);
        return {
          UserName: key.userName,
          AccessKeyLastUsed: key.lastUsedAt
            ? {
                LastUsedDate: date(key.lastUsedAt),
                ServiceName: key.lastUsedService ?? 'N/A',
                Region: 'N/A',
              }
            : { ServiceName: 'N/A', Region: 'N/A' },
        };
      },
    },
    ...inlinePolicyOperations('user', 'User', owner, onUser, policies),
    ...inlinePolicyOperations('role', 'Role', owner, onRole, policies),
    ...attachmentOperations('user', 'User', owner, onUser, policies),
    ...attachmentOperations('role', 'Role', owner, onRole, policies),
    CreatePolicy: {
      permission: (params) => ({
        action: 'iam:CreatePolicy',
        resource: `arn:aws:iam::${accountId}:policy${params.get('Path') ?? '/'}${required(params, 'PolicyName')}`,
      }),
      run: (params) => ({
        Policy: policyXml(
          policies.createManaged({
            name: required(params, 'PolicyName'),
            path: params.get('Path') ?? undefined,
            document: required(params, 'PolicyDocument'),
            description: params.get('Description') ?? undefined,
          }),
        ),
      }),
    },
    GetPolicy: {
      permission: onPolicy('iam:GetPolicy'),
      run: (params) => ({ Policy: policyXml(policies.getManaged(required(params, 'PolicyArn'))) }),
    },
    GetPolicyVersion: {
      permission: onPolicy('iam:GetPolicyVersion'),
      run: (params) => {
        const policy = policies.getManaged(required(params, 'PolicyArn'));
        const version = required(params, 'VersionId');
        if (version !== 'v1')
          throw new IamError(
            'NoSuchEntity',
            `Policy ${policy.arn} version ${version} does not exist or is not attachable.`,
          );
        return {
          PolicyVersion: {
            Document: encodeURIComponent(policy.document),
            VersionId: 'v1',
            IsDefaultVersion: 'true',
            CreateDate: date(policy.createdAt),
          },
        };
      },
    },
    ListPolicies: {
      permission: anywhere('iam:ListPolicies'),
      run: (params) => {
        const scope = params.get('Scope') ?? 'All';
        if (scope !== 'All' && scope !== 'AWS' && scope !== 'Local')
          throw new IamError(
            'ValidationError',
            `Invalid scope ${scope}: expected All, AWS or Local`,
          );
        const onlyAttached = params.get('OnlyAttached') === 'true';
        return page(
          params,
          'Policies',
          policies.listManaged(scope).filter((p) => !onlyAttached || p.attachmentCount > 0),
          policyXml,
        );
      },
    },
    DeletePolicy: {
      permission: onPolicy('iam:DeletePolicy'),
      run: (params) => {
        policies.deleteManaged(required(params, 'PolicyArn'));
        return undefined;
      },
    },
    CreateRole: {
      permission: (params) => ({
        action: 'iam:CreateRole',
        resource: `arn:aws:iam::${accountId}:role${params.get('Path') ?? '/'}${required(params, 'RoleName')}`,
      }),
      run: (params) => {
        const duration = params.get('MaxSessionDuration');
        return {
          Role: roleXml(
            identities.createRole({
              name: required(params, 'RoleName'),
              path: params.get('Path') ?? undefined,
              trustPolicy: trustPolicy(required(params, 'AssumeRolePolicyDocument')),
              description: params.get('Description') ?? undefined,
              maxSessionDuration: duration === null ? undefined : Number(duration),
            }),
          ),
        };
      },
    },
    GetRole: {
      permission: onRole('iam:GetRole'),
      run: (params) => ({ Role: roleXml(identities.getRole(required(params, 'RoleName'))) }),
    },
    ListRoles: {
      permission: anywhere('iam:ListRoles'),
      run: (params) =>
        page(params, 'Roles', identities.listRoles(params.get('PathPrefix') ?? '/'), roleXml),
    },
    UpdateAssumeRolePolicy: {
      permission: onRole('iam:UpdateAssumeRolePolicy'),
      run: (params) => {
        identities.updateTrustPolicy(
          required(params, 'RoleName'),
          trustPolicy(required(params, 'PolicyDocument')),
        );
        return undefined;
      },
    },
    DeleteRole: {
      permission: onRole('iam:DeleteRole'),
      run: (params) => {
        identities.deleteRole(required(params, 'RoleName'));
        return undefined;
      },
    },
  };
}

type OwnerOf = (kind: 'user' | 'role', name: string) => PolicyOwner;
type PermissionOf = (
  action: string,
) => (params: URLSearchParams, caller: Credential) => { action: string; resource: string };

/** Put/Get/List/Delete<User|Role>Policy. */
function inlinePolicyOperations(
  kind: 'user' | 'role',
  Kind: 'User' | 'Role',
  owner: OwnerOf,
  on: PermissionOf,
  policies: PolicyStore,
): Record<string, IamOperation> {
  const nameOf = (params: URLSearchParams) => required(params, `${Kind}Name`);
  return {
    [`Put${Kind}Policy`]: {
      permission: on(`iam:Put${Kind}Policy`),
      run: (params) => {
        policies.putInline(
          owner(kind, nameOf(params)),
          required(params, 'PolicyName'),
          required(params, 'PolicyDocument'),
        );
        return undefined;
      },
    },
    [`Get${Kind}Policy`]: {
      permission: on(`iam:Get${Kind}Policy`),
      run: (params) => {
        const who = owner(kind, nameOf(params));
        const policyName = required(params, 'PolicyName');
        return {
          [`${Kind}Name`]: who.name,
          PolicyName: policyName,
          PolicyDocument: encodeURIComponent(policies.getInline(who, policyName)),
        };
      },
    },
    [`List${Kind}Policies`]: {
      permission: on(`iam:List${Kind}Policies`),
      run: (params) =>
        page(params, 'PolicyNames', policies.listInline(owner(kind, nameOf(params))), (n) => n),
    },
    [`Delete${Kind}Policy`]: {
      permission: on(`iam:Delete${Kind}Policy`),
      run: (params) => {
        policies.deleteInline(owner(kind, nameOf(params)), required(params, 'PolicyName'));
        return undefined;
      },
    },
  };
}

/** Attach/Detach<User|Role>Policy and ListAttached<User|Role>Policies. */
function attachmentOperations(
  kind: 'user' | 'role',
  Kind: 'User' | 'Role',
  owner: OwnerOf,
  on: PermissionOf,
  policies: PolicyStore,
): Record<string, IamOperation> {
  const nameOf = (params: URLSearchParams) => required(params, `${Kind}Name`);
  return {
    [`Attach${Kind}Policy`]: {
      permission: on(`iam:Attach${Kind}Policy`),
      run: (params) => {
        policies.attach(owner(kind, nameOf(params)), required(params, 'PolicyArn'));
        return undefined;
      },
    },
    [`Detach${Kind}Policy`]: {
      permission: on(`iam:Detach${Kind}Policy`),
      run: (params) => {
        policies.detach(owner(kind, nameOf(params)), required(params, 'PolicyArn'));
        return undefined;
      },
    },
    [`ListAttached${Kind}Policies`]: {
      permission: on(`iam:ListAttached${Kind}Policies`),
      run: (params) =>
        page(params, 'AttachedPolicies', policies.attached(owner(kind, nameOf(params))), (arn) => ({
          PolicyName: arn.slice(arn.lastIndexOf('/') + 1),
          PolicyArn: arn,
        })),
    },
  };
}
