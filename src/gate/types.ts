/** The app-facing gate's configuration. */
import type { Logger } from 'pino';
import type { StorageEngine } from '../storage/index.js';

/**
 * `open`: serve unless blocked. `closed`: serve only what the moderation pipeline judged
 * clean, or a reviewer approved (read from the tracking records, not from tags: an uploader
 * can set any tag, including `ScanStatus=clean`, at upload).
 */
export type GateMode = 'open' | 'closed';

export interface GateBucket {
  mode: GateMode;
  /** Answer to a blocked (or, closed mode, failed) object: 451, or 404 to hide that it exists. */
  blockedStatus: 451 | 404;
  /**
   * `Cache-Control` of served objects, whatever the uploader set: a cache must come back
   * before reusing a copy, or blocking an object would not withdraw it. Default `no-cache`
   * (revalidation is cheap: `If-None-Match` answers 304).
   */
  cacheControl?: string;
}

/**
 * Whether the pipeline cleared one object version (bucket, key, ETag without quotes): judged
 * clean, or approved by a reviewer. What closed mode asks before serving.
 */
export type ClearedCheck = (version: {
  bucket: string;
  key: string;
  etag: string;
}) => Promise<boolean>;

export interface GateOptions {
  engine: StorageEngine;
  /** Needed when a bucket is in closed mode. */
  cleared?: ClearedCheck;
  /** Buckets served through the gate, by name; any other bucket is 404. */
  buckets: Readonly<Record<string, GateBucket>>;
  logger: Logger;
}
