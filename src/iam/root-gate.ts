/**
 * An access gate that knows only the root key: for a part of Vigil run on its own (an API's
 * tests, a tool) where no identity store exists. Root may do anything a resource's policy
 * does not explicitly deny, as with the full gate.
 */
import { evaluate } from './policy/index.js';
import type { AccessGate, Credential } from './types.js';

export function rootOnlyGate(
  accountId: string,
  root: { accessKeyId: string; secretAccessKey: string },
): AccessGate {
  const credential: Credential = {
    ...root,
    principal: {
      kind: 'root',
      arn: `arn:aws:iam::${accountId}:root`,
      accountId,
      name: 'root',
      userId: accountId,
      accessKeyId: root.accessKeyId,
    },
  };
  return {
    credential: (id) => (id === root.accessKeyId ? credential : undefined),
    authorize: (principal, action, resource, options = {}) =>
      evaluate({
        principal,
        action,
        resource,
        identityPolicies: [],
        ...(options.resourcePolicy ? { resourcePolicy: options.resourcePolicy } : {}),
        context: options.context ?? {},
      }),
  };
}
