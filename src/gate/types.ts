/** The app-facing gate's configuration. */
import type { Logger } from 'pino';
import type { StorageEngine } from '../storage/index.js';

/**
 * `open`: serve unless blocked or failed. `closed`: serve only what the moderation pipeline
 * judged clean, or a reviewer approved (read from the tracking records, not from tags: an
 * uploader can set any tag, including `ScanStatus=clean`, at upload).
 */
export type GateMode = 'open' | 'closed';

export interface GateBucket {
  /**
   * When not set: `closed` while the bucket's notification configuration sends its uploads
   * to the moderation function (see `GateOptions.moderated`), `open` otherwise.
   */
  mode?: GateMode;
  /** Answer to a blocked or failed object: 451, or 404 to hide that it exists. */
  blockedStatus: 451 | 404;
  /**
   * `Cache-Control` of served objects, whatever the uploader set: a cache must come back
   * before reusing a copy, or blocking an object would not withdraw it. Default `no-cache`
   * (revalidation is cheap: `If-None-Match` answers 304).
   */
  cacheControl?: string;
}

/**
 * Whether the pipeline cleared one write of an object (bucket, key, and the write's
 * sequencer, as its tracking record is keyed): judged clean, or approved by a reviewer. What
 * closed mode asks before serving. The same bytes uploaded again are a new write, withheld
 * until judged in their turn.
 */
export type ClearedCheck = (write: {
  bucket: string;
  key: string;
  writeId: string;
}) => Promise<boolean>;

export interface GateOptions {
  engine: StorageEngine;
  /** Needed when a bucket is in closed mode, or may be (its mode not set). */
  cleared?: ClearedCheck;
  /**
   * Whether the moderation pipeline watches a bucket now: decides the mode of buckets whose
   * mode is not set. Without it, they are open.
   */
  moderated?: (bucket: string) => boolean;
  /** Buckets served through the gate, by name; any other bucket is 404. */
  buckets: Readonly<Record<string, GateBucket>>;
  logger: Logger;
}
