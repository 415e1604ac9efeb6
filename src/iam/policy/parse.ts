import { PolicyError, type PolicyDocument, type PolicyKind, type Statement } from '../types.js';
import { parseDate } from './conditions.js';
import { parseOperator } from './operators.js';
import { isRecord, statementShape, SYNTAX_ERROR } from './shape.js';

/** IAM's sentences for documents that parse as JSON but break a rule. */
export const POLICY_ERRORS = {
  syntax: SYNTAX_ERROR,
  legacy: 'The policy failed legacy parsing',
  principalNotAllowed: 'Policy document should not specify a principal.',
  principalRequired: 'Missing required field Principal',
  resourceProhibited: 'Has prohibited field Resource',
  actionsRequired: 'Policy statement must contain actions.',
  resourcesRequired: 'Policy statement must contain resources.',
  resourceRequired: 'Missing required field Resource',
  duplicateSid: 'Statement IDs (SID) in a single policy must be unique.',
  vendor: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  oneColon: 'Actions/Condition can contain only one colon.',
} as const;

const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const TOP_FIELDS = new Set(['Version', 'Id', 'Statement']);
const VENDOR = /^[a-zA-Z0-9.-]+$/;

export interface ParseOptions {
  /** Rejects a Resource/NotResource value with a message, e.g. one outside S3's bucket. */
  validateResource?: (arn: string) => string | undefined;
}

function fail(message: string): never {
  throw new PolicyError(message);
}

function readDocument(text: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    fail(POLICY_ERRORS.syntax);
  }
  if (!isRecord(raw) || !Object.keys(raw).every((field) => TOP_FIELDS.has(field))) {
    fail(POLICY_ERRORS.syntax);
  }
  const { Version, Id, Statement } = raw;
  if (Version !== undefined && (typeof Version !== 'string' || !VERSIONS.has(Version))) {
    fail(POLICY_ERRORS.syntax);
  }
  if (Id !== undefined && typeof Id !== 'string') fail(POLICY_ERRORS.syntax);
  if (!isRecord(Statement) && !(Array.isArray(Statement) && Statement.length > 0)) {
    fail(POLICY_ERRORS.syntax);
  }
  return raw;
}

/** IAM's legacy pass: exact-case Effect, and dates the Date operators can read. */
function legacyCheck(statement: Statement): void {
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') fail(POLICY_ERRORS.legacy);
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    if (parseOperator(operator)?.base.family !== 'Date') continue;
    const values = Object.values(keys).flat();
    if (values.some((v) => parseDate(v) === undefined)) fail(POLICY_ERRORS.legacy);
  }
}

function kindCheck(statement: Statement, kind: PolicyKind): void {
  const hasPrincipal = statement.Principal !== undefined || statement.NotPrincipal !== undefined;
  const hasResource = statement.Resource !== undefined || statement.NotResource !== undefined;
  if (kind === 'identity' && hasPrincipal) fail(POLICY_ERRORS.principalNotAllowed);
  if (kind !== 'identity' && !hasPrincipal) fail(POLICY_ERRORS.principalRequired);
  if (kind === 'trust' && hasResource) fail(POLICY_ERRORS.resourceProhibited);
  const actions = statement.Action ?? statement.NotAction;
  if (!actions?.length) fail(POLICY_ERRORS.actionsRequired);
  if (kind !== 'trust' && !(statement.Resource ?? statement.NotResource)?.length) {
    fail(kind === 'identity' ? POLICY_ERRORS.resourcesRequired : POLICY_ERRORS.resourceRequired);
  }
}

/** `service:Action`, or `*` alone; condition keys need their vendor prefix too. */
function vendorCheck(name: string, isAction: boolean): void {
  if (isAction && name === '*') return;
  const parts = name.split(':');
  if (parts.length === 1) fail(POLICY_ERRORS.vendor);
  // Condition keys may hold more colons (`aws:RequestTag/aws:cloudformation:stack-name`).
  if (!isAction) return;
  if (parts.length > 2) fail(POLICY_ERRORS.oneColon);
  const vendor = parts[0] ?? '';
  if (vendor !== '*' && !VENDOR.test(vendor)) fail(`Vendor ${vendor} is not valid`);
}

function resourceCheck(resource: string, options: ParseOptions): void {
  if (resource !== '*' && !resource.includes(':')) {
    fail(`Resource ${resource} must be in ARN format or "*".`);
  }
  const problem = options.validateResource?.(resource);
  if (problem !== undefined) fail(problem);
}

/**
 * Parses and validates a policy document as IAM does for its kind, normalising single strings
 * to arrays. Throws a `PolicyError` carrying IAM's sentence for the first fault. A missing
 * Version reads as `2008-10-17`, under which policy variables stay literal text.
 *
 * @example
 * const doc = parsePolicy(
 *   '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}}',
 *   'identity',
 * );
 * doc.Statement[0].Action; // ['s3:GetObject']
 */
export function parsePolicy(
  text: string,
  kind: PolicyKind,
  options: ParseOptions = {},
): PolicyDocument {
  const raw = readDocument(text);
  const written = Array.isArray(raw.Statement) ? raw.Statement : [raw.Statement];
  // IAM reports grammar faults anywhere in the document before any rule about meaning.
  const statements = written.map(statementShape);
  statements.forEach(legacyCheck);
  statements.forEach((statement) => kindCheck(statement, kind));
  if (kind !== 'resource') {
    const sids = statements.flatMap((s) => (s.Sid ? [s.Sid] : []));
    if (new Set(sids).size !== sids.length) fail(POLICY_ERRORS.duplicateSid);
  }
  for (const statement of statements) {
    for (const resource of [...(statement.Resource ?? []), ...(statement.NotResource ?? [])]) {
      resourceCheck(resource, options);
    }
    for (const action of [...(statement.Action ?? []), ...(statement.NotAction ?? [])]) {
      vendorCheck(action, true);
    }
    for (const keys of Object.values(statement.Condition ?? {})) {
      Object.keys(keys).forEach((key) => vendorCheck(key, false));
    }
  }
  const document: PolicyDocument = {
    Version: (raw.Version as PolicyDocument['Version'] | undefined) ?? '2008-10-17',
    Statement: statements,
  };
  if (typeof raw.Id === 'string') document.Id = raw.Id;
  return document;
}
