import { PolicyError, type PrincipalBlock, type Statement } from '../types.js';
import { parseOperator } from './operators.js';

/**
 * The first pass of parsing: the JSON shape of a policy, as IAM's grammar
 * (`reference_policies_grammar`) fixes it. Any fault here is IAM's "Syntax errors in policy.";
 * the rules that depend on the kind of policy come after, in parse.ts.
 */

export const SYNTAX_ERROR = 'Syntax errors in policy.';
export const INVALID_PRINCIPAL = 'Invalid principal in policy';

const STATEMENT_FIELDS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const PRINCIPAL_KINDS = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
/** What an AWS principal may be: everyone, an account id, or an IAM/STS ARN without wildcards. */
const AWS_PRINCIPAL = /^(\*|\d{12}|arn:[^:*?]+:(iam|sts)::\d{12}:[^*?]+)$/;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function syntax(ok: boolean): asserts ok {
  if (!ok) throw new PolicyError(SYNTAX_ERROR);
}

/** A string or an array of strings, normalised to an array. */
export function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  syntax(Array.isArray(value) && value.every((v) => typeof v === 'string'));
  return value;
}

function principalBlock(value: unknown): PrincipalBlock {
  if (value === '*') return '*';
  if (!isRecord(value) || Object.keys(value).length === 0) throw new PolicyError(INVALID_PRINCIPAL);
  const block: Exclude<PrincipalBlock, '*'> = {};
  for (const [kind, entry] of Object.entries(value)) {
    if (!PRINCIPAL_KINDS.has(kind)) throw new PolicyError(INVALID_PRINCIPAL);
    const list = stringList(entry);
    const valid = (v: string): boolean =>
      kind === 'AWS' ? AWS_PRINCIPAL.test(v) : v.trim() !== '';
    if (list.length === 0 || !list.every(valid)) throw new PolicyError(INVALID_PRINCIPAL);
    block[kind as keyof typeof block] = list;
  }
  return block;
}

/** Condition values may be written as strings, numbers or booleans; IAM compares text. */
function conditionValues(value: unknown): string[] {
  const scalar = (v: unknown): v is string | number | boolean =>
    typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  if (scalar(value)) return [String(value)];
  syntax(Array.isArray(value) && value.every(scalar));
  return value.map(String);
}

function conditionBlock(value: unknown): NonNullable<Statement['Condition']> {
  syntax(isRecord(value));
  const block: NonNullable<Statement['Condition']> = {};
  for (const [operator, keys] of Object.entries(value)) {
    syntax(parseOperator(operator) !== undefined && isRecord(keys));
    block[operator] = Object.fromEntries(
      Object.entries(keys).map(([key, values]) => [key, conditionValues(values)]),
    );
  }
  return block;
}

/**
 * Checks one statement's shape and normalises it. `Effect` is kept as written (any case) so
 * that the legacy pass can give IAM's own sentence for `"allow"`.
 */
export function statementShape(value: unknown): Statement {
  syntax(isRecord(value));
  syntax(Object.keys(value).every((field) => STATEMENT_FIELDS.has(field)));
  for (const [one, other] of [
    ['Action', 'NotAction'],
    ['Resource', 'NotResource'],
    ['Principal', 'NotPrincipal'],
  ] as const) {
    syntax(!(one in value && other in value));
  }
  const effect = value.Effect;
  syntax(typeof effect === 'string' && ['allow', 'deny'].includes(effect.toLowerCase()));
  syntax(value.Sid === undefined || typeof value.Sid === 'string');
  const statement = { Effect: effect } as Statement;
  if (value.Sid !== undefined) statement.Sid = value.Sid;
  for (const field of ['Action', 'NotAction', 'Resource', 'NotResource'] as const) {
    if (value[field] !== undefined) statement[field] = stringList(value[field]);
  }
  if (value.Principal !== undefined) statement.Principal = principalBlock(value.Principal);
  if (value.NotPrincipal !== undefined) statement.NotPrincipal = principalBlock(value.NotPrincipal);
  if (value.Condition !== undefined) statement.Condition = conditionBlock(value.Condition);
  return statement;
}
