/**
 * Function names as Lambda takes them in a path or a body: a name (`my-function`), a full
 * ARN (`arn:aws:lambda:us-west-2:123456789012:function:my-function`) or a partial one
 * (`123456789012:function:my-function`), each optionally with a qualifier.
 */
import { functionArn } from '../functions/index.js';
import { constraintError, functionNotFound } from './errors.js';

/** Lambda's FunctionName pattern (service-2.json, `FunctionName` shape). */
const FUNCTION_NAME =
  /^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?$/;

export interface Scope {
  region: string;
  accountId: string;
}

/**
 * The function's name, from any of Lambda's forms. A qualifier other than `$LATEST` names a
 * version or alias, which Vigil does not have: not found.
 */
export function functionName(raw: string, scope: Scope, qualifier?: string): string {
  if (raw.length > 170)
    throw constraintError('functionName', raw, 'Member must have length less than or equal to 170');
  const match = FUNCTION_NAME.exec(raw);
  if (!match)
    throw constraintError(
      'functionName',
      raw,
      `Member must satisfy regular expression pattern: ${FUNCTION_NAME.source.slice(1, -1)}`,
    );
  const name = match[7]!;
  if (name.length > 64)
    throw constraintError('functionName', raw, 'Member must have length less than or equal to 64');
  const account = match[5]?.slice(0, -1);
  const region = match[3]?.slice(0, -1);
  const version = match[9] ?? qualifier;
  if (
    (account !== undefined && account !== scope.accountId) ||
    (region !== undefined && region !== scope.region) ||
    (version !== undefined && version !== '$LATEST')
  )
    throw functionNotFound(
      `${functionArn(scope, name)}${version !== undefined ? `:${version}` : ''}`,
    );
  return name;
}
