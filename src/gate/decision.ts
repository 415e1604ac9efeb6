/**
 * Whether the gate may serve an object, from its tags alone: pure, so every combination is
 * a table row in decision.test.ts.
 */
import type { GateMode } from './types.js';

/** Set to `true` by the moderation pipeline when an image is blocked. */
export const BLOCK_TAG = 'BlockedContent';
/** Set by the pipeline to `clean` (scanned, nothing found) or `failed` (could not be judged). */
export const SCAN_STATUS_TAG = 'ScanStatus';

export type GateDecision =
  /** Serve the object. */
  | 'serve'
  /** Tagged `BlockedContent=true`. */
  | 'blocked'
  /** Tagged `ScanStatus=failed`: could not be judged, so withheld like a blocked object. */
  | 'failed'
  /** Closed mode: not (yet) cleared by the pipeline or a reviewer. */
  | 'pending';

/**
 * `open`: everything but blocked and failed objects. `closed`: only objects neither blocked
 * nor failed whose write the pipeline cleared (`cleared`: judged clean or approved by a
 * reviewer — see the gate route); a `ScanStatus` tag never clears an object by itself, since
 * an uploader can set it. An image that could not be judged is never served, in any mode.
 * Tag keys are case-sensitive as in S3; the `true` of the block tag is read in any case, so a
 * hand-written `TRUE` still blocks.
 *
 * @example
 * gateDecision([], 'open', false) // 'serve'
 * gateDecision([{ Key: 'ScanStatus', Value: 'clean' }], 'closed', false) // 'pending'
 * gateDecision([], 'closed', true) // 'serve'
 */
export function gateDecision(
  tags: readonly { Key: string; Value: string }[],
  mode: GateMode,
  cleared: boolean,
): GateDecision {
  const value = (key: string) => tags.find((t) => t.Key === key)?.Value;
  if (value(BLOCK_TAG)?.toLowerCase() === 'true') return 'blocked';
  if (value(SCAN_STATUS_TAG) === 'failed') return 'failed';
  if (mode === 'open') return 'serve';
  return cleared ? 'serve' : 'pending';
}

export const GATE_PREFIX = '/_vigil/public/';

/**
 * `/_vigil/public/<bucket>/<key>` → its bucket and key, each percent-decoded once (the query
 * string is ignored). Undefined when the path has no key or is not valid percent-encoded UTF-8.
 *
 * @example
 * parsePublicPath('/_vigil/public/uploads/a%20b/c.jpg?x=1') // { bucket: 'uploads', key: 'a b/c.jpg' }
 */
export function parsePublicPath(rawUrl: string): { bucket: string; key: string } | undefined {
  const query = rawUrl.indexOf('?');
  const path = query < 0 ? rawUrl : rawUrl.slice(0, query);
  if (!path.startsWith(GATE_PREFIX)) return undefined;
  const rest = path.slice(GATE_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) return undefined;
  try {
    return {
      bucket: decodeURIComponent(rest.slice(0, slash)),
      key: decodeURIComponent(rest.slice(slash + 1)),
    };
  } catch {
    return undefined;
  }
}
