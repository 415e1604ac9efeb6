/**
 * IAM users, their access keys, and roles, in the data directory's database. Secrets are
 * sealed with the data key (SigV4 needs them back, so they cannot be hashed); a new key's
 * secret is returned once, by `createAccessKey`, and never again.
 */
import type { SqliteDatabase } from '../storage/index.js';
import { IamError } from './errors.js';
import { checkName, checkPath, entityArn, newEntityId, newKeyPair } from './names.js';

export interface IamUser {
  name: string;
  userId: string;
  path: string;
  arn: string;
  createdAt: number;
}

export interface AccessKeyInfo {
  accessKeyId: string;
  userName: string;
  status: 'Active' | 'Inactive';
  createdAt: number;
  lastUsedAt: number | undefined;
  lastUsedService: string | undefined;
}

export interface IamRole {
  name: string;
  roleId: string;
  path: string;
  arn: string;
  trustPolicy: string;
  description: string | undefined;
  maxSessionDuration: number;
  createdAt: number;
}

/** Seals and opens secrets for their column (the storage engine's data key does it). */
export interface SecretSealer {
  sealSecret(plain: string, context: string): Buffer;
  openSecret(sealed: Buffer, context: string): string;
}

/** IAM's default quota of access keys per user. */
export const ACCESS_KEYS_PER_USER = 2;

interface UserRow {
  name: string;
  user_id: string;
  path: string;
  created_at: number;
}

interface KeyRow {
  access_key_id: string;
  user_name: string;
  secret_sealed: Buffer;
  status: 'Active' | 'Inactive';
  created_at: number;
  last_used_at: number | null;
  last_used_service: string | null;
}

interface RoleRow {
  name: string;
  role_id: string;
  path: string;
  trust_policy: string;
  description: string | null;
  max_session_duration: number;
  created_at: number;
}

export class IdentityStore {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly accountId: string,
    private readonly sealer: SecretSealer,
    /** Called after every change, so caches of identities and policies are dropped. */
    private readonly changed: () => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Refuses changes to a user or role the config file declares: the file is its source, and
   * the next start would undo the change.
   */
  requireMutable(kind: 'user' | 'role', name: string): void {
    const table = kind === 'user' ? 'iam_users' : 'iam_roles';
    const source = this.db.prepare(`SELECT source FROM ${table} WHERE name = ?`).pluck().get(name);
    if (source === 'config')
      throw new IamError(
        'UnmodifiableEntity',
        `The ${kind} ${name} is declared in Vigil's config file (iam.${kind}s): change it there.`,
      );
  }

  // ---- users ---------------------------------------------------------------------------

  createUser(name: string, path?: string): IamUser {
    checkName('userName', name);
    const row: UserRow = {
      name,
      user_id: newEntityId('AIDA'),
      path: checkPath('path', path),
      created_at: this.now(),
    };
    if (this.db.prepare('SELECT 1 FROM iam_users WHERE name = ?').get(name))
      throw new IamError('EntityAlreadyExists', `User with name ${name} already exists.`);
    this.db
      .prepare(
        'INSERT INTO iam_users (name, user_id, path, created_at) VALUES (@name, @user_id, @path, @created_at)',
      )
      .run(row);
    this.changed();
    return this.user(row);
  }

  getUser(name: string): IamUser {
    const row = this.db.prepare('SELECT * FROM iam_users WHERE name = ?').get(name) as
      UserRow | undefined;
    if (!row) throw noSuchUser(name);
    return this.user(row);
  }

  findUser(name: string): IamUser | undefined {
    const row = this.db.prepare('SELECT * FROM iam_users WHERE name = ?').get(name) as
      UserRow | undefined;
    return row && this.user(row);
  }

  listUsers(pathPrefix = '/'): IamUser[] {
    return (this.db.prepare('SELECT * FROM iam_users ORDER BY name').all() as UserRow[])
      .filter((row) => row.path.startsWith(pathPrefix))
      .map((row) => this.user(row));
  }

  /** Deletes a user that has no access keys and no policies left, as IAM requires. */
  deleteUser(name: string): void {
    const user = this.getUser(name);
    this.requireMutable('user', user.name);
    const has = (sql: string) => this.db.prepare(sql).get(user.name) !== undefined;
    if (has('SELECT 1 FROM iam_access_keys WHERE user_name = ?'))
      throw new IamError('DeleteConflict', 'Cannot delete entity, must delete access keys first.');
    if (has("SELECT 1 FROM iam_inline_policies WHERE owner_kind = 'user' AND owner_name = ?"))
      throw new IamError('DeleteConflict', 'Cannot delete entity, must delete policies first.');
    if (has("SELECT 1 FROM iam_attachments WHERE owner_kind = 'user' AND owner_name = ?"))
      throw new IamError('DeleteConflict', 'Cannot delete entity, must detach all policies first.');
    this.db.prepare('DELETE FROM iam_users WHERE name = ?').run(user.name);
    this.changed();
  }

  private user(row: UserRow): IamUser {
    return {
      name: row.name,
      userId: row.user_id,
      path: row.path,
      arn: entityArn(this.accountId, 'user', row.path, row.name),
      createdAt: row.created_at,
    };
  }

  // ---- access keys ---------------------------------------------------------------------

  /** A new active key; the only time its secret is returned. */
  createAccessKey(userName: string): AccessKeyInfo & { secretAccessKey: string } {
    const user = this.getUser(userName);
    this.requireMutable('user', user.name);
    const count = this.db
      .prepare('SELECT count(*) FROM iam_access_keys WHERE user_name = ?')
      .pluck()
      .get(user.name) as number;
    if (count >= ACCESS_KEYS_PER_USER)
      throw new IamError(
        'LimitExceeded',
        `Cannot exceed quota for AccessKeysPerUser: ${ACCESS_KEYS_PER_USER}`,
      );
    const pair = newKeyPair('AKIA');
    const createdAt = this.now();
    this.db
      .prepare(
        `INSERT INTO iam_access_keys (access_key_id, user_name, secret_sealed, status, created_at)
         VALUES (?, ?, ?, 'Active', ?)`,
      )
      .run(
        pair.accessKeyId,
        user.name,
        this.sealer.sealSecret(pair.secretAccessKey, pair.accessKeyId),
        createdAt,
      );
    this.changed();
    return {
      ...pair,
      userName: user.name,
      status: 'Active',
      createdAt,
      lastUsedAt: undefined,
      lastUsedService: undefined,
    };
  }

  listAccessKeys(userName: string): AccessKeyInfo[] {
    const user = this.getUser(userName);
    return (
      this.db
        .prepare('SELECT * FROM iam_access_keys WHERE user_name = ? ORDER BY created_at')
        .all(user.name) as KeyRow[]
    ).map(keyInfo);
  }

  /** Activates or deactivates a key; an inactive key's requests are refused at once. */
  updateAccessKey(userName: string, accessKeyId: string, status: 'Active' | 'Inactive'): void {
    this.requireKey(userName, accessKeyId);
    this.db
      .prepare('UPDATE iam_access_keys SET status = ? WHERE access_key_id = ?')
      .run(status, accessKeyId);
    this.changed();
  }

  deleteAccessKey(userName: string, accessKeyId: string): void {
    this.requireKey(userName, accessKeyId);
    this.db.prepare('DELETE FROM iam_access_keys WHERE access_key_id = ?').run(accessKeyId);
    this.changed();
  }

  /** An active key's secret and its user, for SigV4; undefined for unknown or inactive keys. */
  activeKey(accessKeyId: string): { secretAccessKey: string; user: IamUser } | undefined {
    const row = this.db
      .prepare("SELECT * FROM iam_access_keys WHERE access_key_id = ? AND status = 'Active'")
      .get(accessKeyId) as KeyRow | undefined;
    if (!row) return undefined;
    return {
      secretAccessKey: this.sealer.openSecret(row.secret_sealed, row.access_key_id),
      user: this.getUser(row.user_name),
    };
  }

  /** Records a key's last use and the service it called (GetAccessKeyLastUsed). */
  noteKeyUsed(accessKeyId: string, service: string): void {
    this.db
      .prepare(
        'UPDATE iam_access_keys SET last_used_at = ?, last_used_service = ? WHERE access_key_id = ?',
      )
      .run(this.now(), service, accessKeyId);
  }

  keyInfo(accessKeyId: string): AccessKeyInfo | undefined {
    const row = this.db
      .prepare('SELECT * FROM iam_access_keys WHERE access_key_id = ?')
      .get(accessKeyId) as KeyRow | undefined;
    return row && keyInfo(row);
  }

  private requireKey(userName: string, accessKeyId: string): void {
    const user = this.getUser(userName);
    this.requireMutable('user', user.name);
    const row = this.db
      .prepare('SELECT 1 FROM iam_access_keys WHERE access_key_id = ? AND user_name = ?')
      .get(accessKeyId, user.name);
    if (!row)
      throw new IamError('NoSuchEntity', `The Access Key with id ${accessKeyId} cannot be found.`);
  }

  // ---- roles ---------------------------------------------------------------------------

  createRole(input: {
    name: string;
    path?: string | undefined;
    trustPolicy: string;
    description?: string | undefined;
    maxSessionDuration?: number | undefined;
  }): IamRole {
    checkName('roleName', input.name);
    const duration = input.maxSessionDuration ?? 3600;
    if (!Number.isInteger(duration) || duration < 3600 || duration > 43_200)
      throw new IamError(
        'ValidationError',
        `1 validation error detected: Value '${duration}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value between 3600 and 43200`,
      );
    if (this.db.prepare('SELECT 1 FROM iam_roles WHERE name = ?').get(input.name))
      throw new IamError('EntityAlreadyExists', `Role with name ${input.name} already exists.`);
    const row: RoleRow = {
      name: input.name,
      role_id: newEntityId('AROA'),
      path: checkPath('path', input.path),
      trust_policy: input.trustPolicy,
      description: input.description ?? null,
      max_session_duration: duration,
      created_at: this.now(),
    };
    this.db
      .prepare(
        `INSERT INTO iam_roles (name, role_id, path, trust_policy, description, max_session_duration, created_at)
         VALUES (@name, @role_id, @path, @trust_policy, @description, @max_session_duration, @created_at)`,
      )
      .run(row);
    this.changed();
    return this.role(row);
  }

  getRole(name: string): IamRole {
    const role = this.findRole(name);
    if (!role) throw new IamError('NoSuchEntity', `The role with name ${name} cannot be found.`);
    return role;
  }

  findRole(name: string): IamRole | undefined {
    const row = this.db.prepare('SELECT * FROM iam_roles WHERE name = ?').get(name) as
      RoleRow | undefined;
    return row && this.role(row);
  }

  /** The role an ARN names, when it is one of this account's roles. */
  roleByArn(arn: string): IamRole | undefined {
    const match = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(arn);
    if (!match || match[1] !== this.accountId) return undefined;
    const role = this.findRole(match[2]!);
    return role?.arn === arn ? role : undefined;
  }

  listRoles(pathPrefix = '/'): IamRole[] {
    return (this.db.prepare('SELECT * FROM iam_roles ORDER BY name').all() as RoleRow[])
      .filter((row) => row.path.startsWith(pathPrefix))
      .map((row) => this.role(row));
  }

  updateTrustPolicy(name: string, trustPolicy: string): void {
    const role = this.getRole(name);
    this.requireMutable('role', role.name);
    this.db
      .prepare('UPDATE iam_roles SET trust_policy = ? WHERE name = ?')
      .run(trustPolicy, role.name);
    this.changed();
  }

  deleteRole(name: string): void {
    const role = this.getRole(name);
    this.requireMutable('role', role.name);
    const has = (sql: string) => this.db.prepare(sql).get(role.name) !== undefined;
    if (has("SELECT 1 FROM iam_inline_policies WHERE owner_kind = 'role' AND owner_name = ?"))
      throw new IamError('DeleteConflict', 'Cannot delete entity, must delete policies first.');
    if (has("SELECT 1 FROM iam_attachments WHERE owner_kind = 'role' AND owner_name = ?"))
      throw new IamError('DeleteConflict', 'Cannot delete entity, must detach all policies first.');
    this.db.prepare('DELETE FROM iam_roles WHERE name = ?').run(role.name);
    this.changed();
  }

  private role(row: RoleRow): IamRole {
    return {
      name: row.name,
      roleId: row.role_id,
      path: row.path,
      arn: entityArn(this.accountId, 'role', row.path, row.name),
      trustPolicy: row.trust_policy,
      description: row.description ?? undefined,
      maxSessionDuration: row.max_session_duration,
      createdAt: row.created_at,
    };
  }
}

function keyInfo(row: KeyRow): AccessKeyInfo {
  return {
    accessKeyId: row.access_key_id,
    userName: row.user_name,
    status: row.status,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at ?? undefined,
    lastUsedService: row.last_used_service ?? undefined,
  };
}

function noSuchUser(name: string): IamError {
  return new IamError('NoSuchEntity', `The user with name ${name} cannot be found.`);
}
