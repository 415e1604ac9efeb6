/**
 * Vigil's `AccessGate`: the root key, IAM users' access keys and roles' sessions on one side,
 * AWS's policy evaluation on the other. Every API on the port asks it, so a key deactivated
 * or a policy changed through IAM applies to the next request anywhere.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { IdentityStore } from './identity-store.js';
import { evaluate } from './policy/index.js';
import type { PolicyStore } from './policy-store.js';
import type { SessionStore } from './sessions.js';
import {
  policyConditionsName,
  type AccessGate,
  type ConditionValues,
  type Credential,
  type Evaluation,
  type PolicyDocument,
  type Principal,
} from './types.js';

export interface GateOptions {
  accountId: string;
  root: { accessKeyId: string; secretAccessKey: string };
  identities: IdentityStore;
  policies: PolicyStore;
  sessions: SessionStore;
  now?: () => number;
}

export class VigilAccessGate implements AccessGate {
  private readonly rootCredential: Credential;
  private readonly userCredentials = new Map<string, Credential | null>();
  private readonly identityPolicies = new Map<string, readonly PolicyDocument[]>();
  /** When each user key's last use was written, so it is written at most once a minute. */
  private readonly usesNoted = new Map<string, { at: number; service: string }>();
  private readonly now: () => number;

  constructor(private readonly options: GateOptions) {
    this.now = options.now ?? Date.now;
    this.rootCredential = {
      ...options.root,
      principal: {
        kind: 'root',
        arn: `arn:aws:iam::${options.accountId}:root`,
        accountId: options.accountId,
        name: 'root',
        userId: options.accountId,
        accessKeyId: options.root.accessKeyId,
      },
    };
  }

  /** Drops what the gate remembers of identities and policies; the stores call it on change. */
  forget(): void {
    this.userCredentials.clear();
    this.identityPolicies.clear();
  }

  credential(accessKeyId: string): Credential | undefined {
    if (accessKeyId === this.rootCredential.accessKeyId) return this.rootCredential;
    const session = this.options.sessions.get(accessKeyId);
    if (session) return session;
    // Key ids are upper-case letters and digits: anything else is no key of ours.
    if (!/^[A-Z0-9]{16,128}$/.test(accessKeyId)) return undefined;
    const cached = this.userCredentials.get(accessKeyId);
    if (cached !== undefined) return cached ?? undefined;
    const key = this.options.identities.activeKey(accessKeyId);
    const credential: Credential | null = key
      ? {
          accessKeyId,
          secretAccessKey: key.secretAccessKey,
          principal: {
            kind: 'user',
            arn: key.user.arn,
            accountId: this.options.accountId,
            name: key.user.name,
            userId: key.user.userId,
            accessKeyId,
          },
        }
      : null;
    this.userCredentials.set(accessKeyId, credential);
    return credential ?? undefined;
  }

  authorize(
    principal: Principal,
    action: string,
    resource: string,
    options: { resourcePolicy?: PolicyDocument; context?: ConditionValues } = {},
  ): Evaluation {
    const now = this.now();
    if (principal.kind === 'user' && principal.accessKeyId)
      this.noteUse(principal.accessKeyId, action.slice(0, action.indexOf(':')), now);
    return evaluate({
      principal,
      action,
      resource,
      identityPolicies: this.policiesOf(principal),
      ...(options.resourcePolicy ? { resourcePolicy: options.resourcePolicy } : {}),
      context: {
        'aws:CurrentTime': new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        'aws:EpochTime': String(Math.floor(now / 1000)),
        ...options.context,
      },
    });
  }

  conditionsName(principal: Principal, prefix: string): boolean {
    return this.policiesOf(principal).some((policy) => policyConditionsName(policy, prefix));
  }

  /** GetAccessKeyLastUsed's record: the time and service of a key's last request. */
  private noteUse(accessKeyId: string, service: string, now: number): void {
    const noted = this.usesNoted.get(accessKeyId);
    if (noted && noted.service === service && now - noted.at < 60_000) return;
    this.usesNoted.set(accessKeyId, { at: now, service });
    this.options.identities.noteKeyUsed(accessKeyId, service);
  }

  private policiesOf(principal: Principal): readonly PolicyDocument[] {
    if (principal.kind === 'root' || principal.kind === 'service') return [];
    // A role's sessions share its policies; a user's keys share the user's.
    const owner = principal.kind === 'assumed-role' ? (principal.roleArn ?? '') : principal.arn;
    let policies = this.identityPolicies.get(owner);
    if (!policies) {
      if (principal.kind === 'assumed-role') {
        const session = principal.accessKeyId
          ? this.options.sessions.get(principal.accessKeyId)
          : undefined;
        // An ended session has no policies, and is not remembered.
        if (!session) return [];
        policies = session.policies();
      } else {
        policies = this.options.policies.documentsOf({ kind: 'user', name: principal.name });
      }
      this.identityPolicies.set(owner, policies);
    }
    return policies;
  }
}

/**
 * The credential that signed a verified request, provided the request carries the session
 * token it needs in `X-Amz-Security-Token` (temporary credentials) or none (long-term keys);
 * undefined otherwise, which every API answers as an invalid token.
 */
export function signingCredential(
  gate: AccessGate,
  accessKeyId: string,
  headers: IncomingHttpHeaders,
): Credential | undefined {
  const credential = gate.credential(accessKeyId);
  const token = headers['x-amz-security-token'];
  return credential && sessionTokenMatches(credential, Array.isArray(token) ? token[0] : token)
    ? credential
    : undefined;
}

/** Whether a request's `X-Amz-Security-Token` is the one its temporary credential needs. */
export function sessionTokenMatches(
  credential: Credential,
  presented: string | undefined,
): boolean {
  if (credential.sessionToken === undefined) return presented === undefined || presented === '';
  if (presented === undefined) return false;
  const a = Buffer.from(credential.sessionToken);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
