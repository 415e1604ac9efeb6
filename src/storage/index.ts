export { StorageEngine, type StorageEngineOptions, type WriteConditions } from './engine.js';
export {
  MultipartUploads,
  MIN_PART_SIZE,
  MAX_PART_NUMBER,
  byteCompare,
  type CompletedPart,
} from './multipart.js';
export * from './types.js';
export { openDatabase, type SqliteDatabase } from './database.js';
export { readWhole } from './read-whole.js';
export {
  InsufficientSpaceError,
  OutOfSpaceError,
  OUT_OF_SPACE_MESSAGE,
  RESERVE_FILE,
  SpaceReserve,
} from './space-reserve.js';
export {
  NULL_VERSION,
  versionIdOf,
  type ListVersionsQuery,
  type ListVersionsResult,
} from './versions.js';
export {
  DAY_MS,
  DEFAULT_ARCHIVE_SETTINGS,
  STORAGE_CLASSES,
  isArchiveClass,
  isReadable,
  restoreExpiry,
  restoreHeader,
  type ArchiveSettings,
  type RestoreDelays,
} from './archive.js';
export { archiveSettings, startBackgroundChanges, type SchedulerSettings } from './background.js';
export { Scheduler, type ScheduledWork } from './scheduler.js';
export type { StoredLifecycle } from './lifecycle-work.js';
export type { LifecycleRule } from './lifecycle-rules.js';
export { systemContext } from './restore-work.js';
export { DataDirLockedError, lockDataDir, LOCK_FILE, type DataDirLock } from './data-dir-lock.js';
