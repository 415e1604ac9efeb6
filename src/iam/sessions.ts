/**
 * Temporary credentials of roles: what a function's SDK clients receive (`ASIA…` key,
 * secret, session token), valid until they expire. Kept in memory: every function thread is
 * started by this process, so a restart issues new ones to new threads.
 */
import { randomBytes } from 'node:crypto';
import { newKeyPair } from './names.js';
import type { Credential, PolicyDocument, Principal } from './types.js';

export interface RoleSession extends Credential {
  sessionToken: string;
  /** Epoch ms. */
  expiresAt: number;
  /** The role's policies, read at each request so a policy change applies at once. */
  policies: () => readonly PolicyDocument[];
}

export interface SessionRole {
  arn: string;
  name: string;
  roleId: string;
  accountId: string;
  policies: () => readonly PolicyDocument[];
}

export class SessionStore {
  private readonly sessions = new Map<string, RoleSession>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Credentials for a session of `role` named `sessionName`, valid `durationSeconds`. */
  issue(role: SessionRole, sessionName: string, durationSeconds: number): RoleSession {
    this.sweep();
    const pair = newKeyPair('ASIA');
    const principal: Principal = {
      kind: 'assumed-role',
      arn: `arn:aws:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`,
      accountId: role.accountId,
      name: role.name,
      userId: `${role.roleId}:${sessionName}`,
      roleArn: role.arn,
      accessKeyId: pair.accessKeyId,
    };
    const session: RoleSession = {
      ...pair,
      sessionToken: randomBytes(48).toString('base64'),
      principal,
      expiresAt: this.now() + durationSeconds * 1000,
      policies: role.policies,
    };
    this.sessions.set(pair.accessKeyId, session);
    return session;
  }

  /** A live session's credential, or undefined (unknown or expired). */
  get(accessKeyId: string): RoleSession | undefined {
    const session = this.sessions.get(accessKeyId);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(accessKeyId);
      return undefined;
    }
    return session;
  }

  /** Ends a session before it expires (a function replaced or deleted). */
  revoke(accessKeyId: string): void {
    this.sessions.delete(accessKeyId);
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, session] of this.sessions)
      if (session.expiresAt <= now) this.sessions.delete(id);
  }
}
