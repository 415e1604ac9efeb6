/** The reporting area's public surface: the ReportStore port and its SQLite implementation. */
export {
  REVIEW_DECISIONS,
  type Decision,
  type NewTrackingRecord,
  type PendingReview,
  type RecordKey,
  type Recorded,
  type ReportStore,
  type ReviewDecision,
  type ReviewItem,
  type ReviewStatus,
  type TrackingRecord,
} from './types.js';
export { REPORT_MIGRATIONS, type ReportMigration } from './migrations.js';
export { SqliteReportStore, reportsDatabasePath, type SqliteReportStoreOptions } from './sqlite.js';
export { isCleared } from './cleared.js';
