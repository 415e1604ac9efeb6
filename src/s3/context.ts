import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { NotificationDestinations } from '../events/index.js';
import type { MultipartUploads, StorageEngine } from '../storage/index.js';
import { createPayloadDecoder, type VerifiedRequest } from './auth/index.js';
import type { StoredChecksum } from '../storage/index.js';
import type { RequestAccess } from './access.js';
import { S3Error } from './errors.js';
import { buildXml, type XmlNode } from './xml.js';

/** What the S3 API needs from the rest of Vigil. */
export interface S3Dependencies {
  engine: StorageEngine;
  multipart: MultipartUploads;
  region: string;
  /** The account id in ARNs Vigil prints (bucket owner, destinations). */
  accountId: string;
  logger: Logger;
  /** Which IAM users and roles exist (ARNs), for the principals of bucket policies. */
  principals?: { exists(arn: string): boolean };
  /** Checks and greets notification destinations; absent means no destination exists. */
  notifications?: NotificationDestinations;
}

/** One S3 request, addressed and authenticated. */
export interface S3Context {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  bucket: string | undefined;
  key: string | undefined;
  query: URLSearchParams;
  requestId: string;
  hostId: string;
  auth: VerifiedRequest;
  /** Who signed the request, and the checks of what it may do. */
  access: RequestAccess;
  sourceIp: string;
  deps: S3Dependencies;
}

/** The context every storage change carries into change hooks (and, later, S3 events). */
export function changeContext(ctx: S3Context): Record<string, unknown> {
  return {
    requestId: ctx.requestId,
    hostId: ctx.hostId,
    // As S3 names the requester in events: `AWS:<user id>` for IAM users and role
    // sessions; root keeps its access key id, as Vigil always wrote it.
    principalId:
      ctx.access.principal.kind === 'root'
        ? ctx.auth.accessKeyId
        : `AWS:${ctx.access.principal.userId}`,
    sourceIp: ctx.sourceIp,
    region: ctx.deps.region,
    // Set by AWS SDKs inside Lambda-style functions: the causal chain of this write.
    traceHeader: header(ctx, 'x-amzn-trace-id'),
  };
}

export function requireBucket(ctx: S3Context): string {
  if (ctx.bucket === undefined) throw new S3Error('MethodNotAllowed');
  return ctx.bucket;
}

export function requireKey(ctx: S3Context): string {
  if (ctx.key === undefined) throw new S3Error('MethodNotAllowed');
  return ctx.key;
}

export function header(ctx: S3Context, name: string): string | undefined {
  const value = ctx.req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export function sendXml(
  ctx: S3Context,
  status: number,
  root: string,
  content: XmlNode,
  headers: Record<string, string> = {},
): void {
  const body = buildXml(root, content);
  ctx.res.writeHead(status, {
    ...headers,
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
  });
  ctx.res.end(body);
}

export function sendEmpty(
  ctx: S3Context,
  status: number,
  headers: Record<string, string> = {},
): void {
  ctx.res.writeHead(status, { ...headers, 'content-length': '0' });
  ctx.res.end();
}

/**
 * The request body as the object's bytes: aws-chunked framing removed, signatures and
 * checksums verified as the bytes pass (a failure errors the stream before it ends).
 */
export function payload(ctx: S3Context): Readable & { integrity: { checksum?: StoredChecksum } } {
  const decoder = createPayloadDecoder(ctx.auth, ctx.req.headers);
  ctx.req.on('error', (error) => decoder.destroy(error));
  ctx.req.pipe(decoder);
  return decoder;
}

/** Reads a small request body (XML documents) fully, verified like any payload. */
export async function readSmallBody(ctx: S3Context, limit = 2 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of payload(ctx)) {
    size += (chunk as Buffer).length;
    if (size > limit)
      throw new S3Error(
        'MalformedXML',
        'The XML you provided was larger than the maximum allowed size.',
      );
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
