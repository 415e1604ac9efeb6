/**
 * Function policies: the statements AddPermission adds, built as Lambda builds them, and the
 * document as GetPolicy returns it (`{"Version":"2012-10-17","Id":"default","Statement":[…]}`).
 */
import type { PolicyDocument, Statement } from '../iam/types.js';
import { constraintError, invalidParameter, LambdaError } from './errors.js';
import { checkPattern, optionalString, requiredString, type Input } from './input.js';

/** A statement as Lambda stores it: single values stay strings. */
export interface LambdaStatement {
  Sid: string;
  Effect: 'Allow';
  Principal: '*' | { Service: string } | { AWS: string };
  Action: string;
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

export interface LambdaPolicy {
  Version: '2012-10-17';
  Id: 'default';
  Statement: LambdaStatement[];
}

/**
 * AddPermission's statement. Principal: a service (`s3.amazonaws.com`), an account id (→
 * `arn:aws:iam::<id>:root`), an ARN, or `*`. `SourceArn` becomes `ArnLike AWS:SourceArn`,
 * `SourceAccount` `StringEquals AWS:SourceAccount`, as in Lambda's own documents.
 */
export function permissionStatement(input: Input, functionArn: string): LambdaStatement {
  const sid = checkPattern(
    'statementId',
    requiredString(input, 'StatementId', 'statementId'),
    /^([a-zA-Z0-9-_.]+)$/,
    100,
  );
  const action = checkPattern(
    'action',
    requiredString(input, 'Action', 'action'),
    /^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/,
    256,
  );
  const principal = requiredString(input, 'Principal', 'principal');
  if (!/^[^\s]+$/.test(principal))
    throw constraintError(
      'principal',
      principal,
      'Member must satisfy regular expression pattern: [^\\s]+',
    );
  const sourceArn = optionalString(input, 'SourceArn');
  const sourceAccount = optionalString(input, 'SourceAccount');
  if (sourceAccount !== undefined) checkPattern('sourceAccount', sourceAccount, /^\d{12}$/, 12);
  for (const member of ['EventSourceToken', 'PrincipalOrgID', 'FunctionUrlAuthType'])
    if (input[member] !== undefined && input[member] !== null)
      throw invalidParameter(`Vigil does not support ${member} in function policies.`);
  const condition: Record<string, Record<string, string>> = {};
  if (sourceAccount !== undefined)
    condition['StringEquals'] = { 'AWS:SourceAccount': sourceAccount };
  if (sourceArn !== undefined) condition['ArnLike'] = { 'AWS:SourceArn': sourceArn };
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: principalBlock(principal),
    Action: action,
    Resource: functionArn,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}

function principalBlock(principal: string): LambdaStatement['Principal'] {
  if (principal === '*') return '*';
  if (/^\d{12}$/.test(principal)) return { AWS: `arn:aws:iam::${principal}:root` };
  if (principal.startsWith('arn:')) return { AWS: principal };
  if (principal.includes('.')) return { Service: principal };
  throw invalidParameter(
    `The provided principal was invalid. Please check the principal and try again.`,
  );
}

/** The policy with `statement` added; a Sid in use is Lambda's ResourceConflictException. */
export function addStatement(policy: string | undefined, statement: LambdaStatement): string {
  const document: LambdaPolicy = policy
    ? (JSON.parse(policy) as LambdaPolicy)
    : { Version: '2012-10-17', Id: 'default', Statement: [] };
  if (document.Statement.some((s) => s.Sid === statement.Sid))
    throw new LambdaError(
      'ResourceConflictException',
      'The statement id (sid) provided already exists. Please choose a new statement id, or remove the existing statement.',
    );
  document.Statement.push(statement);
  return JSON.stringify(document);
}

/** The policy without the statement `sid` (undefined when none is left). */
export function removeStatement(policy: string | undefined, sid: string): string | undefined {
  const document = policy ? (JSON.parse(policy) as LambdaPolicy) : undefined;
  const kept = document?.Statement.filter((s) => s.Sid !== sid);
  if (!document || !kept || kept.length === document.Statement.length)
    throw new LambdaError(
      'ResourceNotFoundException',
      `Statement ${sid} is not found in resource policy.`,
    );
  return kept.length === 0 ? undefined : JSON.stringify({ ...document, Statement: kept });
}

/** The stored policy in the shape the access gate evaluates (single values as arrays). */
export function toPolicyDocument(policy: string): PolicyDocument {
  const document = JSON.parse(policy) as LambdaPolicy;
  const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
  return {
    Version: document.Version,
    Id: document.Id,
    Statement: document.Statement.map((s): Statement => ({
      Sid: s.Sid,
      Effect: s.Effect,
      Principal: s.Principal,
      Action: list(s.Action),
      Resource: list(s.Resource),
      ...(s.Condition
        ? {
            Condition: Object.fromEntries(
              Object.entries(s.Condition).map(([op, keys]) => [
                op,
                Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, list(v)])),
              ]),
            ),
          }
        : {}),
    })),
  };
}
