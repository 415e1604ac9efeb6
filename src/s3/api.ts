import type { IncomingMessage, ServerResponse } from 'node:http';
import { OUT_OF_SPACE_MESSAGE, OutOfSpaceError, StorageError } from '../storage/index.js';
import { sessionTokenMatches } from '../iam/gate.js';
import type { Credential } from '../iam/types.js';
import { RequestAccess, type S3AccessOptions } from './access.js';
import { isSigned, verifySigV4, type VerifiedRequest } from './auth/index.js';
import { resolveAddress } from './addressing.js';
import type { S3Context, S3Dependencies } from './context.js';
import { S3Error } from './errors.js';
import { checkEncryptionHeaders } from './encryption.js';
import { applyCorsHeaders, preflight } from './handlers/cors.js';
import { isPostObjectForm, postObject } from './handlers/post-object.js';
import { permissionsFor } from './permissions.js';
import { routeS3 } from './router.js';
import { parseCopySource } from './copy-source.js';
import { parseTaggingHeader } from './tagging.js';
import { buildXml } from './xml.js';

export interface S3ApiOptions extends S3AccessOptions {
  /** Domains under which `bucket.<domain>` addresses a bucket (virtual-host style). */
  domains: readonly string[];
}

export interface RequestIds {
  requestId: string;
  hostId: string;
}

/** The S3 REST API as one request handler: authenticate, address, route, render errors. */
export function createS3Api(deps: S3Dependencies, options: S3ApiOptions) {
  return async function handleS3(
    req: IncomingMessage,
    res: ServerResponse,
    ids: RequestIds,
  ): Promise<void> {
    let address: { bucket: string | undefined; key: string | undefined } = {
      bucket: undefined,
      key: undefined,
    };
    try {
      const url = req.url ?? '/';
      address = resolveAddress(url, req.headers.host, options.domains);
      // A browser's preflight carries no signature: the bucket's CORS rules answer it.
      if (req.method === 'OPTIONS' && address.bucket !== undefined) {
        preflight(req, res, deps.engine, address.bucket);
        return;
      }
      applyCorsHeaders(req, res, deps.engine, address.bucket);
      // A browser form upload is not signed as a request: its policy fields authenticate it.
      if (isPostObjectForm(req.method, address, req.headers['content-type'])) {
        await postObject({
          req,
          res,
          bucket: address.bucket,
          requestId: ids.requestId,
          hostId: ids.hostId,
          deps,
          gate: options.gate,
          ...(options.proxies ? { proxies: options.proxies } : {}),
        });
        return;
      }
      const authRequest = { method: req.method ?? 'GET', rawUrl: url, headers: req.headers };
      if (!isSigned(authRequest)) {
        throw new S3Error(
          'AccessDenied',
          'Anonymous access is not allowed: sign requests with AWS Signature Version 4.',
        );
      }
      const auth = verifySigV4(authRequest, {
        lookupSecret: (id) => options.gate.credential(id)?.secretAccessKey,
        services: ['s3'],
      });
      const credential = signedCredential(options, auth, req.headers, url);
      const ctx: S3Context = {
        req,
        res,
        method: req.method ?? 'GET',
        bucket: address.bucket,
        key: address.key,
        query: new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : ''),
        requestId: ids.requestId,
        hostId: ids.hostId,
        auth,
        access: new RequestAccess(
          credential.principal,
          options.gate,
          deps.engine,
          req,
          options.proxies,
          auth.presigned ? 'REST-QUERY-STRING' : 'REST-HEADER',
        ),
        sourceIp: req.socket.remoteAddress ?? '',
        deps,
      };
      const operation = routeS3(ctx);
      checkEncryptionHeaders(req.headers);
      for (const check of permissionsFor({
        operation: operation.name,
        bucket: ctx.bucket,
        key: ctx.key,
        query: ctx.query,
        headers: req.headers,
        ...(operation.name === 'CopyObject' || operation.name === 'UploadPartCopy'
          ? { copySource: parseCopySource(ctx) }
          : {}),
        ...(operation.name === 'PutObject'
          ? { requestTags: parseTaggingHeader(header(req, 'x-amz-tagging')) }
          : {}),
      }))
        ctx.access.check(check);
      // Only now, with the request authenticated and routed, invite the client to send its body.
      if (req.headers.expect?.toLowerCase() === '100-continue' && !res.headersSent)
        res.writeContinue();
      await operation.run(ctx);
    } catch (error) {
      const s3Error = toS3Error(error, deps);
      // The client's mistake, not Vigil's: no stack, and below the levels operators watch.
      if (s3Error.status < 500) {
        deps.logger.debug(
          { requestId: ids.requestId, code: s3Error.code, status: s3Error.status },
          'S3 client error',
        );
      }
      sendS3Error(req, res, s3Error, address, ids);
    }
  };
}

/**
 * The credential that signed a verified request. Temporary credentials must come with their
 * session token (header, or `X-Amz-Security-Token` in a presigned URL), and long-term keys
 * without one.
 */
function signedCredential(
  options: S3ApiOptions,
  auth: VerifiedRequest,
  headers: IncomingMessage['headers'],
  url: string,
): Credential {
  const credential = options.gate.credential(auth.accessKeyId);
  if (!credential) throw new S3Error('InvalidAccessKeyId');
  const fromHeader = headers['x-amz-security-token'];
  const presented = auth.presigned
    ? (new URLSearchParams(url.slice(url.indexOf('?') + 1)).get('X-Amz-Security-Token') ??
      undefined)
    : Array.isArray(fromHeader)
      ? fromHeader[0]
      : fromHeader;
  if (!sessionTokenMatches(credential, presented)) throw new S3Error('InvalidToken');
  return credential;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function toS3Error(error: unknown, deps: S3Dependencies): S3Error {
  if (error instanceof S3Error) return error;
  if (error instanceof StorageError) return fromStorageError(error);
  if (deps.engine.space.isOutOfSpace(error)) {
    // Expected while the disk is full, and the engine has said so once: a line, not a stack.
    deps.logger.warn(
      {
        reason:
          error instanceof OutOfSpaceError ? error.reason : (error as { code?: unknown }).code,
      },
      'data directory is out of space: answered 503 ServiceUnavailable',
    );
    // S3 has no "storage full" error: 503 is its transient server-side condition, which SDKs
    // retry with backoff. Space comes back when someone deletes, not in milliseconds, so
    // Retry-After spaces the retries (SDK v3 waits at most its backoff + 5 s for it). ADR 12.
    return new S3Error('ServiceUnavailable', OUT_OF_SPACE_MESSAGE, {}, { 'retry-after': '10' });
  }
  deps.logger.error({ err: error }, 'internal error while handling an S3 request');
  return new S3Error('InternalError');
}

/** S3's error for a storage failure, with the delete-marker headers S3 sends with it. */
function fromStorageError(error: StorageError): S3Error {
  const headers: Record<string, string> = error.deleteMarker
    ? { 'x-amz-delete-marker': 'true', 'x-amz-version-id': error.deleteMarker.versionId }
    : {};
  switch (error.code) {
    case 'InvalidVersionId':
      return new S3Error('InvalidArgument', 'Invalid version id specified', {
        ArgumentName: 'versionId',
        ArgumentValue: error.message,
      });
    case 'MethodNotAllowed':
      return new S3Error(
        'MethodNotAllowed',
        undefined,
        { Method: error.message, ResourceType: 'DeleteMarker' },
        { ...headers, allow: 'DELETE' },
      );
    case 'InvalidObjectState':
    case 'InvalidArgument':
      // The engine's message is S3's for the case (restore of a class that needs none).
      return new S3Error(error.code, error.message, {}, headers);
    default:
      return new S3Error(error.code, undefined, {}, headers);
  }
}

/** Renders an S3 error as S3's XML error document (no body for HEAD, as S3 does). */
export function sendS3Error(
  req: IncomingMessage,
  res: ServerResponse,
  error: S3Error,
  address: { bucket: string | undefined; key: string | undefined },
  ids: RequestIds,
): void {
  if (res.headersSent) {
    // Mid-stream failure: the status is gone; cut the connection so the client sees a short body.
    res.destroy(error);
    return;
  }
  const details: Record<string, string> = { ...error.details };
  if (
    address.bucket !== undefined &&
    ['NoSuchBucket', 'BucketNotEmpty', 'BucketAlreadyOwnedByYou', 'InvalidBucketName'].includes(
      error.code,
    )
  ) {
    details['BucketName'] ??= address.bucket;
  }
  if (address.key !== undefined && error.code === 'NoSuchKey') details['Key'] ??= address.key;
  const body = buildXml(
    'Error',
    {
      Code: error.code,
      Message: error.message,
      ...details,
      Resource: (req.url ?? '/').split('?', 1)[0],
      RequestId: ids.requestId,
      HostId: ids.hostId,
    },
    null,
  );
  const headers: Record<string, string | number> = {
    ...error.headers,
    'content-type': 'application/xml',
  };
  if (req.method === 'HEAD') {
    res.writeHead(error.status, headers);
    res.end();
    return;
  }
  // A request whose body we did not read may leave bytes on the socket: do not reuse it.
  if (!req.complete) headers['connection'] = 'close';
  headers['content-length'] = Buffer.byteLength(body);
  res.writeHead(error.status, headers);
  res.end(body);
}
