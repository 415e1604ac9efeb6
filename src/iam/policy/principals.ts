import type { Principal, PrincipalBlock, Statement } from '../types.js';

const ACCOUNT_ID = /^\d{12}$/;
const ACCOUNT_ARN = /^arn:[^:]+:iam::(\d{12}):root$/;

/** The account a principal value names (`123456789012` or `arn:aws:iam::123456789012:root`). */
function namedAccount(value: string): string | undefined {
  if (ACCOUNT_ID.test(value)) return value;
  return ACCOUNT_ARN.exec(value)?.[1];
}

function values(entry: string | string[] | undefined): string[] {
  if (entry === undefined) return [];
  return typeof entry === 'string' ? [entry] : entry;
}

/** Which of the caller's identities a principal block names. */
interface Named {
  everyone: boolean;
  /** The caller's own ARN: user, role session, or the account's root ARN. */
  self: boolean;
  /** For a role session: its role. */
  role: boolean;
  account: boolean;
  service: boolean;
}

function named(block: PrincipalBlock, principal: Principal): Named {
  const result: Named = {
    everyone: false,
    self: false,
    role: false,
    account: false,
    service: false,
  };
  if (block === '*') return { ...result, everyone: true };
  for (const value of values(block.AWS)) {
    if (value === '*') result.everyone = true;
    if (principal.kind === 'service') continue;
    if (value === principal.arn) result.self = true;
    if (principal.roleArn !== undefined && value === principal.roleArn) result.role = true;
    if (namedAccount(value) === principal.accountId) result.account = true;
  }
  if (principal.kind === 'service') {
    const service = principal.arn.toLowerCase();
    result.service = values(block.Service).some((v) => v === '*' || v.toLowerCase() === service);
  }
  return result;
}

/**
 * Whether a `Principal` block covers the caller. A role ARN covers the role's sessions. An
 * account principal in an Allow covers only the account's root: for the account's users and
 * roles it delegates to their identity policies (IAM's "AWS account principals"); in a Deny
 * it covers everyone in the account.
 */
function principalCovers(
  block: PrincipalBlock,
  principal: Principal,
  effect: Statement['Effect'],
): boolean {
  const n = named(block, principal);
  if (n.everyone || n.self || n.role || n.service) return true;
  return n.account && (effect === 'Deny' || principal.kind === 'root');
}

/**
 * Whether a `NotPrincipal` block exempts the caller. With Deny, IAM may check the account,
 * then the role, then the session, so a caller escapes the deny only when every one of those
 * is listed (IAM's NotPrincipal page: list the user and its account, or the session, its role
 * and its account). With Allow, naming any of them keeps the caller out of the grant.
 */
function notPrincipalExempts(
  block: PrincipalBlock,
  principal: Principal,
  effect: Statement['Effect'],
): boolean {
  const n = named(block, principal);
  if (n.everyone) return true;
  if (effect === 'Allow') return n.self || n.role || n.account || n.service;
  switch (principal.kind) {
    case 'service':
      return n.service;
    case 'root':
      return n.account;
    case 'user':
      return n.self && n.account;
    case 'assumed-role':
      return n.self && n.role && n.account;
  }
}

/**
 * Whether a resource-policy statement applies to the caller through its Principal or
 * NotPrincipal element. A statement with neither (not valid in a resource policy) applies to
 * no one.
 *
 * @example
 * statementNamesPrincipal({ Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::123456789012:role/app'] } }, session);
 * // true for any session of role "app"
 */
export function statementNamesPrincipal(statement: Statement, principal: Principal): boolean {
  if (statement.Principal !== undefined)
    return principalCovers(statement.Principal, principal, statement.Effect);
  if (statement.NotPrincipal !== undefined) {
    return !notPrincipalExempts(statement.NotPrincipal, principal, statement.Effect);
  }
  return false;
}
