/**
 * Execution roles: the temporary credentials a function's SDK clients sign with, a session
 * of its role named after the function (as Lambda names it), which Lambda must be allowed
 * to assume by the role's trust policy.
 */
import { evaluate, parsePolicy } from './policy/index.js';
import type { Identity } from './index.js';

/** Lambda's session length cap for a role: the role's maximum, at most 12 hours. */
const SESSION_SECONDS = 12 * 3600;

export interface ExecutionSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiresAt: number;
  release: () => void;
}

/**
 * Issues a session of `roleArn` for the function `functionName`.
 *
 * @throws Error when the role does not exist or its trust policy does not let Lambda
 *   (`lambda.amazonaws.com`) assume it — Lambda's own refusal.
 */
export function executionSession(
  identity: Identity,
  accountId: string,
  functionName: string,
  roleArn: string,
): ExecutionSession {
  const role = identity.identities.roleByArn(roleArn);
  if (!role) throw new Error(`function ${functionName}: its role ${roleArn} does not exist`);
  const trusted = evaluate({
    principal: {
      kind: 'service',
      arn: 'lambda.amazonaws.com',
      accountId,
      name: 'lambda.amazonaws.com',
      userId: 'lambda.amazonaws.com',
    },
    action: 'sts:AssumeRole',
    resource: role.arn,
    identityPolicies: [],
    resourcePolicy: parsePolicy(role.trustPolicy, 'trust'),
    context: {},
  });
  if (trusted.decision !== 'Allow')
    throw new Error(
      `function ${functionName}: the role defined for the function cannot be assumed by Lambda (${role.arn}'s trust policy does not allow lambda.amazonaws.com to sts:AssumeRole)`,
    );
  const session = identity.sessions.issue(
    {
      arn: role.arn,
      name: role.name,
      roleId: role.roleId,
      accountId,
      policies: () => identity.policies.documentsOf({ kind: 'role', name: role.name }),
    },
    functionName,
    Math.min(SESSION_SECONDS, Math.max(role.maxSessionDuration, 3600)),
  );
  return {
    accessKeyId: session.accessKeyId,
    secretAccessKey: session.secretAccessKey,
    sessionToken: session.sessionToken,
    expiresAt: session.expiresAt,
    release: () => identity.sessions.revoke(session.accessKeyId),
  };
}
