/**
 * S3's archive contract, as pure functions: which storage classes must be restored before a
 * read, how long a restore takes, when the restored copy expires, and the `x-amz-restore`
 * header that reports it.
 *
 * Facts (S3 API reference, RestoreObject and HeadObject; S3 user guide "Restoring an
 * archived object"): GLACIER (Flexible Retrieval) and DEEP_ARCHIVE need a restore, GLACIER_IR
 * and the other classes read at once; the copy lives `Days` days counted from the restore's
 * completion and "rounded to the next day at midnight UTC"; HEAD reports
 * `ongoing-request="true"` while the restore runs and
 * `ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"` after.
 */
import type { ObjectRecord, RestoreTier, StorageClass } from './types.js';

export const DAY_MS = 86_400_000;

/** Classes whose objects must be restored before GetObject or a copy can read them. */
const ARCHIVE_CLASSES: ReadonlySet<StorageClass> = new Set(['GLACIER', 'DEEP_ARCHIVE']);

export const STORAGE_CLASSES: readonly StorageClass[] = [
  'STANDARD',
  'REDUCED_REDUNDANCY',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER_IR',
  'GLACIER',
  'DEEP_ARCHIVE',
];

/**
 * How long a restore takes here, per archive class and tier. S3 takes minutes to hours
 * (Expedited 1-5 min, Standard 3-5 h, Bulk 5-12 h for GLACIER; 12 h and 48 h for
 * DEEP_ARCHIVE, which has no Expedited tier); the bytes are on this disk, so the only reason
 * to wait at all is that applications must see a restore in progress before it completes.
 */
export interface RestoreDelays {
  GLACIER: Record<RestoreTier, number>;
  DEEP_ARCHIVE: Record<Exclude<RestoreTier, 'Expedited'>, number>;
}

export interface ArchiveSettings {
  /** Milliseconds per restore, by class and tier. */
  restoreDelayMs: RestoreDelays;
  /**
   * The length of a "day" in restore expiry and lifecycle rules (ms). 86,400,000 in use;
   * tests and demos shorten it so days pass in seconds.
   */
  dayMs: number;
}

export const DEFAULT_ARCHIVE_SETTINGS: ArchiveSettings = {
  restoreDelayMs: {
    GLACIER: { Expedited: 1_000, Standard: 60_000, Bulk: 300_000 },
    DEEP_ARCHIVE: { Standard: 120_000, Bulk: 600_000 },
  },
  dayMs: DAY_MS,
};

/**
 * Milliseconds a restore of `storageClass` at `tier` takes, or undefined when the class has
 * no such tier (DEEP_ARCHIVE has no Expedited).
 */
export function restoreDelay(
  settings: ArchiveSettings,
  storageClass: 'GLACIER' | 'DEEP_ARCHIVE',
  tier: RestoreTier,
): number | undefined {
  if (storageClass === 'GLACIER') return settings.restoreDelayMs.GLACIER[tier];
  return tier === 'Expedited' ? undefined : settings.restoreDelayMs.DEEP_ARCHIVE[tier];
}

export function isArchiveClass(
  storageClass: StorageClass | undefined,
): storageClass is 'GLACIER' | 'DEEP_ARCHIVE' {
  return storageClass !== undefined && ARCHIVE_CLASSES.has(storageClass);
}

/**
 * Whether GetObject may read the version's bytes at `now`: not archived, or restored and the
 * copy not yet expired.
 */
export function isReadable(object: Pick<ObjectRecord, 'storageClass' | 'restore'>, now: number) {
  if (!isArchiveClass(object.storageClass)) return true;
  return object.restore !== undefined && !object.restore.ongoing && object.restore.expiresAt > now;
}

/**
 * When a restored copy expires: `days` after `completedAt`, rounded up to the next midnight
 * UTC (the next multiple of `dayMs` since the epoch, for a shortened day).
 *
 * @example
 * restoreExpiry(Date.parse('2012-12-18T15:30:00Z'), 2) // Date.parse('2012-12-21T00:00:00Z')
 */
export function restoreExpiry(completedAt: number, days: number, dayMs = DAY_MS): number {
  return (Math.floor((completedAt + days * dayMs) / dayMs) + 1) * dayMs;
}

/** The `x-amz-restore` header of a version, or undefined when no restore was asked for. */
export function restoreHeader(object: Pick<ObjectRecord, 'restore'>): string | undefined {
  const { restore } = object;
  if (restore === undefined) return undefined;
  if (restore.ongoing) return 'ongoing-request="true"';
  return `ongoing-request="false", expiry-date="${new Date(restore.expiresAt).toUTCString()}"`;
}
