import type {
  AuthorizationRequest,
  ConditionValues,
  Decision,
  PolicyDocument,
  Principal,
} from '../types.js';
import { evaluate } from './evaluate.js';
import { parsePolicy } from './parse.js';

/** Principals of one account, shared by the decision tables. */
export const ACCOUNT = '123456789012';
export const OTHER_ACCOUNT = '210987654321';

export const alice: Principal = {
  kind: 'user',
  arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
  accountId: ACCOUNT,
  name: 'alice',
  userId: 'AIDAALICE',
};
export const bob: Principal = {
  ...alice,
  arn: `arn:aws:iam::${ACCOUNT}:user/bob`,
  name: 'bob',
  userId: 'AIDABOB',
};
export const root: Principal = {
  kind: 'root',
  arn: `arn:aws:iam::${ACCOUNT}:root`,
  accountId: ACCOUNT,
  name: 'root',
  userId: ACCOUNT,
};
export const session: Principal = {
  kind: 'assumed-role',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/job-1`,
  roleArn: `arn:aws:iam::${ACCOUNT}:role/app`,
  accountId: ACCOUNT,
  name: 'app',
  userId: 'AROAAPP:job-1',
};
export const s3Service: Principal = {
  kind: 'service',
  arn: 's3.amazonaws.com',
  accountId: ACCOUNT,
  name: 's3.amazonaws.com',
  userId: 's3.amazonaws.com',
};

type Statement = Record<string, unknown>;

/** One row of a decision table. Policies are written as JSON statements and parsed for real. */
export interface Row {
  name: string;
  principal?: Principal;
  action?: string;
  resource?: string;
  identity?: Statement[];
  bucket?: Statement[];
  context?: ConditionValues;
  version?: '2012-10-17' | '2008-10-17' | null;
  decision: Decision;
  decidedBy?: 'identity' | 'resource';
}

export function documentOf(
  statements: Statement[],
  kind: 'identity' | 'resource',
  version: Row['version'],
): PolicyDocument {
  const body =
    version === null
      ? { Statement: statements }
      : { Version: version ?? '2012-10-17', Statement: statements };
  return parsePolicy(JSON.stringify(body), kind);
}

export function requestOf(row: Row): AuthorizationRequest {
  return {
    principal: row.principal ?? alice,
    action: row.action ?? 's3:GetObject',
    resource: row.resource ?? 'arn:aws:s3:::photos/cat.jpg',
    identityPolicies: row.identity ? [documentOf(row.identity, 'identity', row.version)] : [],
    ...(row.bucket ? { resourcePolicy: documentOf(row.bucket, 'resource', row.version) } : {}),
    context: row.context ?? {},
  };
}

export function decide(row: Row): { decision: Decision; decidedBy?: string } {
  const { decision, decidedBy } = evaluate(requestOf(row));
  return decidedBy === undefined ? { decision } : { decision, decidedBy };
}

export function expected(row: Row): { decision: Decision; decidedBy?: string } {
  return row.decidedBy === undefined
    ? { decision: row.decision }
    : { decision: row.decision, decidedBy: row.decidedBy };
}

/** An identity statement allowing `action` (default s3:*) on `resource` (default everything). */
export const allow = (extra: Statement = {}): Statement => ({
  Effect: 'Allow',
  Action: 's3:*',
  Resource: '*',
  ...extra,
});
export const deny = (extra: Statement = {}): Statement => ({
  ...allow(extra),
  Effect: 'Deny',
  ...extra,
});
/** A bucket-policy statement: as above, with a principal. */
export const grant = (principal: unknown, extra: Statement = {}): Statement => ({
  ...allow(extra),
  Principal: principal,
});
export const refuse = (principal: unknown, extra: Statement = {}): Statement => ({
  ...deny(extra),
  Principal: principal,
});
