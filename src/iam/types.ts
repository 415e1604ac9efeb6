/**
 * The contract of identities and access: who signed a request (a `Principal`), the policy
 * documents that say what principals may do, and the `Authorizer` every API asks before it
 * acts. Evaluation follows AWS's documented logic for one account: an explicit deny in any
 * policy wins, then an allow in an identity policy or in the resource's own policy (a bucket
 * policy, a function policy), else the request is denied by default.
 */

/** Who a signed request comes from. */
export interface Principal {
  kind: 'root' | 'user' | 'assumed-role' | 'service';
  /**
   * `arn:aws:iam::<account>:root`, `arn:aws:iam::<account>:user/<path><name>`,
   * `arn:aws:sts::<account>:assumed-role/<role>/<session>`, or for a service its name
   * (`s3.amazonaws.com`).
   */
  arn: string;
  accountId: string;
  /** The user's, role's or service's name; `root` for the root user. */
  name: string;
  /** `aws:userid`: the account id for root, the user id (`AIDA…`), `<role id>:<session>`. */
  userId: string;
  /** For an assumed role: the role's ARN (`arn:aws:iam::<account>:role/<path><name>`). */
  roleArn?: string;
  /** The access key the request was signed with, when it was signed. */
  accessKeyId?: string;
}

/** A statement's principal block, as written: `"*"` or a map of kinds to one or more values. */
export type PrincipalBlock =
  '*' | Partial<Record<'AWS' | 'Service' | 'Federated' | 'CanonicalUser', string | string[]>>;

/** A policy statement, normalised: single strings become one-element arrays. */
export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: PrincipalBlock;
  NotPrincipal?: PrincipalBlock;
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  /** Operator (`StringLike`, `ForAnyValue:StringEquals`, `IpAddressIfExists`…) → key → values. */
  Condition?: Record<string, Record<string, string[]>>;
}

/** A parsed, validated policy document. */
export interface PolicyDocument {
  Version: '2012-10-17' | '2008-10-17';
  Id?: string;
  Statement: Statement[];
}

/**
 * What kind of policy a document is, which decides the grammar it must follow:
 * identity policies (users, roles, managed policies) must not name a principal; resource
 * policies (bucket and function policies) and role trust policies must.
 */
export type PolicyKind = 'identity' | 'resource' | 'trust';

/** Values of condition keys: a missing key is `undefined`; multivalued keys are arrays. */
export type ConditionValues = Record<string, string | readonly string[] | undefined>;

/** One question: may this principal perform this action on this resource? */
export interface AuthorizationRequest {
  principal: Principal;
  /** `service:Action`, e.g. `s3:GetObject`. */
  action: string;
  /** The resource's ARN (`arn:aws:s3:::bucket/key`), or `*` for actions without a resource. */
  resource: string;
  /** Identity policies of the principal (its user's, or its role's). Ignored for root. */
  identityPolicies: readonly PolicyDocument[];
  /** The resource's own policy (bucket policy, function policy), when it has one. */
  resourcePolicy?: PolicyDocument;
  /**
   * Condition keys of the request. Keys are matched case-insensitively; the evaluator adds
   * the principal's own keys (`aws:username`, `aws:userid`, `aws:PrincipalArn`,
   * `aws:PrincipalAccount`, `aws:PrincipalType`) itself.
   */
  context: ConditionValues;
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface Evaluation {
  decision: Decision;
  /** Which kind of policy decided (absent for an implicit deny, and for root's allow). */
  decidedBy?: 'identity' | 'resource';
  /** AWS's sentence for a denial: "User: … is not authorized to perform: … because …". */
  message: string;
}

/** A policy document that breaks the grammar, with IAM's sentence for the fault. */
export class PolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}

/** An access key's credential: the secret SigV4 needs, and who it belongs to. */
export interface Credential {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials (a role's session) carry a token the request must present. */
  sessionToken?: string;
  principal: Principal;
}

/**
 * What every API on Vigil's port asks: whose key signed the request, and whether that
 * principal may do what it asks. One instance serves S3, SQS, Rekognition, EventBridge, IAM,
 * Lambda and the admin API, so a policy change applies to all of them at once.
 */
export interface AccessGate {
  /** The credential of an active access key (or live session), else undefined. */
  credential(accessKeyId: string): Credential | undefined;
  /**
   * Evaluates the principal's identity policies together with the resource's policy.
   * `context` adds request condition keys (`aws:SourceIp`, `aws:SecureTransport`,
   * `s3:prefix`, …); `aws:CurrentTime` and `aws:EpochTime` are added by the gate.
   */
  authorize(
    principal: Principal,
    action: string,
    resource: string,
    options?: { resourcePolicy?: PolicyDocument; context?: ConditionValues },
  ): Evaluation;
  /**
   * Whether any of the principal's own policies has a condition on a key starting with
   * `prefix` (lower case), so a caller can skip gathering a costly key nobody tests.
   * Absent: assume it may.
   */
  conditionsName?(principal: Principal, prefix: string): boolean;
}

/** Whether a policy has a condition on a key starting with `prefix` (lower case). */
export function policyConditionsName(policy: PolicyDocument, prefix: string): boolean {
  return policy.Statement.some((statement) =>
    Object.values(statement.Condition ?? {}).some((keys) =>
      Object.keys(keys).some((key) => key.toLowerCase().startsWith(prefix)),
    ),
  );
}
