import { S3Error, invalidArgument } from './errors.js';
import { evaluateConditions } from './conditions.js';
import { header, type S3Context } from './context.js';
import type { ObjectRecord } from '../storage/index.js';

export interface CopySource {
  bucket: string;
  key: string;
  /** `?versionId=` of the source, when named. */
  versionId?: string;
}

/** Parses `x-amz-copy-source`: `[/]bucket/key[?versionId=…]`, key URL-encoded. */
export function parseCopySource(ctx: S3Context): CopySource {
  const raw = header(ctx, 'x-amz-copy-source') ?? '';
  const [path = '', query] = raw.split('?', 2);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.replace(/^\//, ''));
  } catch {
    throw invalidArgument('Invalid copy source encoding', 'x-amz-copy-source', raw);
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) {
    throw invalidArgument('Invalid copy source object key', 'x-amz-copy-source', raw);
  }
  const versionId = query === undefined ? null : new URLSearchParams(query).get('versionId');
  return {
    bucket: decoded.slice(0, slash),
    key: decoded.slice(slash + 1),
    ...(versionId !== null ? { versionId } : {}),
  };
}

/** Applies the `x-amz-copy-source-if-*` conditions: any failure is 412 PreconditionFailed. */
export function checkCopySourceConditions(ctx: S3Context, source: ObjectRecord): void {
  const outcome = evaluateConditions(
    {
      ifMatch: header(ctx, 'x-amz-copy-source-if-match'),
      ifNoneMatch: header(ctx, 'x-amz-copy-source-if-none-match'),
      ifModifiedSince: header(ctx, 'x-amz-copy-source-if-modified-since'),
      ifUnmodifiedSince: header(ctx, 'x-amz-copy-source-if-unmodified-since'),
    },
    source.etag,
    source.lastModified,
    'copy',
  );
  if (outcome !== 'proceed')
    throw new S3Error('PreconditionFailed', undefined, { Condition: 'x-amz-copy-source-If-*' });
}
