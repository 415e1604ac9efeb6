import type { Decision, Principal } from '../types.js';

export type PolicyType = 'identity' | 'resource';

const TYPE_NAMES: Record<PolicyType, string> = {
  identity: 'identity-based',
  resource: 'resource-based',
};

/**
 * AWS's access-denied sentence ("Access denied error messages" in the IAM guide):
 * `User: <arn> is not authorized to perform: <action> on resource: "<arn>"` followed by
 * `with an explicit deny in a <type> policy` or `because no <type> policy allows the <action>
 * action`. The resource is quoted the way S3 writes it, and left out for actions without one
 * (`*`), as AWS does. An Allow has no sentence.
 *
 * @example
 * denialMessage(alice, 's3:GetObject', 'arn:aws:s3:::b/k', 'ImplicitDeny', 'identity');
 * // 'User: arn:aws:iam::123456789012:user/alice is not authorized to perform: s3:GetObject
 * //  on resource: "arn:aws:s3:::b/k" because no identity-based policy allows the s3:GetObject action'
 */
export function denialMessage(
  principal: Principal,
  action: string,
  resource: string,
  decision: Decision,
  policyType: PolicyType,
): string {
  if (decision === 'Allow') return '';
  const onResource = resource === '*' ? '' : ` on resource: "${resource}"`;
  const type = TYPE_NAMES[policyType];
  const reason =
    decision === 'ExplicitDeny'
      ? `with an explicit deny in a${policyType === 'identity' ? 'n' : ''} ${type} policy`
      : `because no ${type} policy allows the ${action} action`;
  return `User: ${principal.arn} is not authorized to perform: ${action}${onResource} ${reason}`;
}
