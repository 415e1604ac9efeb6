/**
 * Policies of users and roles: inline policies, customer managed policies and attachments
 * (of those or of AWS managed ones). Documents are validated when stored and kept as
 * written, since IAM returns them as they were put.
 */
import type { SqliteDatabase } from '../storage/index.js';
import { AWS_MANAGED_POLICIES } from './aws-managed.js';
import { IamError } from './errors.js';
import { checkName, checkPath, entityArn, newEntityId } from './names.js';
import { parsePolicy } from './policy/index.js';
import { PolicyError, type PolicyDocument } from './types.js';

export type PolicyOwner = { kind: 'user' | 'role'; name: string };

export interface ManagedPolicy {
  arn: string;
  name: string;
  policyId: string;
  path: string;
  document: string;
  description: string | undefined;
  createdAt: number;
  updatedAt: number;
  /** Users and roles it is attached to. */
  attachmentCount: number;
  awsManaged: boolean;
}

/** IAM's size quotas, counted without whitespace as IAM counts them. */
export const MAX_INLINE = { user: 2048, role: 10_240 } as const;
const MAX_MANAGED = 6144;
/** IAM's default quota of managed policies attached to one user or role. */
export const ATTACHED_POLICIES_PER_OWNER = 10;

export class PolicyStore {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly accountId: string,
    private readonly changed: () => void = () => {},
    private readonly now: () => number = Date.now,
    /** Refuses changes to the policies of config-declared users and roles. */
    private readonly requireMutable: (kind: 'user' | 'role', name: string) => void = () => {},
  ) {}

  putInline(owner: PolicyOwner, policyName: string, document: string): void {
    this.requireMutable(owner.kind, owner.name);
    checkName('policyName', policyName, 128);
    checkDocument(document, MAX_INLINE[owner.kind], `${owner.kind} ${owner.name}`);
    this.db
      .prepare(
        `INSERT INTO iam_inline_policies (owner_kind, owner_name, policy_name, document)
         VALUES (?, ?, ?, ?)
         ON CONFLICT (owner_kind, owner_name, policy_name) DO UPDATE SET document = excluded.document`,
      )
      .run(owner.kind, owner.name, policyName, document);
    this.changed();
  }

  getInline(owner: PolicyOwner, policyName: string): string {
    const document = this.db
      .prepare(
        'SELECT document FROM iam_inline_policies WHERE owner_kind = ? AND owner_name = ? AND policy_name = ?',
      )
      .pluck()
      .get(owner.kind, owner.name, policyName) as string | undefined;
    if (document === undefined)
      throw new IamError(
        'NoSuchEntity',
        `The ${owner.kind} policy with name ${policyName} cannot be found.`,
      );
    return document;
  }

  listInline(owner: PolicyOwner): string[] {
    return this.db
      .prepare(
        'SELECT policy_name FROM iam_inline_policies WHERE owner_kind = ? AND owner_name = ? ORDER BY policy_name',
      )
      .pluck()
      .all(owner.kind, owner.name) as string[];
  }

  deleteInline(owner: PolicyOwner, policyName: string): void {
    this.requireMutable(owner.kind, owner.name);
    this.getInline(owner, policyName);
    this.db
      .prepare(
        'DELETE FROM iam_inline_policies WHERE owner_kind = ? AND owner_name = ? AND policy_name = ?',
      )
      .run(owner.kind, owner.name, policyName);
    this.changed();
  }

  createManaged(input: {
    name: string;
    path?: string | undefined;
    document: string;
    description?: string | undefined;
  }): ManagedPolicy {
    checkName('policyName', input.name, 128);
    const path = checkPath('path', input.path);
    checkDocument(input.document, MAX_MANAGED, `policy ${input.name}`);
    if (this.db.prepare('SELECT 1 FROM iam_policies WHERE name = ?').get(input.name))
      throw new IamError(
        'EntityAlreadyExists',
        `A policy called ${input.name} already exists. Duplicate names are not allowed.`,
      );
    const now = this.now();
    const arn = entityArn(this.accountId, 'policy', path, input.name);
    this.db
      .prepare(
        `INSERT INTO iam_policies (arn, name, policy_id, path, document, description, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        arn,
        input.name,
        newEntityId('ANPA'),
        path,
        input.document,
        input.description ?? null,
        now,
        now,
      );
    this.changed();
    return this.getManaged(arn);
  }

  /** A customer managed policy, or one of the AWS managed policies Vigil knows. */
  getManaged(arn: string): ManagedPolicy {
    const policy = this.findManaged(arn);
    if (!policy)
      throw new IamError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`);
    return policy;
  }

  listManaged(scope: 'All' | 'AWS' | 'Local' = 'All'): ManagedPolicy[] {
    const local =
      scope === 'AWS'
        ? []
        : (this.db.prepare('SELECT arn FROM iam_policies ORDER BY name').pluck().all() as string[]);
    const aws = scope === 'Local' ? [] : [...AWS_MANAGED_POLICIES.keys()];
    return [...aws, ...local].map((arn) => this.getManaged(arn));
  }

  deleteManaged(arn: string): void {
    const policy = this.getManaged(arn);
    if (policy.awsManaged)
      throw new IamError('UnmodifiableEntity', `Cannot delete policy ${arn}: it is AWS managed.`);
    if (policy.attachmentCount > 0)
      throw new IamError('DeleteConflict', 'Cannot delete a policy attached to entities.');
    this.db.prepare('DELETE FROM iam_policies WHERE arn = ?').run(arn);
    this.changed();
  }

  attach(owner: PolicyOwner, policyArn: string): void {
    this.requireMutable(owner.kind, owner.name);
    this.getManaged(policyArn);
    const count = this.attached(owner).length;
    if (count >= ATTACHED_POLICIES_PER_OWNER && !this.attached(owner).includes(policyArn))
      throw new IamError(
        'LimitExceeded',
        `Cannot exceed quota for PoliciesPer${owner.kind === 'user' ? 'User' : 'Role'}: ${ATTACHED_POLICIES_PER_OWNER}`,
      );
    this.db
      .prepare(
        'INSERT OR IGNORE INTO iam_attachments (owner_kind, owner_name, policy_arn) VALUES (?, ?, ?)',
      )
      .run(owner.kind, owner.name, policyArn);
    this.changed();
  }

  detach(owner: PolicyOwner, policyArn: string): void {
    this.requireMutable(owner.kind, owner.name);
    const removed = this.db
      .prepare(
        'DELETE FROM iam_attachments WHERE owner_kind = ? AND owner_name = ? AND policy_arn = ?',
      )
      .run(owner.kind, owner.name, policyArn);
    if (removed.changes === 0)
      throw new IamError('NoSuchEntity', `Policy ${policyArn} was not found.`);
    this.changed();
  }

  attached(owner: PolicyOwner): string[] {
    return this.db
      .prepare(
        'SELECT policy_arn FROM iam_attachments WHERE owner_kind = ? AND owner_name = ? ORDER BY policy_arn',
      )
      .pluck()
      .all(owner.kind, owner.name) as string[];
  }

  /** Every policy that applies to a user or role: its inline ones and its attached ones. */
  documentsOf(owner: PolicyOwner): PolicyDocument[] {
    const inline = this.db
      .prepare('SELECT document FROM iam_inline_policies WHERE owner_kind = ? AND owner_name = ?')
      .pluck()
      .all(owner.kind, owner.name) as string[];
    const managed = this.attached(owner).flatMap((arn) => {
      const policy = this.findManaged(arn);
      return policy ? [policy.document] : [];
    });
    return [...inline, ...managed].map((text) => parsePolicy(text, 'identity'));
  }

  private findManaged(arn: string): ManagedPolicy | undefined {
    const attachmentCount = this.db
      .prepare('SELECT count(*) FROM iam_attachments WHERE policy_arn = ?')
      .pluck()
      .get(arn) as number;
    const aws = AWS_MANAGED_POLICIES.get(arn);
    if (aws) {
      const name = arn.slice(arn.lastIndexOf('/') + 1);
      return {
        arn,
        name,
        policyId: `ANPA${name
          .toUpperCase()
          .replace(/[^A-Z]/g, '')
          .padEnd(17, 'A')
          .slice(0, 17)}`,
        path: arn.slice('arn:aws:iam::aws:policy'.length, arn.length - name.length),
        document: aws.document,
        description: aws.description,
        createdAt: 0,
        updatedAt: 0,
        attachmentCount,
        awsManaged: true,
      };
    }
    const row = this.db.prepare('SELECT * FROM iam_policies WHERE arn = ?').get(arn) as
      | {
          arn: string;
          name: string;
          policy_id: string;
          path: string;
          document: string;
          description: string | null;
          created_at: number;
          updated_at: number;
        }
      | undefined;
    if (!row) return undefined;
    return {
      arn: row.arn,
      name: row.name,
      policyId: row.policy_id,
      path: row.path,
      document: row.document,
      description: row.description ?? undefined,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      attachmentCount,
      awsManaged: false,
    };
  }
}

/** Validates an identity policy for storing, with IAM's errors for bad grammar and size. */
export function checkDocument(document: string, max: number, owner: string): void {
  if (document.replace(/\s/g, '').length > max)
    throw new IamError(
      'LimitExceeded',
      `Maximum policy size of ${max} bytes exceeded for ${owner}`,
    );
  try {
    parsePolicy(document, 'identity');
  } catch (error) {
    if (error instanceof PolicyError) throw new IamError('MalformedPolicyDocument', error.message);
    throw error;
  }
}
