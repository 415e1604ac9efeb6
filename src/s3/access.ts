/**
 * Authorization of S3 requests: the signer's policies and the bucket's policy, evaluated for
 * each permission an operation needs, with the request's condition keys. A denial is S3's
 * 403 `AccessDenied`, with the sentence AWS now gives for same-account denials.
 */
import type { IncomingMessage } from 'node:http';
import { parsePolicy } from '../iam/policy/index.js';
import type { TrustedProxies } from '../iam/request-context.js';
import { requestConditionKeys } from '../iam/request-context.js';
import {
  policyConditionsName,
  type AccessGate,
  type ConditionValues,
  type PolicyDocument,
  type Principal,
} from '../iam/types.js';
import type { StorageEngine } from '../storage/index.js';
import { S3Error } from './errors.js';
import { existingTagContext, s3Arn, type PermissionCheck } from './permissions.js';

/** What the S3 API needs to authorize: the gate, and which proxies to believe. */
export interface S3AccessOptions {
  gate: AccessGate;
  proxies?: TrustedProxies;
}

/** Actions whose policies may test the object's current tags (`s3:ExistingObjectTag`). */
const EXISTING_TAG_ACTIONS = new Set([
  's3:GetObject',
  's3:GetObjectVersion',
  's3:GetObjectTagging',
  's3:GetObjectVersionTagging',
  's3:PutObjectTagging',
  's3:PutObjectVersionTagging',
  's3:DeleteObjectTagging',
  's3:DeleteObjectVersionTagging',
  's3:GetObjectAcl',
  's3:GetObjectVersionAcl',
  's3:PutObjectAcl',
]);

/**
 * The root user may always manage a bucket's policy, even one that denies it: S3's way out
 * of a policy that locks everyone out.
 */
const ROOT_ALWAYS = new Set(['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy']);

const parsedPolicies = new Map<string, PolicyDocument>();

/** A bucket's policy, parsed once per distinct text (it was validated when stored). */
export function bucketPolicy(engine: StorageEngine, bucket: string): PolicyDocument | undefined {
  const text = engine.findBucketPolicy(bucket);
  if (text === undefined) return undefined;
  let policy = parsedPolicies.get(text);
  if (!policy) {
    policy = parsePolicy(text, 'resource');
    if (parsedPolicies.size > 1000) parsedPolicies.clear();
    parsedPolicies.set(text, policy);
  }
  return policy;
}

/** One request's authorization: its principal, and checks against its condition keys. */
export class RequestAccess {
  private readonly baseContext: ConditionValues;

  constructor(
    readonly principal: Principal,
    private readonly gate: AccessGate,
    private readonly engine: StorageEngine,
    req: IncomingMessage,
    proxies: TrustedProxies | undefined,
    authType: 'REST-HEADER' | 'REST-QUERY-STRING' | 'POST',
  ) {
    this.baseContext = {
      ...requestConditionKeys(req, proxies),
      's3:authType': authType,
      's3:signatureversion': 'AWS4-HMAC-SHA256',
    };
  }

  /** Throws S3's `AccessDenied` unless the principal may do what `check` says. */
  check(check: PermissionCheck): void {
    const resourcePolicy = check.bucket ? bucketPolicy(this.engine, check.bucket) : undefined;
    if (this.principal.kind === 'root' && (!resourcePolicy || ROOT_ALWAYS.has(check.action)))
      return;
    const evaluation = this.gate.authorize(
      this.principal,
      check.action,
      s3Arn(check.bucket, check.key),
      {
        ...(resourcePolicy ? { resourcePolicy } : {}),
        context: {
          ...this.baseContext,
          ...this.existingTags(check, resourcePolicy),
          ...check.context,
        },
      },
    );
    if (evaluation.decision !== 'Allow') throw new S3Error('AccessDenied', evaluation.message);
  }

  /** Whether the principal may do `check`, without throwing (DeleteObjects reports per key). */
  allows(check: PermissionCheck): boolean {
    try {
      this.check(check);
      return true;
    } catch (error) {
      if (error instanceof S3Error && error.code === 'AccessDenied') return false;
      throw error;
    }
  }

  /** The object's tags as condition keys, read only when a policy in play tests them. */
  private existingTags(
    check: PermissionCheck,
    resourcePolicy: PolicyDocument | undefined,
  ): ConditionValues {
    if (check.key === undefined || check.bucket === undefined) return {};
    if (!EXISTING_TAG_ACTIONS.has(check.action)) return {};
    const prefix = 's3:existingobjecttag/';
    const tested =
      (resourcePolicy !== undefined && policyConditionsName(resourcePolicy, prefix)) ||
      (this.gate.conditionsName?.(this.principal, prefix) ?? true);
    if (!tested) return {};
    const versionId = check.context['s3:versionid'];
    let object;
    try {
      object = this.engine.headObject(
        check.bucket,
        check.key,
        typeof versionId === 'string' ? versionId : undefined,
      );
    } catch {
      // No such bucket, key or version: nothing to tell, and the handler answers which.
      return {};
    }
    return existingTagContext(object.tags);
  }
}
