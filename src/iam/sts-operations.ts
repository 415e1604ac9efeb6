/**
 * The STS operations Vigil answers: GetCallerIdentity (who am I) and AssumeRole (a role's
 * temporary credentials, allowed by the role's trust policy or the caller's own policies).
 */
import { IamError } from './errors.js';
import type { IdentityStore } from './identity-store.js';
import { parsePolicy } from './policy/index.js';
import type { PolicyStore } from './policy-store.js';
import type { SessionStore } from './sessions.js';
import type { AccessGate, Credential } from './types.js';

export interface StsDeps {
  accountId: string;
  gate: AccessGate;
  identities: IdentityStore;
  policies: PolicyStore;
  sessions: SessionStore;
}

export type StsResult = Record<string, unknown>;

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

export function stsOperations(
  deps: StsDeps,
): Record<string, (params: URLSearchParams, caller: Credential) => StsResult> {
  return {
    GetCallerIdentity: (_params, caller) => ({
      UserId: caller.principal.userId,
      Account: caller.principal.accountId,
      Arn: caller.principal.arn,
    }),
    AssumeRole: (params, caller) => assumeRole(deps, params, caller),
  };
}

function assumeRole(deps: StsDeps, params: URLSearchParams, caller: Credential): StsResult {
  const roleArn = params.get('RoleArn') ?? '';
  const sessionName = params.get('RoleSessionName') ?? '';
  if (!SESSION_NAME.test(sessionName))
    throw new IamError(
      'ValidationError',
      `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
    );
  if (caller.principal.kind === 'root')
    throw new IamError('AccessDenied', 'Roles may not be assumed by root accounts.');
  const role = deps.identities.roleByArn(roleArn);
  const denied = () =>
    new IamError(
      'AccessDenied',
      `User: ${caller.principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    );
  if (!role) throw denied();
  const evaluation = deps.gate.authorize(caller.principal, 'sts:AssumeRole', role.arn, {
    resourcePolicy: parsePolicy(role.trustPolicy, 'trust'),
  });
  if (evaluation.decision !== 'Allow') throw denied();
  const requested = params.get('DurationSeconds');
  const duration = requested === null ? 3600 : Number(requested);
  if (!Number.isInteger(duration) || duration < 900 || duration > role.maxSessionDuration)
    throw new IamError(
      'ValidationError',
      `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`,
    );
  const session = deps.sessions.issue(
    {
      arn: role.arn,
      name: role.name,
      roleId: role.roleId,
      accountId: deps.accountId,
      policies: () => deps.policies.documentsOf({ kind: 'role', name: role.name }),
    },
    sessionName,
    duration,
  );
  return {
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: new Date(session.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
    AssumedRoleUser: { AssumedRoleId: session.principal.userId, Arn: session.principal.arn },
  };
}
