/** The app-facing gate's configuration. */
import type { Logger } from 'pino';
import type { StorageEngine } from '../storage/index.js';

/** `open`: serve unless blocked. `closed`: serve only what was scanned clean. */
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

export interface GateOptions {
  engine: StorageEngine;
  /** Buckets served through the gate, by name; any other bucket is 404. */
  buckets: Readonly<Record<string, GateBucket>>;
  logger: Logger;
}
