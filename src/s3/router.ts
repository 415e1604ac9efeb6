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

export type S3Handler = (ctx: S3Context) => Promise<void> | void;

/** Bucket sub-resources Vigil knows it does not implement: a clear NotImplemented, not a wrong answer. */
const UNSUPPORTED_SUBRESOURCES = [
  'policy',
  'policyStatus',
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
export function routeS3(ctx: S3Context): S3Handler {
  const q = ctx.query;
  const method = ctx.method;
  if (ctx.bucket === undefined) {
    if (method === 'GET') return buckets.listBuckets;
    return notAllowed;
  }
  const unsupported = UNSUPPORTED_SUBRESOURCES.find((name) => q.has(name));
  if (q.has('acl') && !unsupported) {
    if (method === 'GET') return acl.getAcl;
    if (method === 'PUT') return acl.putAcl;
    return notAllowed;
  }
  if (ctx.key === undefined) {
    if (q.has('versioning') && !unsupported) {
      if (method === 'GET') return buckets.getBucketVersioning;
      if (method === 'PUT') return buckets.putBucketVersioning;
      return notAllowed;
    }
    if (q.has('encryption') && !unsupported) {
      if (method === 'GET') return buckets.getBucketEncryption;
      if (method === 'PUT') return buckets.putBucketEncryption;
      if (method === 'DELETE') return buckets.deleteBucketEncryption;
      return notAllowed;
    }
    if (q.has('lifecycle') && !unsupported) {
      if (method === 'GET') return lifecycle.getBucketLifecycle;
      if (method === 'PUT') return lifecycle.putBucketLifecycle;
      if (method === 'DELETE') return lifecycle.deleteBucketLifecycle;
      return notAllowed;
    }
    if (q.has('cors') && !unsupported) {
      if (method === 'GET') return cors.getBucketCors;
      if (method === 'PUT') return cors.putBucketCors;
      if (method === 'DELETE') return cors.deleteBucketCors;
      return notAllowed;
    }
    if (q.has('tagging') && method === 'GET') return buckets.getBucketTagging;
    // Bucket tags are not stored: PutBucketTagging and DeleteBucketTagging say so by name.
    if (unsupported || q.has('tagging')) return notImplemented(unsupported ?? 'bucket tagging');
    switch (method) {
      case 'PUT':
        return q.has('notification') ? notification.putNotification : buckets.createBucket;
      case 'HEAD':
        return buckets.headBucket;
      case 'DELETE':
        return buckets.deleteBucket;
      case 'POST':
        if (q.has('delete')) return objects.deleteObjects;
        // Form uploads (multipart/form-data) are answered before routing, in api.ts.
        return notMultipartForm;
      case 'GET':
        if (q.has('location')) return buckets.getBucketLocation;
        if (q.has('notification')) return notification.getNotification;
        if (q.has('uploads')) return multipart.listMultipartUploads;
        if (q.has('versions')) return listing.listObjectVersions;
        if (q.get('list-type') === '2') return listing.listObjectsV2;
        return listing.listObjectsV1;
      default:
        return notAllowed;
    }
  }
  if (unsupported) return notImplemented(unsupported);
  const copySource = ctx.req.headers['x-amz-copy-source'] !== undefined;
  switch (method) {
    case 'PUT':
      if (q.has('tagging')) return tagging.putObjectTagging;
      if (q.has('uploadId')) return copySource ? multipart.uploadPartCopy : multipart.uploadPart;
      return copySource ? copy.copyObject : objects.putObject;
    case 'GET':
      if (q.has('tagging')) return tagging.getObjectTagging;
      if (q.has('uploadId')) return multipart.listParts;
      return objects.getObject;
    case 'HEAD':
      return objects.headObject;
    case 'DELETE':
      if (q.has('tagging')) return tagging.deleteObjectTagging;
      if (q.has('uploadId')) return multipart.abortMultipartUpload;
      return objects.deleteObject;
    case 'POST':
      if (q.has('uploads')) return multipart.createMultipartUpload;
      if (q.has('uploadId')) return multipart.completeMultipartUpload;
      if (q.has('restore')) return restore.restoreObject;
      return notAllowed;
    default:
      return notAllowed;
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
