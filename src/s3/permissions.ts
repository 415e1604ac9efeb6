/**
 * Which IAM action each S3 operation needs, on which resource, with which S3 condition keys
 * (the S3 "actions, resources and condition keys" reference). Pure: the caller evaluates.
 */
import type { ConditionValues } from '../iam/types.js';
import type { Tag } from '../storage/index.js';

/** One permission an operation needs. */
export interface PermissionCheck {
  action: string;
  bucket: string | undefined;
  /** Set for object-level actions. */
  key?: string;
  context: ConditionValues;
}

/** What of the request decides the actions: the query, the copy source, the tagging header. */
export interface OperationRequest {
  operation: string;
  bucket: string | undefined;
  key: string | undefined;
  query: URLSearchParams;
  /** The parsed `x-amz-copy-source`, for CopyObject and UploadPartCopy. */
  copySource?: { bucket: string; key: string; versionId?: string };
  /** Tags the request sets (`x-amz-tagging`), for PutObject. */
  requestTags?: readonly Tag[];
  headers: Record<string, string | string[] | undefined>;
}

const BUCKET_ACTIONS: Record<string, string> = {
  CreateBucket: 's3:CreateBucket',
  HeadBucket: 's3:ListBucket',
  DeleteBucket: 's3:DeleteBucket',
  GetBucketLocation: 's3:GetBucketLocation',
  ListObjects: 's3:ListBucket',
  ListObjectsV2: 's3:ListBucket',
  ListObjectVersions: 's3:ListBucketVersions',
  ListMultipartUploads: 's3:ListBucketMultipartUploads',
  GetBucketVersioning: 's3:GetBucketVersioning',
  PutBucketVersioning: 's3:PutBucketVersioning',
  GetBucketEncryption: 's3:GetEncryptionConfiguration',
  PutBucketEncryption: 's3:PutEncryptionConfiguration',
  DeleteBucketEncryption: 's3:PutEncryptionConfiguration',
  GetBucketLifecycleConfiguration: 's3:GetLifecycleConfiguration',
  PutBucketLifecycleConfiguration: 's3:PutLifecycleConfiguration',
  DeleteBucketLifecycle: 's3:PutLifecycleConfiguration',
  GetBucketCors: 's3:GetBucketCORS',
  PutBucketCors: 's3:PutBucketCORS',
  DeleteBucketCors: 's3:PutBucketCORS',
  GetBucketTagging: 's3:GetBucketTagging',
  GetBucketNotificationConfiguration: 's3:GetBucketNotification',
  PutBucketNotificationConfiguration: 's3:PutBucketNotification',
  GetBucketPolicy: 's3:GetBucketPolicy',
  PutBucketPolicy: 's3:PutBucketPolicy',
  DeleteBucketPolicy: 's3:DeleteBucketPolicy',
  GetBucketPolicyStatus: 's3:GetBucketPolicyStatus',
  GetBucketAcl: 's3:GetBucketAcl',
  PutBucketAcl: 's3:PutBucketAcl',
};

/** Object actions, and their `…Version…` form used when the request names a version. */
const OBJECT_ACTIONS: Record<string, [current: string, version: string]> = {
  GetObject: ['s3:GetObject', 's3:GetObjectVersion'],
  HeadObject: ['s3:GetObject', 's3:GetObjectVersion'],
  PutObject: ['s3:PutObject', 's3:PutObject'],
  CopyObject: ['s3:PutObject', 's3:PutObject'],
  CreateMultipartUpload: ['s3:PutObject', 's3:PutObject'],
  UploadPart: ['s3:PutObject', 's3:PutObject'],
  UploadPartCopy: ['s3:PutObject', 's3:PutObject'],
  CompleteMultipartUpload: ['s3:PutObject', 's3:PutObject'],
  AbortMultipartUpload: ['s3:AbortMultipartUpload', 's3:AbortMultipartUpload'],
  ListParts: ['s3:ListMultipartUploadParts', 's3:ListMultipartUploadParts'],
  GetObjectTagging: ['s3:GetObjectTagging', 's3:GetObjectVersionTagging'],
  PutObjectTagging: ['s3:PutObjectTagging', 's3:PutObjectVersionTagging'],
  DeleteObjectTagging: ['s3:DeleteObjectTagging', 's3:DeleteObjectVersionTagging'],
  DeleteObject: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
  RestoreObject: ['s3:RestoreObject', 's3:RestoreObject'],
  GetObjectAcl: ['s3:GetObjectAcl', 's3:GetObjectVersionAcl'],
  PutObjectAcl: ['s3:PutObjectAcl', 's3:PutObjectVersionAcl'],
};

/**
 * Operations whose permission the handler checks itself, once it has read what decides it:
 * DeleteObjects checks `s3:DeleteObject` per key; PutObjectTagging needs the tags of its body
 * for `s3:RequestObjectTag` conditions. Answers without effect (405, 501) need none.
 */
export const CHECKED_BY_HANDLER: ReadonlySet<string> = new Set([
  'DeleteObjects',
  'PutObjectTagging',
  'MethodNotAllowed',
  'NotImplemented',
  'PostBucket',
]);

/** The S3 ARN of a bucket or an object (keys are not encoded in ARNs). */
export function s3Arn(bucket: string | undefined, key?: string): string {
  if (bucket === undefined) return '*';
  return key === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
}

/** The permissions an operation needs, before its handler runs. */
export function permissionsFor(request: OperationRequest): PermissionCheck[] {
  const { operation, bucket, key, query } = request;
  if (CHECKED_BY_HANDLER.has(operation)) return [];
  if (operation === 'ListBuckets')
    return [{ action: 's3:ListAllMyBuckets', bucket: undefined, context: {} }];
  const aclOperation =
    operation === 'GetAcl' || operation === 'PutAcl'
      ? `${operation.slice(0, 3)}${key === undefined ? 'Bucket' : 'Object'}Acl`
      : operation;
  const bucketAction = BUCKET_ACTIONS[aclOperation];
  if (bucketAction) return [{ action: bucketAction, bucket, context: bucketContext(request) }];
  const actions = OBJECT_ACTIONS[aclOperation];
  if (!actions || key === undefined) throw new Error(`no permission known for S3 ${operation}`);
  const versionId = query.get('versionId') ?? undefined;
  const checks: PermissionCheck[] = [
    {
      action: versionId !== undefined ? actions[1] : actions[0],
      bucket,
      key,
      context: objectContext(request, versionId),
    },
  ];
  if (operation === 'PutObject' && request.requestTags?.length)
    checks.push({
      action: 's3:PutObjectTagging',
      bucket,
      key,
      context: requestTagContext(request.requestTags),
    });
  if (request.copySource) {
    const source = request.copySource;
    checks.push({
      action: source.versionId !== undefined ? 's3:GetObjectVersion' : 's3:GetObject',
      bucket: source.bucket,
      key: source.key,
      context: source.versionId !== undefined ? { 's3:versionid': source.versionId } : {},
    });
  }
  return checks;
}

/** `s3:RequestObjectTag/<key>` for each tag and `s3:RequestObjectTagKeys` (multivalued). */
export function requestTagContext(tags: readonly Tag[]): ConditionValues {
  const context: Record<string, string | string[]> = {
    's3:RequestObjectTagKeys': tags.map((tag) => tag.Key),
  };
  for (const tag of tags) context[`s3:RequestObjectTag/${tag.Key}`] = tag.Value;
  return context;
}

/** `s3:ExistingObjectTag/<key>` for each tag the object has now. */
export function existingTagContext(tags: readonly Tag[]): ConditionValues {
  const context: Record<string, string> = {};
  for (const tag of tags) context[`s3:ExistingObjectTag/${tag.Key}`] = tag.Value;
  return context;
}

function bucketContext(request: OperationRequest): ConditionValues {
  const q = request.query;
  if (request.operation.startsWith('ListObject'))
    return {
      's3:prefix': q.get('prefix') ?? undefined,
      's3:delimiter': q.get('delimiter') ?? undefined,
      's3:max-keys': q.get('max-keys') ?? undefined,
    };
  return {};
}

function objectContext(request: OperationRequest, versionId: string | undefined): ConditionValues {
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(',') : value;
  };
  return {
    ...(versionId !== undefined ? { 's3:versionid': versionId } : {}),
    ...(request.requestTags ? requestTagContext(request.requestTags) : {}),
    's3:x-amz-server-side-encryption': header('x-amz-server-side-encryption'),
    's3:x-amz-storage-class': header('x-amz-storage-class'),
    's3:x-amz-metadata-directive': header('x-amz-metadata-directive'),
    's3:x-amz-copy-source': header('x-amz-copy-source'),
    's3:x-amz-content-sha256': header('x-amz-content-sha256'),
  };
}
