import type { AuthorizationRequest, Evaluation, PolicyDocument, Statement } from '../types.js';
import { buildContext, type RequestContext } from './context.js';
import { conditionsHold, type Substitute } from './conditions.js';
import { actionMatches, arnMatches } from './match.js';
import { denialMessage } from './messages.js';
import { statementNamesPrincipal } from './principals.js';
import { substituteVariables } from './variables.js';

interface Scope {
  request: AuthorizationRequest;
  context: RequestContext;
}

function actionCovered(statement: Statement, action: string): boolean {
  if (statement.Action) return statement.Action.some((p) => actionMatches(p, action));
  if (statement.NotAction) return !statement.NotAction.some((p) => actionMatches(p, action));
  return false;
}

function resourceCovered(statement: Statement, resource: string, substitute: Substitute): boolean {
  const matches = (pattern: string): boolean => {
    const resolved = substitute(pattern);
    return resolved !== undefined && arnMatches(resolved, resource);
  };
  if (statement.Resource) return statement.Resource.some(matches);
  if (statement.NotResource) return !statement.NotResource.some(matches);
  // A trust policy names no resource: the role it is attached to is the resource.
  return true;
}

/** Whether some statement of a document, with the given effect, applies to the request. */
function applies(
  document: PolicyDocument,
  effect: Statement['Effect'],
  scope: Scope,
  checkPrincipal: boolean,
): boolean {
  const { request, context } = scope;
  // Policy variables exist from 2012-10-17 on; older documents keep `${…}` as literal text.
  const substitute: Substitute =
    document.Version === '2012-10-17' ? (v) => substituteVariables(v, context) : (v) => v;
  return document.Statement.some(
    (statement) =>
      statement.Effect === effect &&
      (!checkPrincipal || statementNamesPrincipal(statement, request.principal)) &&
      actionCovered(statement, request.action) &&
      resourceCovered(statement, request.resource, substitute) &&
      conditionsHold(statement.Condition, context, substitute),
  );
}

/**
 * Decides a request the way AWS does within one account ("Policy evaluation logic"): an
 * explicit Deny in the identity policies or the resource policy wins; otherwise an Allow in an
 * identity policy, or in a resource-policy statement whose principal covers the caller, allows;
 * otherwise the request is denied by default. The root user is not bound by identity policies
 * and is allowed unless the resource policy explicitly denies it.
 *
 * @example
 * evaluate({
 *   principal: alice,
 *   action: 's3:GetObject',
 *   resource: 'arn:aws:s3:::photos/cat.jpg',
 *   identityPolicies: [parsePolicy(readOnly, 'identity')],
 *   context: { 'aws:SecureTransport': 'true' },
 * }); // { decision: 'Allow', decidedBy: 'identity', message: '' }
 */
export function evaluate(request: AuthorizationRequest): Evaluation {
  const scope: Scope = { request, context: buildContext(request) };
  const { principal, action, resource, resourcePolicy } = request;
  const identityPolicies = principal.kind === 'root' ? [] : request.identityPolicies;
  const deny = (
    decision: 'ExplicitDeny' | 'ImplicitDeny',
    by: 'identity' | 'resource',
  ): Evaluation => ({
    decision,
    ...(decision === 'ExplicitDeny' ? { decidedBy: by } : {}),
    message: denialMessage(principal, action, resource, decision, by),
  });

  if (identityPolicies.some((doc) => applies(doc, 'Deny', scope, false))) {
    return deny('ExplicitDeny', 'identity');
  }
  if (resourcePolicy && applies(resourcePolicy, 'Deny', scope, true)) {
    return deny('ExplicitDeny', 'resource');
  }
  if (principal.kind === 'root') return { decision: 'Allow', message: '' };
  if (identityPolicies.some((doc) => applies(doc, 'Allow', scope, false))) {
    return { decision: 'Allow', decidedBy: 'identity', message: '' };
  }
  if (resourcePolicy && applies(resourcePolicy, 'Allow', scope, true)) {
    return { decision: 'Allow', decidedBy: 'resource', message: '' };
  }
  // A service has no identity policies: only a resource policy could have let it in.
  return deny('ImplicitDeny', principal.kind === 'service' ? 'resource' : 'identity');
}
