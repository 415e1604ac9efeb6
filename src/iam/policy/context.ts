import type { AuthorizationRequest, ConditionValues, Principal } from '../types.js';

/** Request condition keys, looked up without regard to case as IAM does. */
export interface RequestContext {
  /** The key's value: undefined when absent, an array for a multivalued key. */
  get(key: string): string | readonly string[] | undefined;
}

const PRINCIPAL_TYPES: Partial<Record<Principal['kind'], string>> = {
  root: 'Account',
  user: 'User',
  'assumed-role': 'AssumedRole',
};

/**
 * The keys IAM derives from the caller itself (the "principal key values" table of the policy
 * variables page): `aws:username` exists for IAM users only, and for an assumed role
 * `aws:PrincipalArn` is the role's ARN rather than the session's.
 */
function principalKeys(principal: Principal): ConditionValues {
  if (principal.kind === 'service') return { 'aws:PrincipalServiceName': principal.arn };
  return {
    'aws:username': principal.kind === 'user' ? principal.name : undefined,
    'aws:userid': principal.userId,
    'aws:PrincipalArn':
      principal.kind === 'assumed-role' ? (principal.roleArn ?? principal.arn) : principal.arn,
    'aws:PrincipalAccount': principal.accountId,
    'aws:PrincipalType': PRINCIPAL_TYPES[principal.kind],
  };
}

/**
 * Builds the context a request is evaluated in: the caller's keys plus the principal's own,
 * where a key the request already carries (in any case) wins over the derived one.
 *
 * @example
 * buildContext(request).get('AWS:SourceIP'); // the value given as aws:SourceIp
 */
export function buildContext(
  request: Pick<AuthorizationRequest, 'principal' | 'context'>,
): RequestContext {
  const values = new Map<string, string | readonly string[] | undefined>();
  for (const [key, value] of Object.entries(principalKeys(request.principal))) {
    if (value !== undefined) values.set(key.toLowerCase(), value);
  }
  for (const [key, value] of Object.entries(request.context)) values.set(key.toLowerCase(), value);
  return { get: (key) => values.get(key.toLowerCase()) };
}
