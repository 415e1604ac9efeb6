/**
 * `vigil eval`: measures the configured moderator and the pipeline's policy on a folder of
 * images sorted by what they should get. See docs/moderation.md, "Evaluating on your own
 * images".
 */
export {
  CATEGORY_NAMES,
  UnknownFolderError,
  type CategoryName,
  expectedOfFolder,
  folderSlug,
  lineage,
} from './categories.js';
export { categoryConfidence, imageVerdict, type ImageVerdict } from './image-verdict.js';
export { FIT_RANGE, fitThreshold, percentile, scores, type Sample } from './metrics.js';
export { progressBar, progressLine, type Progress, type TextStream } from './progress.js';
export { renderTable } from './render-table.js';
export { buildReport } from './report.js';
export { ModeratorUnavailableError, moderateSet, type RunOptions } from './run.js';
export { FAILED_COLUMN, NONE_COLUMN, confusionTable, decisionRows } from './tallies.js';
export { EvalFolderError, IMAGE_EXTENSIONS, readEvalSet } from './walk.js';
export * from './types.js';
