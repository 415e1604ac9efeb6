export interface ConditionalHeaders {
  ifMatch?: string | undefined;
  ifNoneMatch?: string | undefined;
  ifModifiedSince?: string | undefined;
  ifUnmodifiedSince?: string | undefined;
}

export type ConditionOutcome = 'proceed' | 'not-modified' | 'precondition-failed';

/**
 * Evaluates conditional-request headers for GET/HEAD (and, with the copy-source headers,
 * for CopyObject / UploadPartCopy) in the order RFC 9110 §13.2.2 and S3 use:
 * If-Match, else If-Unmodified-Since; then If-None-Match, else If-Modified-Since.
 * S3 compares times at one-second resolution, as HTTP dates carry.
 */
export function evaluateConditions(
  headers: ConditionalHeaders,
  etag: string,
  lastModified: Date,
  method: 'read' | 'copy' = 'read',
): ConditionOutcome {
  const modifiedSeconds = Math.floor(lastModified.getTime() / 1000);
  if (headers.ifMatch !== undefined) {
    if (!etagListMatches(headers.ifMatch, etag)) return 'precondition-failed';
  } else if (headers.ifUnmodifiedSince !== undefined) {
    const since = parseHttpDate(headers.ifUnmodifiedSince);
    if (since !== undefined && modifiedSeconds > since) return 'precondition-failed';
  }
  const notModified = method === 'read' ? 'not-modified' : 'precondition-failed';
  if (headers.ifNoneMatch !== undefined) {
    if (etagListMatches(headers.ifNoneMatch, etag)) return notModified;
  } else if (headers.ifModifiedSince !== undefined) {
    const since = parseHttpDate(headers.ifModifiedSince);
    if (since !== undefined && modifiedSeconds <= since) return notModified;
  }
  return 'proceed';
}

function etagListMatches(list: string, etag: string): boolean {
  return list
    .split(',')
    .map((t) => t.trim().replace(/^W\//, '').replace(/^"|"$/g, ''))
    .some((t) => t === '*' || t === etag);
}

function parseHttpDate(value: string): number | undefined {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}
