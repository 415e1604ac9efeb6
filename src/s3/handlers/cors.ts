/**
 * Bucket CORS: PutBucketCors / GetBucketCors / DeleteBucketCors, the preflight (OPTIONS,
 * answered without a signature, as S3 answers browsers), and the headers an actual
 * cross-origin request gets (see src/s3/cors.ts for the rules).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  corsConfigurationXml,
  corsHeaders,
  matchCorsRule,
  parseCorsConfiguration,
  requestedHeaderNames,
  type CorsRule,
} from '../cors.js';
import { readSmallBody, requireBucket, sendEmpty, sendXml, type S3Context } from '../context.js';
import { S3Error } from '../errors.js';
import { parseXmlBody } from '../xml.js';
import type { StorageEngine } from '../../storage/index.js';

export async function putBucketCors(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  ctx.deps.engine.requireBucket(bucket);
  const rules = parseCorsConfiguration(parseXmlBody(await readSmallBody(ctx), 'CORSConfiguration'));
  ctx.deps.engine.putCorsConfiguration(bucket, JSON.stringify(rules));
  sendEmpty(ctx, 200);
}

export function getBucketCors(ctx: S3Context): void {
  const bucket = requireBucket(ctx);
  const rules = corsRulesOf(ctx.deps.engine, bucket);
  if (!rules) throw new S3Error('NoSuchCORSConfiguration', undefined, { BucketName: bucket });
  sendXml(ctx, 200, 'CORSConfiguration', corsConfigurationXml(rules));
}

export function deleteBucketCors(ctx: S3Context): void {
  ctx.deps.engine.putCorsConfiguration(requireBucket(ctx), undefined);
  sendEmpty(ctx, 204);
}

/** A bucket's CORS rules; undefined when it has none (or does not exist, for `quiet`). */
export function corsRulesOf(
  engine: Pick<StorageEngine, 'getCorsConfiguration' | 'getBucket'>,
  bucket: string,
  quiet = false,
): CorsRule[] | undefined {
  if (quiet && !engine.getBucket(bucket)) return undefined;
  const json = engine.getCorsConfiguration(bucket);
  return json === undefined ? undefined : (JSON.parse(json) as CorsRule[]);
}

/**
 * OPTIONS on a bucket or object: 200 with the matching rule's headers, or S3's 400 / 403.
 *
 * @throws S3Error `BadRequest` (no Origin, no Access-Control-Request-Method),
 *   `AccessForbidden` (no CORS configuration, or no rule allows the request), `NoSuchBucket`.
 */
export function preflight(
  req: IncomingMessage,
  res: ServerResponse,
  engine: Pick<StorageEngine, 'getCorsConfiguration' | 'getBucket'>,
  bucket: string,
): void {
  const origin = req.headers.origin;
  if (origin === undefined) throw new S3Error('BadRequest');
  const method = req.headers['access-control-request-method'];
  if (typeof method !== 'string')
    throw new S3Error('BadRequest', `Invalid Access-Control-Request-Method: ${method ?? 'null'}`);
  if (!engine.getBucket(bucket)) throw new S3Error('NoSuchBucket');
  const rules = corsRulesOf(engine, bucket);
  if (!rules) throw new S3Error('AccessForbidden');
  const headers = requestedHeaderNames(req.headers['access-control-request-headers']);
  const rule = matchCorsRule(rules, origin, method, headers);
  if (!rule)
    throw new S3Error(
      'AccessForbidden',
      "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
    );
  res.writeHead(200, { ...corsHeaders(rule, origin, headers), 'content-length': '0' });
  res.end();
}

/**
 * Sets the `Access-Control-*` headers of an actual request from a browser (one with an
 * Origin) that a rule of its bucket allows, before it is answered — errors included, so
 * the page can read them.
 */
export function applyCorsHeaders(
  req: IncomingMessage,
  res: ServerResponse,
  engine: Pick<StorageEngine, 'getCorsConfiguration' | 'getBucket'>,
  bucket: string | undefined,
): void {
  const origin = req.headers.origin;
  if (origin === undefined || bucket === undefined) return;
  const rules = corsRulesOf(engine, bucket, true);
  const rule = rules && matchCorsRule(rules, origin, req.method ?? 'GET');
  if (!rule) return;
  for (const [name, value] of Object.entries(corsHeaders(rule, origin))) res.setHeader(name, value);
}
