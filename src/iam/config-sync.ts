/**
 * Users and roles declared in the config file, written to the identity tables at start: the
 * file is their source (IAM's API and the console refuse to change them), so each start
 * makes the tables say exactly what the file says, and removes what it no longer declares.
 */
import { readFileSync } from 'node:fs';
import type { SqliteDatabase } from '../storage/index.js';
import type { SecretSealer } from './identity-store.js';
import { newEntityId } from './names.js';
import { checkDocument, MAX_INLINE } from './policy-store.js';

export interface DeclaredUser {
  name: string;
  path: string;
  accessKeys: {
    accessKeyId: string;
    secretAccessKey?: string | undefined;
    secretAccessKeyFile?: string | undefined;
  }[];
  policies: Record<string, unknown>;
  managedPolicies: string[];
}

export interface DeclaredRole {
  name: string;
  path: string;
  description?: string | undefined;
  trustPolicy?: Record<string, unknown> | undefined;
  policies: Record<string, unknown>;
  managedPolicies: string[];
}

/** The trust policy of an execution role: Lambda may assume it. */
export const LAMBDA_TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
});

/**
 * Makes the config-declared identities in the database match the file, in one transaction.
 *
 * @throws Error naming the field, when a key's secret file cannot be read or an access key
 *   id already belongs to a user made through IAM.
 */
export function syncDeclaredIdentities(
  db: SqliteDatabase,
  sealer: SecretSealer,
  declared: { users: readonly DeclaredUser[]; roles: readonly DeclaredRole[] },
  now = Date.now(),
): void {
  const secrets = declared.users.map((user, i) =>
    user.accessKeys.map((key, k) => ({
      accessKeyId: key.accessKeyId,
      secret: key.secretAccessKey ?? readSecret(key.secretAccessKeyFile!, i, k),
    })),
  );
  declared.users.forEach((user, i) =>
    Object.entries(user.policies).forEach(([name, document]) =>
      checkDocument(JSON.stringify(document), MAX_INLINE.user, `iam.users[${i}].policies.${name}`),
    ),
  );
  db.transaction(() => {
    const keep = (kind: 'user' | 'role', names: string[]) => {
      const table = kind === 'user' ? 'iam_users' : 'iam_roles';
      const stale = (
        db.prepare(`SELECT name FROM ${table} WHERE source = 'config'`).pluck().all() as string[]
      ).filter((name) => !names.some((n) => n.toLowerCase() === name.toLowerCase()));
      for (const name of stale) {
        clearPolicies(db, kind, name);
        db.prepare(`DELETE FROM ${table} WHERE name = ?`).run(name);
      }
    };
    keep(
      'user',
      declared.users.map((u) => u.name),
    );
    keep(
      'role',
      declared.roles.map((r) => r.name),
    );

    declared.users.forEach((user, i) => {
      db.prepare(
        `INSERT INTO iam_users (name, user_id, path, created_at, source)
         VALUES (?, ?, ?, ?, 'config')
         ON CONFLICT (name) DO UPDATE SET path = excluded.path, source = 'config'`,
      ).run(user.name, newEntityId('AIDA'), user.path, now);
      const name = db.prepare('SELECT name FROM iam_users WHERE name = ?').pluck().get(user.name);
      const keys = secrets[i]!;
      db.prepare(
        `DELETE FROM iam_access_keys WHERE user_name = ? AND access_key_id NOT IN (${keys.map(() => '?').join(', ') || "''"})`,
      ).run(name, ...keys.map((k) => k.accessKeyId));
      keys.forEach((key, k) => {
        const owner = db
          .prepare('SELECT user_name FROM iam_access_keys WHERE access_key_id = ?')
          .pluck()
          .get(key.accessKeyId) as string | undefined;
        if (owner !== undefined && owner.toLowerCase() !== user.name.toLowerCase())
          throw new Error(
            `iam.users[${i}].accessKeys[${k}].accessKeyId: ${key.accessKeyId} already belongs to the user ${owner}`,
          );
        db.prepare(
          `INSERT INTO iam_access_keys (access_key_id, user_name, secret_sealed, status, created_at)
           VALUES (?, ?, ?, 'Active', ?)
           ON CONFLICT (access_key_id) DO UPDATE SET secret_sealed = excluded.secret_sealed, status = 'Active'`,
        ).run(key.accessKeyId, name, sealer.sealSecret(key.secret, key.accessKeyId), now);
      });
      setPolicies(db, 'user', name as string, user.policies, user.managedPolicies);
    });

    for (const role of declared.roles) {
      const trust = role.trustPolicy ? JSON.stringify(role.trustPolicy) : LAMBDA_TRUST_POLICY;
      db.prepare(
        `INSERT INTO iam_roles (name, role_id, path, trust_policy, description, max_session_duration, created_at, source)
         VALUES (?, ?, ?, ?, ?, 3600, ?, 'config')
         ON CONFLICT (name) DO UPDATE SET path = excluded.path, trust_policy = excluded.trust_policy,
           description = excluded.description, source = 'config'`,
      ).run(role.name, newEntityId('AROA'), role.path, trust, role.description ?? null, now);
      const name = db.prepare('SELECT name FROM iam_roles WHERE name = ?').pluck().get(role.name);
      setPolicies(db, 'role', name as string, role.policies, role.managedPolicies);
    }
  })();
}

function clearPolicies(db: SqliteDatabase, kind: 'user' | 'role', name: string): void {
  db.prepare('DELETE FROM iam_inline_policies WHERE owner_kind = ? AND owner_name = ?').run(
    kind,
    name,
  );
  db.prepare('DELETE FROM iam_attachments WHERE owner_kind = ? AND owner_name = ?').run(kind, name);
}

function setPolicies(
  db: SqliteDatabase,
  kind: 'user' | 'role',
  name: string,
  inline: Record<string, unknown>,
  managed: readonly string[],
): void {
  clearPolicies(db, kind, name);
  for (const [policyName, document] of Object.entries(inline))
    db.prepare(
      'INSERT INTO iam_inline_policies (owner_kind, owner_name, policy_name, document) VALUES (?, ?, ?, ?)',
    ).run(kind, name, policyName, JSON.stringify(document, null, 2));
  for (const arn of managed)
    db.prepare(
      'INSERT OR IGNORE INTO iam_attachments (owner_kind, owner_name, policy_arn) VALUES (?, ?, ?)',
    ).run(kind, name, arn);
}

function readSecret(file: string, user: number, key: number): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new Error(
      `iam.users[${user}].accessKeys[${key}].secretAccessKeyFile: cannot read ${file}: ${(error as Error).message}`,
    );
  }
  if (text.length < 16)
    throw new Error(
      `iam.users[${user}].accessKeys[${key}].secretAccessKeyFile: ${file} holds ${text.length} characters; a secret needs at least 16`,
    );
  return text;
}
