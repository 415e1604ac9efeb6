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
