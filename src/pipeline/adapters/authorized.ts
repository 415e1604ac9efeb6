/**
 * moderate-image's execution role, enforced on its in-process object store. The role is the
 * seed's permission list — `s3:GetObject`, `s3:HeadObject`, `s3:PutObjectTagging` and
 * `rekognition:DetectModerationLabels` — scoped to the buckets and key prefixes/suffixes whose
 * notifications invoke it, plus `s3:GetObjectTagging` (Vigil keeps an object's other tags
 * when it adds its own, where the seed's handler overwrote them) and `sqs:SendMessage` on the
 * review queue. Every call the function makes is evaluated against it and the bucket's
 * policy, so a change that made it write anywhere else would be refused, as on Lambda.
 */
import { evaluate } from '../../iam/policy/index.js';
import type { PolicyDocument, Principal, Statement } from '../../iam/types.js';
import type { ExpectedWrite, ObjectHead, ObjectRef, ObjectStore, Tag } from '../ports.js';

/** What a trigger of the function selects: a bucket, and keys by prefix and suffix. */
export interface TriggerScope {
  bucket: string;
  prefix: string;
  suffix: string;
}

/** The role's policy for the triggers it serves. */
export function moderateImagePolicy(
  triggers: readonly TriggerScope[],
  reviewQueueArn: string | undefined,
): PolicyDocument {
  const objects = [
    ...new Set(triggers.map((t) => `arn:aws:s3:::${t.bucket}/${t.prefix}*${t.suffix}`)),
  ];
  const statements: Statement[] = [
    {
      Sid: 'ModerationLabels',
      Effect: 'Allow',
      Action: ['rekognition:DetectModerationLabels'],
      Resource: ['*'],
    },
  ];
  if (objects.length > 0)
    statements.push({
      Sid: 'UploadedImages',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:HeadObject', 's3:GetObjectTagging', 's3:PutObjectTagging'],
      Resource: objects,
    });
  if (reviewQueueArn)
    statements.push({
      Sid: 'ReviewQueue',
      Effect: 'Allow',
      Action: ['sqs:SendMessage'],
      Resource: [reviewQueueArn],
    });
  return { Version: '2012-10-17', Statement: statements };
}

/** Refused by the role: the error S3 would answer the function's SDK with. */
export class AccessDeniedError extends Error {
  override readonly name = 'AccessDenied';
  readonly code = 'AccessDenied';
}

export interface RoleCheck {
  principal: Principal;
  /**
   * The role's policy as it applies to a bucket: it follows the bucket's notification
   * configuration, so only its triggers count.
   */
  policy: (bucket: string) => PolicyDocument;
  /** The bucket's policy, which may deny the role too. */
  bucketPolicy: (bucket: string) => PolicyDocument | undefined;
}

/** An `ObjectStore` that asks the role before each call. */
export class AuthorizedObjectStore implements ObjectStore {
  /** The role's policy per bucket, derived once per invocation (one store per invocation). */
  private readonly policies = new Map<string, PolicyDocument>();

  constructor(
    private readonly inner: ObjectStore,
    private readonly role: RoleCheck,
  ) {}

  async headObject(ref: ObjectRef): Promise<ObjectHead | undefined> {
    this.check(ref, ref.versionId ? 's3:GetObjectVersion' : 's3:GetObject');
    return await this.inner.headObject(ref);
  }

  async getObjectBytes(ref: ObjectRef, expected: ExpectedWrite): Promise<Buffer> {
    this.check(ref, ref.versionId ? 's3:GetObjectVersion' : 's3:GetObject');
    return await this.inner.getObjectBytes(ref, expected);
  }

  async getTags(ref: ObjectRef): Promise<Tag[]> {
    this.check(ref, ref.versionId ? 's3:GetObjectVersionTagging' : 's3:GetObjectTagging');
    return await this.inner.getTags(ref);
  }

  async putTags(ref: ObjectRef, tags: Tag[]): Promise<void> {
    this.check(ref, ref.versionId ? 's3:PutObjectVersionTagging' : 's3:PutObjectTagging');
    return await this.inner.putTags(ref, tags);
  }

  private policyFor(bucket: string): PolicyDocument {
    let policy = this.policies.get(bucket);
    if (!policy) {
      policy = this.role.policy(bucket);
      this.policies.set(bucket, policy);
    }
    return policy;
  }

  private check(ref: ObjectRef, action: string): void {
    const resource = `arn:aws:s3:::${ref.bucket}/${ref.key}`;
    const bucketPolicy = this.role.bucketPolicy(ref.bucket);
    const evaluation = evaluate({
      principal: this.role.principal,
      action,
      resource,
      identityPolicies: [this.policyFor(ref.bucket)],
      ...(bucketPolicy ? { resourcePolicy: bucketPolicy } : {}),
      context: ref.versionId ? { 's3:versionid': ref.versionId } : {},
    });
    if (evaluation.decision !== 'Allow') throw new AccessDeniedError(evaluation.message);
  }
}
