import { S3Error } from './errors.js';
import type { S3Context } from './context.js';
import * as buckets from './handlers/buckets.js';
import * as listing from './handlers/listing.js';
import * as objects from './handlers/objects.js';
import * as copy from './handlers/copy.js';
import * as multipart from './handlers/multipart.js';
import * as tagging from './handlers/tagging.js';
import * as acl from './handlers/acl.js';
import * as cors from './handlers/cors.js';
import * as notification from './handlers/notification.js';
import * as restore from './handlers/restore.js';
import * as lifecycle from './handlers/lifecycle.js';
import * as policy from './handlers/policy.js';

export type S3Handler = (ctx: S3Context) => Promise<void> | void;

/** An S3 operation: its name in the S3 API reference (which decides its permission) and its handler. */
export interface S3Operation {
  name: string;
  run: S3Handler;
}

function op(name: string, run: S3Handler): S3Operation {
  return { name, run };
}

/** Bucket sub-resources Vigil knows it does not implement: a clear NotImplemented, not a wrong answer. */
const UNSUPPORTED_SUBRESOURCES = [
  'website',
  'replication',
  'logging',
  'requestPayment',
  'accelerate',
  'analytics',
  'inventory',
  'metrics',
  'ownershipControls',
  'publicAccessBlock',
  'object-lock',
  'intelligent-tiering',
  'legal-hold',
  'retention',
  'select',
  'torrent',
  'attributes',
  'session',
  'metadataTable',
  'renameObject',
];

/** Chooses the S3 operation for a request: by addressing level, method and sub-resource. */
export function routeS3(ctx: S3Context): S3Operation {
  const q = ctx.query;
  const method = ctx.method;
  if (ctx.bucket === undefined) {
    if (method === 'GET') return op('ListBuckets', buckets.listBuckets);
    return op('MethodNotAllowed', notAllowed);
  }
  const unsupported = UNSUPPORTED_SUBRESOURCES.find((name) => q.has(name));
  if (q.has('acl') && !unsupported) {
    if (method === 'GET') return op('GetAcl', acl.getAcl);
    if (method === 'PUT') return op('PutAcl', acl.putAcl);
    return op('MethodNotAllowed', notAllowed);
  }
  if (ctx.key === undefined) {
    if (q.has('versioning') && !unsupported) {
      if (method === 'GET') return op('GetBucketVersioning', buckets.getBucketVersioning);
      if (method === 'PUT') return op('PutBucketVersioning', buckets.putBucketVersioning);
      return op('MethodNotAllowed', notAllowed);
    }
    if (q.has('encryption') && !unsupported) {
      if (method === 'GET') return op('GetBucketEncryption', buckets.getBucketEncryption);
      if (method === 'PUT') return op('PutBucketEncryption', buckets.putBucketEncryption);
      if (method === 'DELETE') return op('DeleteBucketEncryption', buckets.deleteBucketEncryption);
      return op('MethodNotAllowed', notAllowed);
    }
    if (q.has('lifecycle') && !unsupported) {
      if (method === 'GET')
        return op('GetBucketLifecycleConfiguration', lifecycle.getBucketLifecycle);
      if (method === 'PUT')
        return op('PutBucketLifecycleConfiguration', lifecycle.putBucketLifecycle);
      if (method === 'DELETE') return op('DeleteBucketLifecycle', lifecycle.deleteBucketLifecycle);
      return op('MethodNotAllowed', notAllowed);
    }
    if (q.has('policy') && !unsupported) {
      if (method === 'GET') return op('GetBucketPolicy', policy.getBucketPolicy);
      if (method === 'PUT') return op('PutBucketPolicy', policy.putBucketPolicy);
      if (method === 'DELETE') return op('DeleteBucketPolicy', policy.deleteBucketPolicy);
      return op('MethodNotAllowed', notAllowed);
    }
    if (q.has('policyStatus') && !unsupported) {
      if (method === 'GET') return op('GetBucketPolicyStatus', policy.getBucketPolicyStatus);
      return op('MethodNotAllowed', notAllowed);
    }
    if (q.has('cors') && !unsupported) {
      if (method === 'GET') return op('GetBucketCors', cors.getBucketCors);
      if (method === 'PUT') return op('PutBucketCors', cors.putBucketCors);
      if (method === 'DELETE') return op('DeleteBucketCors', cors.deleteBucketCors);
      return op('MethodNotAllowed', notAllowed);
    }
    if (q.has('tagging') && method === 'GET')
      return op('GetBucketTagging', buckets.getBucketTagging);
    // Bucket tags are not stored: PutBucketTagging and DeleteBucketTagging say so by name.
    if (unsupported || q.has('tagging'))
      return op('NotImplemented', notImplemented(unsupported ?? 'bucket tagging'));
    switch (method) {
      case 'PUT':
        return q.has('notification')
          ? op('PutBucketNotificationConfiguration', notification.putNotification)
          : op('CreateBucket', buckets.createBucket);
      case 'HEAD':
        return op('HeadBucket', buckets.headBucket);
      case 'DELETE':
        return op('DeleteBucket', buckets.deleteBucket);
      case 'POST':
        if (q.has('delete')) return op('DeleteObjects', objects.deleteObjects);
        // Form uploads (multipart/form-data) are answered before routing, in api.ts.
        return op('PostBucket', notMultipartForm);
      case 'GET':
        if (q.has('location')) return op('GetBucketLocation', buckets.getBucketLocation);
        if (q.has('notification'))
          return op('GetBucketNotificationConfiguration', notification.getNotification);
        if (q.has('uploads')) return op('ListMultipartUploads', multipart.listMultipartUploads);
        if (q.has('versions')) return op('ListObjectVersions', listing.listObjectVersions);
        if (q.get('list-type') === '2') return op('ListObjectsV2', listing.listObjectsV2);
        return op('ListObjects', listing.listObjectsV1);
      default:
        return op('MethodNotAllowed', notAllowed);
    }
  }
  if (unsupported) return op('NotImplemented', notImplemented(unsupported));
  const copySource = ctx.req.headers['x-amz-copy-source'] !== undefined;
  switch (method) {
    case 'PUT':
      if (q.has('tagging')) return op('PutObjectTagging', tagging.putObjectTagging);
      if (q.has('uploadId'))
        return copySource
          ? op('UploadPartCopy', multipart.uploadPartCopy)
          : op('UploadPart', multipart.uploadPart);
      return copySource ? op('CopyObject', copy.copyObject) : op('PutObject', objects.putObject);
    case 'GET':
      if (q.has('tagging')) return op('GetObjectTagging', tagging.getObjectTagging);
      if (q.has('uploadId')) return op('ListParts', multipart.listParts);
      return op('GetObject', objects.getObject);
    case 'HEAD':
      return op('HeadObject', objects.headObject);
    case 'DELETE':
      if (q.has('tagging')) return op('DeleteObjectTagging', tagging.deleteObjectTagging);
      if (q.has('uploadId')) return op('AbortMultipartUpload', multipart.abortMultipartUpload);
      return op('DeleteObject', objects.deleteObject);
    case 'POST':
      if (q.has('uploads')) return op('CreateMultipartUpload', multipart.createMultipartUpload);
      if (q.has('uploadId'))
        return op('CompleteMultipartUpload', multipart.completeMultipartUpload);
      if (q.has('restore')) return op('RestoreObject', restore.restoreObject);
      return op('MethodNotAllowed', notAllowed);
    default:
      return op('MethodNotAllowed', notAllowed);
  }
}

function notAllowed(ctx: S3Context): never {
  const resourceType =
    ctx.bucket === undefined ? 'SERVICE' : ctx.key === undefined ? 'BUCKET' : 'OBJECT';
  const allow = resourceType === 'SERVICE' ? 'GET' : 'GET, HEAD, PUT, POST, DELETE';
  throw new S3Error(
    'MethodNotAllowed',
    undefined,
    { Method: ctx.method, ResourceType: resourceType },
    { allow },
  );
}

function notMultipartForm(): never {
  throw new S3Error('PreconditionFailed', undefined, {
    Condition: 'Bucket POST must be of the enclosure-type multipart/form-data',
  });
}

function notImplemented(what: string): S3Handler {
  return () => {
    throw new S3Error('NotImplemented', `Vigil does not implement the ${what} feature of S3.`);
  };
}
