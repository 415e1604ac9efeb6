/**
 * Merging the pipeline's tags into an object's tag set without wiping the owner's tags.
 * Pure: no I/O.
 */
import type { Tag } from './ports.js';

/** S3 allows at most 10 tags per object. */
export const MAX_OBJECT_TAGS = 10;

export const BLOCKED_TAG = 'BlockedContent';
export const SCAN_STATUS_TAG = 'ScanStatus';

export interface WantedTag extends Tag {
  /**
   * A required tag gets a place even in a full set (it is what keeps a blocked object from
   * being served); an optional one is left out when there is no room.
   */
  required: boolean;
}

export interface TagMerge {
  tags: Tag[];
  /** False when the set already held every wanted tag with its value: nothing to write. */
  changed: boolean;
  /** Tags removed to make room for a required one. */
  evicted: Tag[];
  /** Optional tags left out for want of room. */
  dropped: Tag[];
}

/**
 * Sets each wanted tag in `existing`: in place when the key is there, appended otherwise.
 * When the set is full, a required tag takes the place of the pipeline's own `ScanStatus`
 * if present, else of the owner's last tag, which is reported in `evicted` so a reviewer can
 * put it back; an optional tag is reported in `dropped` instead.
 *
 * @example
 * mergeTags([{ Key: 'owner', Value: 'ann' }],
 *   [{ Key: 'BlockedContent', Value: 'true', required: true }]).tags
 * // [{ Key: 'owner', Value: 'ann' }, { Key: 'BlockedContent', Value: 'true' }]
 */
export function mergeTags(
  existing: readonly Tag[],
  wanted: readonly WantedTag[],
  limit = MAX_OBJECT_TAGS,
): TagMerge {
  const tags = existing.map(({ Key, Value }) => ({ Key, Value }));
  const merge: TagMerge = { tags, changed: false, evicted: [], dropped: [] };
  const ordered = [...wanted.filter((w) => w.required), ...wanted.filter((w) => !w.required)];
  const protectedKeys = new Set(ordered.filter((w) => w.required).map((w) => w.Key));
  for (const { Key, Value, required } of ordered) {
    const present = tags.find((t) => t.Key === Key);
    if (present) {
      if (present.Value !== Value) {
        present.Value = Value;
        merge.changed = true;
      }
      continue;
    }
    if (tags.length >= limit) {
      if (!required) {
        merge.dropped.push({ Key, Value });
        continue;
      }
      const victim = evictionIndex(tags, protectedKeys);
      if (victim === undefined) {
        merge.dropped.push({ Key, Value });
        continue;
      }
      merge.evicted.push(...tags.splice(victim, 1));
    }
    tags.push({ Key, Value });
    merge.changed = true;
  }
  return merge;
}

function evictionIndex(
  tags: readonly Tag[],
  protectedKeys: ReadonlySet<string>,
): number | undefined {
  const own = tags.findIndex((t) => t.Key === SCAN_STATUS_TAG && !protectedKeys.has(t.Key));
  if (own >= 0) return own;
  for (let i = tags.length - 1; i >= 0; i--) if (!protectedKeys.has(tags[i]!.Key)) return i;
  return undefined;
}

/**
 * The tags a decision puts on the object. `BlockedContent=true` is required; `ScanStatus` is
 * written for failed objects always and for the others only with `cleanTag`, so that, when
 * on, the pipeline owns the key and an uploader's own `ScanStatus` cannot pass for a scan.
 */
export function decisionTags(
  decision: 'blocked' | 'review' | 'clean' | 'failed',
  cleanTag: boolean,
): WantedTag[] {
  const status = (Value: string): WantedTag => ({ Key: SCAN_STATUS_TAG, Value, required: false });
  switch (decision) {
    case 'blocked':
      return [
        { Key: BLOCKED_TAG, Value: 'true', required: true },
        ...(cleanTag ? [status('blocked')] : []),
      ];
    case 'failed':
      return [status('failed')];
    case 'review':
    case 'clean':
      return cleanTag ? [status(decision)] : [];
  }
}
