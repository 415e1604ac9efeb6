/**
 * RestoreObject (`POST /{key}?restore`): a temporary readable copy of an archived version.
 *
 * Wire facts (S3 API reference, RestoreObject and RestoreRequest; botocore's s3 model): the
 * body is a `RestoreRequest` with `Days` and `GlacierJobParameters/Tier` (Expedited,
 * Standard — the default — or Bulk); a started restore answers 202 Accepted, a request for a
 * version whose copy is already restored answers 200 OK and moves the copy's expiry; a
 * restore under way is 409 RestoreAlreadyInProgress; a class that needs no restore is 403
 * InvalidObjectState "Restore is not allowed for the object's current storage class".
 * `Type: SELECT` (S3 Select on archives, closed to new customers) and `OutputLocation` are
 * answered NotImplemented.
 */
import {
  changeContext,
  readSmallBody,
  requireBucket,
  requireKey,
  sendEmpty,
  type S3Context,
} from '../context.js';
import { S3Error, invalidArgument } from '../errors.js';
import { versionIdParam } from '../versioning.js';
import { children, parseXmlBody, text } from '../xml.js';
import type { RestoreTier } from '../../storage/index.js';

const TIERS: ReadonlySet<string> = new Set(['Expedited', 'Standard', 'Bulk']);

export async function restoreObject(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  const request = parseRestoreRequest(await readSmallBody(ctx));
  const outcome = await ctx.deps.engine.archived.restoreObject(
    bucket,
    key,
    versionIdParam(ctx),
    request,
    changeContext(ctx),
  );
  sendEmpty(ctx, outcome === 'started' ? 202 : 200);
}

/**
 * Reads a `RestoreRequest` body.
 *
 * @throws S3Error `MalformedXML` (no body, no or a non-numeric `Days`, an unknown tier),
 *   `InvalidArgument` (`Days` below 1), `NotImplemented` (SELECT, an output location).
 */
export function parseRestoreRequest(body: string): { days: number; tier: RestoreTier } {
  const root = parseXmlBody(body, 'RestoreRequest');
  if (root['Type'] !== undefined || root['SelectParameters'] !== undefined)
    throw new S3Error(
      'NotImplemented',
      'Vigil does not implement S3 Select restores (Type SELECT).',
    );
  if (root['OutputLocation'] !== undefined)
    throw new S3Error('NotImplemented', 'Vigil does not implement a restore OutputLocation.');
  const days = text(root, 'Days')?.trim();
  if (days === undefined || !/^-?\d+$/.test(days)) throw new S3Error('MalformedXML');
  if (Number(days) < 1) throw invalidArgument('Days must be at least 1', 'Days', days);
  const job = children(root, 'GlacierJobParameters')[0];
  const tier = (job && text(job, 'Tier')?.trim()) ?? text(root, 'Tier')?.trim() ?? 'Standard';
  if (!TIERS.has(tier)) throw new S3Error('MalformedXML');
  return { days: Number(days), tier: tier as RestoreTier };
}
