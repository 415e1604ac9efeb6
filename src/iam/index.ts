/**
 * Identities and access: IAM users, access keys, roles and policies in the data directory,
 * roles' temporary credentials, and the `AccessGate` every API on the port asks.
 */
import type { StorageEngine } from '../storage/index.js';
import { VigilAccessGate } from './gate.js';
import { IdentityStore } from './identity-store.js';
import { PolicyStore } from './policy-store.js';
import { SessionStore } from './sessions.js';
import { syncDeclaredIdentities, type DeclaredRole, type DeclaredUser } from './config-sync.js';

export type * from './types.js';
export { IamError } from './errors.js';
export { IdentityStore, type IamUser, type IamRole, type AccessKeyInfo } from './identity-store.js';
export { PolicyStore, type ManagedPolicy, type PolicyOwner } from './policy-store.js';
export { SessionStore, type RoleSession, type SessionRole } from './sessions.js';
export { VigilAccessGate, sessionTokenMatches, signingCredential } from './gate.js';
export { rootOnlyGate } from './root-gate.js';
export { executionSession, type ExecutionSession } from './execution-roles.js';
export { LAMBDA_TRUST_POLICY, type DeclaredRole, type DeclaredUser } from './config-sync.js';
export { requestConditionKeys, trustedProxies, type TrustedProxies } from './request-context.js';
export { parsePolicy, evaluate } from './policy/index.js';
export { PolicyError } from './types.js';

export interface Identity {
  gate: VigilAccessGate;
  identities: IdentityStore;
  policies: PolicyStore;
  sessions: SessionStore;
  /** Whether an ARN names a user or role of this account that exists. */
  exists(arn: string): boolean;
}

/**
 * Opens the identity stores on the engine's database, with the root key beside them.
 *
 * @example
 * const identity = openIdentity(engine, { accountId: '000000000000', root });
 * identity.identities.createUser('uploader');
 * identity.gate.credential(root.accessKeyId)?.principal.kind; // 'root'
 */
export function openIdentity(
  engine: StorageEngine,
  options: {
    accountId: string;
    root: { accessKeyId: string; secretAccessKey: string };
    /** Users and roles of the config file, written to the tables before anything reads them. */
    declared?: { users: readonly DeclaredUser[]; roles: readonly DeclaredRole[] };
  },
): Identity {
  if (options.declared) syncDeclaredIdentities(engine.db, engine, options.declared);
  const forget = { gate: undefined as VigilAccessGate | undefined };
  const changed = () => forget.gate?.forget();
  const identities = new IdentityStore(engine.db, options.accountId, engine, changed);
  const policies = new PolicyStore(engine.db, options.accountId, changed, Date.now, (kind, name) =>
    identities.requireMutable(kind, name),
  );
  const sessions = new SessionStore();
  const gate = new VigilAccessGate({
    accountId: options.accountId,
    root: options.root,
    identities,
    policies,
    sessions,
  });
  forget.gate = gate;
  return {
    gate,
    identities,
    policies,
    sessions,
    exists: (arn) => {
      const user = /^arn:aws:iam::(\d{12}):user\/(?:.*\/)?([\w+=,.@-]+)$/.exec(arn);
      if (user) return user[1] === options.accountId && identities.findUser(user[2]!)?.arn === arn;
      return identities.roleByArn(arn) !== undefined;
    },
  };
}
