/**
 * The reporting area's public surface: the ReportStore port, its SQLite and PostgreSQL
 * implementations, and `openReportStore` choosing between them by `reporting.url`.
 */
export {
  REVIEW_DECISIONS,
  type AuditEntry,
  type Decision,
  type ImageFingerprint,
  type ImageRecall,
  type NewAuditEntry,
  type NewTrackingRecord,
  type PendingReview,
  type RecalledImage,
  type RecordKey,
  type RecordOptions,
  type Recorded,
  type RememberedImage,
  type ReportStore,
  type ReviewAction,
  type ReviewClaim,
  type ReviewDecided,
  type ReviewDecision,
  type ReviewerDecision,
  type ReviewItem,
  type ReviewStatus,
  type TagPair,
  type TimeRange,
  type TrackingRecord,
} from './types.js';
export { REPORT_MIGRATIONS, type ReportMigration } from './migrations.js';
export { SqliteReportStore, reportsDatabasePath, type SqliteReportStoreOptions } from './sqlite.js';
export { PostgresReportStore, type PostgresReportStoreOptions } from './postgres.js';
export { openReportStore, type OpenReportStoreOptions } from './open.js';
export { isCleared } from './cleared.js';
export {
  computeReport,
  percentile,
  REKOGNITION_PRICE_PER_IMAGE_USD,
  type Granularity,
  type Report,
} from './report.js';
export { exportAudit, exportRecords, type ExportFormat } from './export.js';
