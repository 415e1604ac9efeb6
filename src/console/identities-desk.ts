/**
 * The console's Identities page, on the server: IAM users, access keys and policies read and
 * changed through the same stores as IAM's Query API, each change written to the audit log
 * after it is made (the identity tables and the audit log are different stores, so the two
 * cannot share a transaction: a failed audit write leaves the change made and answers 500).
 * IAM's errors keep their codes and messages; the ones a person meets most are said plainly.
 */
import { IamError, type IdentityStore, type PolicyStore } from '../iam/index.js';
import type { AccessKeyInfo, IamRole, IamUser } from '../iam/index.js';
import type { NewAuditEntry, ReportStore } from '../reporting/index.js';
import type {
  AccessKeyStatus,
  CreatedAccessKey,
  DeleteIamUserResponse,
  IamAccessKeyView,
  IamRoleView,
  IamUserView,
  InlinePolicyResponse,
  ManagedPoliciesResponse,
} from './api-types.js';
import { ConsoleError } from './errors.js';

export interface IdentitiesDeskOptions {
  identities: IdentityStore;
  policies: PolicyStore;
  reports: Pick<ReportStore, 'appendAudit'>;
  now?: () => number;
}

/** The input a failed call was about, for the page to show the message beside its field. */
export type IdentityField = 'userName' | 'path' | 'policyName' | 'document' | 'policyArn';

export class IdentitiesDesk {
  private readonly now: () => number;

  constructor(private readonly options: IdentitiesDeskOptions) {
    this.now = options.now ?? Date.now;
  }

  listUsers(): IamUserView[] {
    const { identities, policies } = this.options;
    return identities.listUsers().map((user) => ({
      ...userView(user),
      declared: this.declared('user', user.name),
      accessKeys: identities.listAccessKeys(user.name).map(keyView),
      inlinePolicies: policies.listInline({ kind: 'user', name: user.name }),
      attachedPolicies: policies.attached({ kind: 'user', name: user.name }),
    }));
  }

  listRoles(): IamRoleView[] {
    const { identities, policies } = this.options;
    return identities.listRoles().map((role) => ({
      ...roleView(role),
      declared: this.declared('role', role.name),
      inlinePolicies: policies.listInline({ kind: 'role', name: role.name }),
      attachedPolicies: policies.attached({ kind: 'role', name: role.name }),
    }));
  }

  listManagedPolicies(): ManagedPoliciesResponse['policies'] {
    return this.options.policies.listManaged('All').map((policy) => ({
      arn: policy.arn,
      name: policy.name,
      description: policy.description ?? null,
      awsManaged: policy.awsManaged,
      attachmentCount: policy.attachmentCount,
    }));
  }

  async createUser(actor: string, userName: string, path?: string): Promise<IamUserView> {
    const user = iam(() => this.options.identities.createUser(userName, path), {
      ValidationError: (message) => (message.includes("at 'path'") ? 'path' : 'userName'),
      EntityAlreadyExists: () => 'userName',
    });
    await this.audit(actor, 'iam.user.create', { user: user.name, arn: user.arn });
    return {
      ...userView(user),
      declared: false,
      accessKeys: [],
      inlinePolicies: [],
      attachedPolicies: [],
    };
  }

  /**
   * Deletes a user. IAM refuses while keys or policies remain; `withKeysAndPolicies` removes
   * them first, one audited step at a time, so a failure halfway leaves a log of what went.
   */
  async deleteUser(
    actor: string,
    userName: string,
    withKeysAndPolicies: boolean,
  ): Promise<DeleteIamUserResponse> {
    const { identities, policies } = this.options;
    const user = iam(() => identities.getUser(userName));
    const owner = { kind: 'user' as const, name: user.name };
    const done: DeleteIamUserResponse = {
      deletedAccessKeys: [],
      deletedPolicies: [],
      detachedPolicies: [],
    };
    if (withKeysAndPolicies) {
      iam(() => identities.requireMutable('user', user.name));
      for (const key of identities.listAccessKeys(user.name)) {
        await this.deleteKey(actor, user.name, key.accessKeyId);
        done.deletedAccessKeys.push(key.accessKeyId);
      }
      for (const policyName of policies.listInline(owner)) {
        await this.deletePolicy(actor, user.name, policyName);
        done.deletedPolicies.push(policyName);
      }
      for (const policyArn of policies.attached(owner)) {
        await this.detach(actor, user.name, policyArn);
        done.detachedPolicies.push(policyArn);
      }
    }
    try {
      identities.deleteUser(user.name);
    } catch (error) {
      if (error instanceof IamError && error.code === 'DeleteConflict')
        throw new ConsoleError(
          409,
          'DeleteConflict',
          `${error.message} ${user.name} still has ${leftovers(error.message)}: remove its ` +
            'access keys and policies first, or delete it with its keys and policies.',
        );
      throw consoleError(error);
    }
    await this.audit(actor, 'iam.user.delete', { user: user.name, arn: user.arn });
    return done;
  }

  async createKey(actor: string, userName: string): Promise<CreatedAccessKey> {
    const key = iam(() => this.options.identities.createAccessKey(userName));
    await this.audit(actor, 'iam.key.create', {
      user: key.userName,
      accessKeyId: key.accessKeyId,
    });
    return { ...keyView(key), userName: key.userName, secretAccessKey: key.secretAccessKey };
  }

  async setKeyStatus(
    actor: string,
    userName: string,
    accessKeyId: string,
    status: AccessKeyStatus,
  ): Promise<IamAccessKeyView> {
    const { identities } = this.options;
    iam(() => identities.updateAccessKey(userName, accessKeyId, status));
    await this.audit(actor, status === 'Active' ? 'iam.key.activate' : 'iam.key.deactivate', {
      user: userName,
      accessKeyId,
    });
    return keyView(identities.keyInfo(accessKeyId)!);
  }

  async deleteKey(actor: string, userName: string, accessKeyId: string): Promise<void> {
    iam(() => this.options.identities.deleteAccessKey(userName, accessKeyId));
    await this.audit(actor, 'iam.key.delete', { user: userName, accessKeyId });
  }

  getPolicy(kind: 'user' | 'role', name: string, policyName: string): InlinePolicyResponse {
    const { identities, policies } = this.options;
    const owner = iam(() =>
      kind === 'user' ? identities.getUser(name) : identities.getRole(name),
    );
    return {
      owner: { kind, name: owner.name },
      policyName,
      document: iam(() => policies.getInline({ kind, name: owner.name }, policyName)),
    };
  }

  async putPolicy(
    actor: string,
    userName: string,
    policyName: string,
    document: string,
  ): Promise<void> {
    const { identities, policies } = this.options;
    const user = iam(() => identities.getUser(userName));
    iam(() => policies.putInline({ kind: 'user', name: user.name }, policyName, document), {
      MalformedPolicyDocument: () => 'document',
      LimitExceeded: () => 'document',
      ValidationError: () => 'policyName',
    });
    await this.audit(actor, 'iam.policy.put', { user: user.name, policyName, document });
  }

  async deletePolicy(actor: string, userName: string, policyName: string): Promise<void> {
    const { identities, policies } = this.options;
    const user = iam(() => identities.getUser(userName));
    iam(() => policies.deleteInline({ kind: 'user', name: user.name }, policyName));
    await this.audit(actor, 'iam.policy.delete', { user: user.name, policyName });
  }

  async attach(actor: string, userName: string, policyArn: string): Promise<void> {
    const { identities, policies } = this.options;
    const user = iam(() => identities.getUser(userName));
    iam(() => policies.attach({ kind: 'user', name: user.name }, policyArn), {
      NoSuchEntity: () => 'policyArn',
    });
    await this.audit(actor, 'iam.policy.attach', { user: user.name, policyArn });
  }

  async detach(actor: string, userName: string, policyArn: string): Promise<void> {
    const { identities, policies } = this.options;
    const user = iam(() => identities.getUser(userName));
    iam(() => policies.detach({ kind: 'user', name: user.name }, policyArn));
    await this.audit(actor, 'iam.policy.detach', { user: user.name, policyArn });
  }

  private declared(kind: 'user' | 'role', name: string): boolean {
    try {
      this.options.identities.requireMutable(kind, name);
      return false;
    } catch (error) {
      if (error instanceof IamError && error.code === 'UnmodifiableEntity') return true;
      throw error;
    }
  }

  private async audit(actor: string, action: string, what: object): Promise<void> {
    const entry: NewAuditEntry = {
      at: this.now(),
      actor,
      action,
      bucket: null,
      key: null,
      etag: null,
      reviewItemId: null,
      note: JSON.stringify(what),
      tagsBefore: null,
      tagsAfter: null,
    };
    await this.options.reports.appendAudit(entry);
  }
}

type FieldOf = Partial<Record<IamError['code'], (message: string) => IdentityField>>;

/** Runs an IAM store call; its `IamError` becomes the console's error with IAM's code. */
function iam<T>(call: () => T, fields: FieldOf = {}): T {
  try {
    return call();
  } catch (error) {
    if (error instanceof IamError) {
      throw consoleError(error, fields[error.code]?.(error.message));
    }
    throw error;
  }
}

function consoleError(error: unknown, field?: IdentityField): unknown {
  if (!(error instanceof IamError)) return error;
  return new ConsoleError(error.status, error.code, error.message, {}, field ? { field } : {});
}

/** What IAM's DeleteConflict sentence says is left, in a person's words. */
function leftovers(message: string): string {
  if (message.includes('access keys')) return 'access keys';
  if (message.includes('detach')) return 'attached policies';
  return 'inline policies';
}

function userView(user: IamUser) {
  return {
    name: user.name,
    arn: user.arn,
    path: user.path,
    userId: user.userId,
    createdAt: user.createdAt,
  };
}

function roleView(role: IamRole) {
  return {
    name: role.name,
    arn: role.arn,
    path: role.path,
    createdAt: role.createdAt,
    description: role.description ?? null,
    maxSessionDuration: role.maxSessionDuration,
    trustPolicy: role.trustPolicy,
  };
}

function keyView(key: AccessKeyInfo): IamAccessKeyView {
  return {
    accessKeyId: key.accessKeyId,
    status: key.status,
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt ?? null,
    lastUsedService: key.lastUsedService ?? null,
  };
}
